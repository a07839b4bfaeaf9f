"""The columns of a 清册 as Excel sees them, derived from a bound colander row schema."""
from __future__ import annotations

from dataclasses import dataclass

import colander

from core.items import fields

#: headers a file may carry besides the schema's: the error file's own columns
ERROR_FILE_HEADERS = ("行号", "错误原因")


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    required: bool
    #: text | money | percent | integer | date | select | month
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    description: str = ""

    @property
    def as_text(self) -> bool:
        """Kept as text in Excel (ID, account numbers, months keep their leading zeros)."""
        return self.kind in ("text", "month", "select")

    @property
    def label_of(self) -> dict[str, str]:
        return dict(self.choices)

    @property
    def code_of(self) -> dict[str, str]:
        """Label or code → code (a file may carry either)."""
        found = {label: code for code, label in self.choices}
        found.update({code: code for code, _ in self.choices})
        return found

    @property
    def hint(self) -> str:
        if self.kind == "money":
            return "金额，单位元，最多两位小数"
        if self.kind == "percent":
            return "百分数，如 12 表示 12%"
        if self.kind == "integer":
            return "整数"
        if self.kind == "date":
            return "日期，如 2026-07-01"
        if self.kind == "month":
            return "年-月，如 2026-07（文本格式）"
        if self.kind == "select":
            return "从下拉列表中选择"
        return "文本"


def _kind(node: colander.SchemaNode) -> str:
    typ = node.typ
    if isinstance(typ, fields.Money):
        return "money"
    if isinstance(typ, fields.Percent):
        return "percent"
    if isinstance(typ, colander.Integer):
        return "integer"
    if isinstance(typ, (colander.Date, colander.DateTime)):
        return "date"
    if getattr(node.widget, "values", None) is not None:
        return "select"
    if node.validator is fields.month_validator:
        return "month"
    return "text"


def columns(schema: colander.SchemaNode) -> list[Column]:
    """One column per child of the bound ``schema``, in its order."""
    found = []
    for node in schema.children:
        kind = _kind(node)
        choices = tuple((str(c), str(l)) for c, l in (getattr(node.widget, "values", None) or ()) if c != "")
        found.append(Column(name=node.name, title=str(node.title), required=node.missing is colander.required,
                            kind=kind, choices=choices, description=str(node.description or "")))
    return found
