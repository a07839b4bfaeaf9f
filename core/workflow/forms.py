"""An item's form and 清册 as data: bind the schemas, check what is stored, read it back.

Applications keep the serialized form (colander cstructs: strings), so what the unit
typed is shown again exactly as typed, and the effect receives what the schema
deserializes (``Decimal``, dates, codes), never a float.
"""
from __future__ import annotations

from typing import Any

import colander

from core.contract import BusinessItem
from core.money.errors import BusinessError


class FormErrors(BusinessError):
    """The form or some rows do not validate: ``fields`` maps field → message,
    ``rows`` maps a 1-based row number → {field: message}."""

    def __init__(self, fields: dict[str, str] | None = None, rows: dict[int, dict[str, str]] | None = None):
        self.fields = fields or {}
        self.rows = rows or {}
        first = next(iter(self.fields.items()), None)
        if first is None and self.rows:
            row, errors = next(iter(self.rows.items()))
            first = (next(iter(errors)), f"第{row}行：{next(iter(errors.values()))}")
            super().__init__(first[1], field=first[0], row=row)
        else:
            super().__init__(first[1] if first else "填写有误", field=first[0] if first else None)


def storable(cstruct: dict | None) -> dict:
    """A cstruct as JSON keeps it: colander's ``null`` (nothing typed) becomes ""."""
    def plain(value):
        if value is colander.null or value is None:
            return ""
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value if isinstance(value, (str, int, bool)) else str(value)
    return plain(dict(cstruct or {}))


def bind(factory, **kw: Any) -> colander.SchemaNode:
    """A fresh schema from ``factory`` bound with ``request``, ``centre``, ``db``, ``unit``."""
    kw.setdefault("request", None)
    return factory().bind(**kw)


def _flat(error: colander.Invalid) -> dict[str, str]:
    return {key.split(".")[-1] or "form": message for key, message in error.asdict().items()}


def check(item: BusinessItem, data: dict, rows: list[dict], **kw: Any) -> tuple[dict, list[dict]]:
    """Deserialize the stored form and rows; raise :class:`FormErrors` naming every problem."""
    field_errors: dict[str, str] = {}
    row_errors: dict[int, dict[str, str]] = {}
    values: dict = {}
    if item.schema is not None:
        try:
            values = bind(item.schema, **kw).deserialize(data or {})
        except colander.Invalid as error:
            field_errors = _flat(error)
    parsed: list[dict] = []
    if item.row_schema is not None:
        schema = bind(item.row_schema, **kw)
        for number, row in enumerate(rows, start=1):
            try:
                parsed.append(schema.deserialize(row))
            except colander.Invalid as error:
                row_errors[number] = _flat(error)
        if item.kind == "list" and not rows:
            field_errors.setdefault("rows", "清册中没有记录，请先添加")
    if item.kind == "change" and not rows:
        field_errors.setdefault("rows", "没有待变更的项目")
    if field_errors or row_errors:
        raise FormErrors(field_errors, row_errors)
    return values, parsed


def serialize(factory, appstruct: dict, **kw: Any) -> dict:
    """The cstruct of ``appstruct`` (e.g. an item's ``initial`` values) for a form."""
    schema = bind(factory, **kw)
    known = {node.name for node in schema.children}
    return schema.serialize({k: v for k, v in appstruct.items() if k in known})
