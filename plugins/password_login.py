"""Password login: the identifier fields are the centre's to choose.

Settings: ``login.password.fields`` (default ``id_no password``: operator ID number and
password, as Jincheng and Shaoguan ask; seed 001 uses ``unit_no login_name password``).
Five wrong passwords lock the operator for 15 minutes (:func:`core.passwords.check_login`).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from core.contract import LoginMethod
from core.hookspecs import hookimpl
from core.models import Operator, Unit
from core.passwords import LoginRefused, check_login

FIELD_TITLES = {
    "id_no": "经办人证件号码",
    "unit_no": "单位账号",
    "login_name": "登录名",
    "password": "密码",
}


def authenticate(request, values: dict[str, str]) -> Operator:
    """The operator these values name, if the password is right; else :class:`LoginRefused`."""
    query = select(Operator).join(Unit, Unit.id == Operator.unit_id)
    wanted = {name: (values.get(name) or "").strip() for name in request_fields(request) if name != "password"}
    missing = [FIELD_TITLES[name] for name, value in wanted.items() if not value]
    if missing or not values.get("password"):
        raise LoginRefused("请输入" + "、".join(missing + ([] if values.get("password") else ["密码"])))
    columns = {"id_no": Operator.id_no, "unit_no": Unit.unit_no, "login_name": Operator.login_name}
    for name, value in wanted.items():
        query = query.where(columns[name] == (value.upper() if name == "id_no" else value))
    found = request.db.scalars(query.limit(2)).all()
    if len(found) > 1:
        raise LoginRefused("该证件号码是多个单位的经办人，请联系中心柜面")
    check_login(found[0] if found else None, values["password"], datetime.now(timezone.utc))
    return found[0]


def request_fields(request) -> tuple[str, ...]:
    return fields_of(request.registry.runtime.centre)


def fields_of(centre) -> tuple[str, ...]:
    fields = tuple((centre.setting("login.password.fields") or "id_no password").split())
    unknown = [f for f in fields if f not in FIELD_TITLES]
    if unknown:
        raise ValueError(f"login.password.fields: unknown fields {unknown}; one of {sorted(FIELD_TITLES)}")
    return fields


@hookimpl
def opengjj_login_methods(centre):
    return [LoginMethod(name="password", title="密码登录", fields=fields_of(centre), order=10,
                        authenticate=authenticate, titles=FIELD_TITLES)]
