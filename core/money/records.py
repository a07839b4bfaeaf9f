"""Change records (变更记录): who changed what, when, with the values before and after."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.models import ChangeRecord


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(obj, fields) -> dict[str, Any]:
    """The named attributes of a model, JSON-ready (Decimal and dates as text)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(books, *, entity: str, entity_id: int, unit_id: int | None, business_type: str,
                  action: str, before: dict | None, after: dict | None) -> ChangeRecord:
    record = ChangeRecord(entity=entity, entity_id=entity_id, unit_id=unit_id, business_type=business_type,
                          action=action, before=before, after=after, actor=books.actor,
                          application_id=books.application_id)
    books.db.add(record)
    return record
