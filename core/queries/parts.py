"""Pieces the item record queries (清册流水查询) share: who handled a record (经办人),
its 业务编号, values read from a change record's ``before`` / ``after``, and one row
per changed field."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from sqlalchemy import String, case, cast, func, literal, select, union_all
from sqlalchemy.orm import aliased

from core.models import Application, ChangeRecord, Operator
from core.queries.types import Link, QueryColumn as C, QueryFilter as F


def link(code: str, **values: Any) -> Link | None:
    """A 查看详情 link to another query with these (non-empty) filter values."""
    pairs = tuple((k, str(v)) for k, v in values.items() if v)
    return Link(code, pairs) if pairs else None


def business_no(application_id) -> Any:
    """The application's number as text (业务编号), so a text filter compares it exactly."""
    return cast(application_id, String()).label("business_no")


def handled_by(application_id, actor) -> tuple[Any, Any]:
    """(the outer join's target, the 经办人 column): the operator who submitted the
    application; a record made without one says who kind of actor made it."""
    app, operator = aliased(Application), aliased(Operator)
    name = case((operator.name.isnot(None), operator.name),
                (actor.like("operator:%"), literal("单位经办人", String())),
                (actor.like("clerk:%"), literal("中心柜员", String())),
                else_=literal("系统", String())).label("operator")
    return (app, app.id == application_id, operator, operator.id == app.operator_id), name


def with_handler(query, application_id, actor):
    """``query`` with the 经办人 column (``operator``) added."""
    (app, on_app, operator, on_operator), name = handled_by(application_id, actor)
    return query.add_columns(name).outerjoin(app, on_app).outerjoin(operator, on_operator)


def decimal(value: Any) -> Decimal | None:
    """A money or ratio value kept as text in a change record, as a Decimal."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def from_json(which: str, key: str) -> Callable[[Mapping[str, Any]], Decimal | None]:
    """A column ``compute``: ``row[which][key]`` (a change record's before/after) as a Decimal."""
    return lambda row: decimal((row.get(which) or {}).get(key))


def field_rows(fields: Mapping[str, str], where, columns: Callable[[ChangeRecord], list]) -> Any:
    """One row per changed field of the change records matching ``where``: the field's
    code (``field``) and its values before (``old``) and after (``new``) as text. A field
    is changed when its two values differ (a key a record lacks reads as empty)."""
    cr = ChangeRecord
    parts = []
    for name in fields:
        old, new = cr.before[name].as_string(), cr.after[name].as_string()
        parts.append(select(*columns(cr), literal(name, String()).label("field"), old.label("old"),
                            new.label("new"))
                     .where(*where, func.coalesce(old, "") != func.coalesce(new, "")))
    return union_all(*parts).subquery("fields")


#: the filters and columns every item record query repeats
DONE_ON = F("created_at", "办理日期", "date_range", column="created_at")
BUSINESS_NO = F("business_no", "业务编号", column="business_no")
BUSINESS_NO_COLUMN = C("business_no", "业务编号")
OPERATOR_COLUMN = C("operator", "经办人")
