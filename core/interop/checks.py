"""Asking a check: the inputs validated (python-stdnum), then the backend called.

Every backend receives compact, valid numbers, so a province platform is never asked
about a code with a wrong check digit, and the operator learns which field is wrong
before anything leaves the centre.
"""
from __future__ import annotations

import logging

from core.contract import INTEROP_CHECKS
from core.interop.service import LookupResult, LookupService, ServiceUnavailable
from core.money import validation
from core.money.errors import BusinessError

log = logging.getLogger(__name__)

#: the parameters each check reads, in the order the forms show them
PARAMETERS: dict[str, tuple[str, ...]] = {
    "enterprise": ("credit_code", "name"), "credit_code": ("credit_code", "name"), "population": ("id_no", "name"),
}


class InvalidQuery(BusinessError):
    """A check asked with a missing or malformed field (the message names the field)."""


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def clean(check: str, credit_code: str | None = None, name: str | None = None,
          id_no: str | None = None) -> dict[str, str]:
    """The check's parameters, validated: credit codes and resident ID numbers by their
    check characters (GB 32100, GB 11643), names required where the check compares them."""
    if check not in INTEROP_CHECKS:
        raise InvalidQuery(f"没有这项核验：{check}", field="check")
    name = _text(name)
    if check == "population":
        if not _text(id_no):
            raise InvalidQuery("请输入公民身份号码", field="id_no")
        if not name:
            raise InvalidQuery("请输入姓名", field="name")
        return {"id_no": _valid(validation.resident_id, id_no).number, "name": name}
    if check == "credit_code":
        if not _text(credit_code):
            raise InvalidQuery("请输入统一社会信用代码", field="credit_code")
        if not name:
            raise InvalidQuery("请输入单位名称", field="name")
    if not _text(credit_code):
        if not name:
            raise InvalidQuery("请输入统一社会信用代码或单位名称", field="credit_code")
        return {"name": name}
    code = _valid(validation.credit_code, credit_code)
    return {"credit_code": code, "name": name} if name else {"credit_code": code}


def _valid(validator, value: str | None):
    try:
        return validator(value or "")
    except InvalidQuery:
        raise
    except BusinessError as error:
        raise InvalidQuery(error.message, field=error.field) from None


def ask(service: LookupService, check: str, **params: str | None) -> LookupResult:
    """Validate ``params`` (:class:`InvalidQuery`) and ask ``service``.

    A backend that cannot reach its platform raises :class:`ServiceUnavailable`; an
    ``OSError`` escaping it (refused connection, timeout) is taken for the same thing,
    so a network fault never shows the operator an error page.
    """
    values = clean(check, **params)
    try:
        if check == "enterprise":
            return service.enterprise(credit_code=values.get("credit_code"), name=values.get("name"))
        if check == "credit_code":
            return service.credit_code(values["credit_code"], values["name"])
        return service.population(values["id_no"], values.get("name"))
    except ServiceUnavailable:
        raise
    except OSError as error:
        log.warning("interop backend %s failed: %s", type(service).__name__, error)
        raise ServiceUnavailable(str(error)) from error
