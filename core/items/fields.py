"""Colander building blocks for item forms and 清册 rows.

The types keep money exact (a ``Decimal`` from the text typed, never a float) and the
messages Chinese; the validators reuse :mod:`core.money.validation` so a form and the
money engine refuse the same input with the same words.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

import colander
import deform.widget

from core.codes import IdType, LabelledCode
from core.money import validation
from core.money.errors import BusinessError

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Money(colander.SchemaType):
    """Yuan with at most two decimals: "1234.5" ⇄ Decimal("1234.50")."""

    places = 2
    label = "金额"

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return f"{Decimal(appstruct):.{self.places}f}"

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or not str(cstruct).strip():
            return colander.null
        if isinstance(cstruct, float):
            raise colander.Invalid(node, f"{node.title}不能是浮点数")
        text = str(cstruct).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise colander.Invalid(node, f"{node.title}须为数字") from None
        if not number.is_finite() or number.as_tuple().exponent < -self.places:
            raise colander.Invalid(node, f"{node.title}最多{self.places}位小数")
        return number.quantize(Decimal(1).scaleb(-self.places))


class Percent(colander.SchemaType):
    """A ratio typed as a percentage: "12" or "12%" ⇄ Decimal("0.12")."""

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return f"{(Decimal(appstruct) * 100).normalize():f}"

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or not str(cstruct).strip():
            return colander.null
        text = str(cstruct).strip().rstrip("%").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise colander.Invalid(node, f"{node.title}须为百分数，如 12") from None
        if not number.is_finite() or not 0 <= number <= 100 or number.as_tuple().exponent < -2:
            raise colander.Invalid(node, f"{node.title}须在0至100之间，最多两位小数")
        return (number / 100).quantize(Decimal("0.0001"))


def month_validator(node, value) -> None:
    if not MONTH.match(value or ""):
        raise colander.Invalid(node, f"{node.title}格式应为“年-月”，如 2026-07")


def engine_validator(check):
    """A colander validator from a :mod:`core.money.validation`-style check that raises
    :class:`BusinessError`: the form and the engine refuse with the same words."""
    def validator(node, value):
        try:
            check(value)
        except BusinessError as error:
            raise colander.Invalid(node, error.message) from None
    return validator


mobile_validator = engine_validator(validation.mobile)
credit_code_validator = engine_validator(validation.credit_code)
bank_card_validator = engine_validator(validation.bank_card)


def id_no_validator(form, values) -> None:
    """Whole-form validator: a 居民身份证 number must pass the check-digit test."""
    if values.get("id_type", IdType.ID_CARD.value) == IdType.ID_CARD.value and values.get("id_no"):
        try:
            validation.resident_id(values["id_no"])
        except BusinessError as error:
            exc = colander.Invalid(form)
            exc["id_no"] = error.message
            raise exc from None


def choices(codes: type[LabelledCode] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return codes.choices() if isinstance(codes, type) else list(codes)


# --- node factories: one line per field in an item's schema --------------------------

def text(title: str, *, missing: Any = colander.required, max_length: int = 200, readonly: bool = False,
         validator=None, description: str = "", textarea: bool = False) -> colander.SchemaNode:
    validators = [colander.Length(max=max_length, max_err=f"{title}最多${{max}}个字")]
    if validator is not None:
        validators.append(validator)
    widget = deform.widget.TextAreaWidget(readonly=readonly, rows=4) if textarea \
        else deform.widget.TextInputWidget(readonly=readonly)
    return colander.SchemaNode(colander.String(), title=title, missing=missing, widget=widget,
                               validator=colander.All(*validators), description=description)


def money(title: str, *, missing: Any = colander.required, readonly: bool = False,
          minimum: Decimal | None = Decimal("0.01")) -> colander.SchemaNode:
    validator = None if minimum is None else colander.Range(
        min=minimum, min_err=f"{title}须不小于{minimum}")
    return colander.SchemaNode(Money(), title=title, missing=missing, validator=validator,
                               widget=deform.widget.TextInputWidget(readonly=readonly))


def percent(title: str, *, missing: Any = colander.required, readonly: bool = False) -> colander.SchemaNode:
    return colander.SchemaNode(Percent(), title=title, missing=missing, description="百分数，如 12 表示 12%",
                               widget=deform.widget.TextInputWidget(readonly=readonly))


def month(title: str, *, missing: Any = colander.required, readonly: bool = False) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=title, missing=missing, validator=month_validator,
                               widget=deform.widget.TextInputWidget(readonly=readonly, placeholder="2026-07"))


def select(title: str, values, *, missing: Any = colander.required, readonly: bool = False,
           default: Any = colander.null) -> colander.SchemaNode:
    options = choices(values)
    return colander.SchemaNode(
        colander.String(), title=title, missing=missing, default=default,
        validator=colander.OneOf([code for code, _ in options], msg_err=f"请选择{title}"),
        widget=deform.widget.SelectWidget(values=[("", "请选择")] + options, readonly=readonly))


def date(title: str, *, missing: Any = colander.required) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Date(), title=title, missing=missing,
                               widget=deform.widget.TextInputWidget(placeholder="2026-07-01"))


def integer(title: str, *, missing: Any = colander.required, minimum: int | None = None,
            maximum: int | None = None) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Integer(), title=title, missing=missing,
                               validator=colander.Range(min=minimum, max=maximum,
                                                        min_err=f"{title}不能小于${{min}}",
                                                        max_err=f"{title}不能大于${{max}}"))


def id_type(*, missing: Any = IdType.ID_CARD.value) -> colander.SchemaNode:
    return select("证件类型", IdType, missing=missing, default=IdType.ID_CARD.value)


def id_no(title: str = "证件号码", *, missing: Any = colander.required) -> colander.SchemaNode:
    return text(title, max_length=30, missing=missing)


def phone(title: str = "手机号码", *, missing: Any = colander.required) -> colander.SchemaNode:
    return text(title, max_length=11, missing=missing, validator=mobile_validator)


def account_no(title: str = "个人账号", *, missing: Any = colander.required) -> colander.SchemaNode:
    return text(title, max_length=20, missing=missing)
