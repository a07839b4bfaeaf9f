"""How a query's cells are shown (text) and exported (typed values), masks applied."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

from core.queries.types import QueryColumn, RecordQuery


def _mask(kind: str | None, value: Any) -> Any:
    from core.web.display import mask_id, mask_phone

    if kind == "id":
        return mask_id(str(value) if value is not None else None)
    if kind == "phone":
        return mask_phone(str(value) if value is not None else None)
    return value


def raw(column: QueryColumn, row: Mapping[str, Any]) -> Any:
    """The column's value in ``row``: computed, labelled, masked; a typed value."""
    value = column.compute(row) if column.compute is not None else row.get(column.name)
    if value is None:
        return None
    if column.labels:
        value = dict(column.labels).get(str(value), value)
    if column.masked:
        value = _mask(column.masked, value)
    if column.kind == "datetime" and isinstance(value, datetime):
        from core.web.display import local_time

        return local_time(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    return value


def text(column: QueryColumn, row: Mapping[str, Any]) -> str:
    """The column's value as the page and the printout show it."""
    value = raw(column, row)
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if column.kind == "ratio" and isinstance(value, Decimal):
        return f"{(value * 100).normalize():f}%"
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def numeric(column: QueryColumn) -> bool:
    return column.kind in ("money", "int", "ratio")


def filter_summary(query: RecordQuery, values: Mapping[str, str]) -> str:
    """The filled conditions in words (the printout's and the shared page's heading)."""
    parts = []
    for f in query.filters:
        if f.kind in ("date_range", "month_range"):
            low, high = values.get(f"{f.name}_from"), values.get(f"{f.name}_to")
            if low or high:
                parts.append(f"{f.title}：{low or '…'} 至 {high or '…'}")
            continue
        value = values.get(f.name)
        if value:
            shown = dict(f.choices).get(value, value) if f.choices else _mask(f.masked, value)
            parts.append(f"{f.title}：{shown}")
    return "；".join(parts) or "全部"
