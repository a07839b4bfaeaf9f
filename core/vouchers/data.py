"""What a voucher says: the header values and table rows of an application.

:func:`standard_values` gives every layout the unit, the application's numbers and its
form (by field name); a layout's own ``values(db, application)`` adds to them. A layout
without ``header_fields`` prints core's standard header followed by the item's form
fields; one without ``table_columns`` prints the item's 清册 with the row form's titles.
Also the rows of core's remittance slip (汇缴书) and seal list (封存清册).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import colander
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contract import BusinessItem, VoucherLayout
from core.models import (
    Account,
    Application,
    ApplicationRow,
    Person,
    RemittanceVerification,
    Unit,
)
from core.web.display import local_time, mask_id
from core.workflow import status_label
from core.workflow.forms import bind

STANDARD_HEADER = (
    ("unit_no", "单位账号"), ("unit_name", "单位名称"), ("item_title", "业务类型"), ("application_id", "业务编号"),
    ("submitted_at", "提交时间"), ("completed_at", "办结时间"), ("scan_serial", "扫描流水号"),
    ("archive_no", "档案编号"),
)


def shown(value: Any) -> str:
    if value is None or value is colander.null:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, (list, tuple)):
        return "、".join(shown(v) for v in value)
    return str(value)


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", "").replace("¥", "") or "0")
    except InvalidOperation:
        return Decimal(0)


def _schema_fields(factory, db: Session, unit: Unit | None, centre) -> list[tuple[str, str, dict]]:
    """(name, title, {code: label}) of each field of a form schema."""
    if factory is None:
        return []
    schema = bind(factory, centre=centre, db=db, unit=unit)
    return [(child.name, child.title, dict(getattr(child.widget, "values", None) or []))
            for child in schema.children]


def standard_values(db: Session, application: Application, item: BusinessItem | None, centre) -> dict[str, Any]:
    unit = db.get(Unit, application.unit_id)
    values: dict[str, Any] = {
        key: shown(value) for key, value in (application.data or {}).items() if not isinstance(value, (dict, list))}
    values.update({f"result.{key}": shown(value) for key, value in (application.result or {}).items()})
    values.update({
        "unit_no": unit.unit_no if unit else "", "unit_name": unit.name if unit else "",
        "item_title": item.title if item else application.item_code, "application_id": str(application.id),
        "status": status_label(application.status), "submitted_at": local_time(application.submitted_at),
        "completed_at": local_time(application.completed_at), "scan_serial": application.scan_serial or "",
        "archive_no": application.archive_no or "", "row_count": str(len(application.rows)),
    })
    return values


def header(layout: VoucherLayout, item: BusinessItem | None, values: dict[str, Any], db: Session,
           application: Application, centre) -> list[tuple[str, str]]:
    if layout.header_fields:
        return [(title, shown(values.get(key, ""))) for key, title in layout.header_fields]
    pairs = [(title, shown(values.get(key, ""))) for key, title in STANDARD_HEADER]
    if item is not None and item.schema is not None:
        unit = db.get(Unit, application.unit_id)
        for name, title, labels in _schema_fields(item.schema, db, unit, centre):
            raw = (application.data or {}).get(name)
            if raw not in (None, "", colander.null):
                pairs.append((title, shown(labels.get(raw, raw))))
    return pairs


def item_rows(db: Session, application: Application, item: BusinessItem | None,
              centre) -> tuple[list[tuple[str, str]], Iterable[dict]]:
    """The item's 清册 as columns and rows, select codes shown as their labels."""
    if item is None or item.kind == "change":
        columns = [("label", "变更项目"), ("before", "变更前"), ("after", "变更后")]
        labels: dict[str, dict] = {}
    else:
        unit = db.get(Unit, application.unit_id)
        fields = _schema_fields(item.row_schema, db, unit, centre)
        columns = [(name, title) for name, title, _ in fields]
        labels = {name: mapping for name, _, mapping in fields}
    masked = {"id_no"}
    rows = db.scalars(select(ApplicationRow.data).where(ApplicationRow.application_id == application.id)
                      .order_by(ApplicationRow.row_no))

    def convert(data: dict) -> dict:
        out = {}
        for name, _ in columns:
            value = data.get(name)
            value = labels.get(name, {}).get(value, value)
            out[name] = mask_id(value) if name in masked and value else shown(value)
        return out

    return columns, (convert(data) for data in rows)


# --- core's layouts' data --------------------------------------------------------------------

def remittance_values(db: Session, application: Application) -> dict[str, Any]:
    result = application.result or {}
    return {"batch_no": result.get("batch_no", ""), "months": shown(result.get("months", [])),
            "headcount": result.get("headcount", "")}


def remittance_rows(db: Session, application: Application) -> list[dict]:
    """The verified months of the application's batch: the amounts the unit must pay."""
    batch = (application.result or {}).get("batch_no")
    if not batch:
        return []
    verified = db.scalars(select(RemittanceVerification).where(
        RemittanceVerification.batch_no == batch, RemittanceVerification.unit_id == application.unit_id)
        .order_by(RemittanceVerification.month))
    return [{"month": v.month, "headcount": str(v.headcount), "unit_amount": v.unit_amount,
             "personal_amount": v.personal_amount, "amount": v.amount,
             "status": {"verified": "已核定", "paid": "已缴款", "cancelled": "已取消"}.get(v.status, v.status)}
            for v in verified]


def seal_values(db: Session, application: Application) -> dict[str, Any]:
    return {"count": str(len(application.rows))}


def seal_rows(db: Session, application: Application) -> list[dict]:
    """The sealed accounts with the person's name and masked ID number, and the reason."""
    from core.items.persons import SealRow

    reasons = dict(getattr(SealRow().get("reason").widget, "values", None) or [])
    found = db.execute(
        select(ApplicationRow.data, Account.account_no, Person.name, Person.id_no)
        .outerjoin(Account, Account.id == ApplicationRow.account_id)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(ApplicationRow.application_id == application.id).order_by(ApplicationRow.row_no))
    return [{"account_no": account_no or data.get("account_no", ""), "name": name or "",
             "id_no": mask_id(id_no), "reason": reasons.get(data.get("reason"), data.get("reason", ""))}
            for data, account_no, name, id_no in found]
