"""Password login: the identifier fields are the centre's to choose.

Settings: ``login.password.fields`` (default ``id_no password``: operator ID number and
password, as Jincheng and Shaoguan ask; seed 001 uses ``unit_no login_name password``).
"""
from core.contract import LoginMethod
from core.hookspecs import hookimpl

FIELD_TITLES = {
    "id_no": "经办人证件号码",
    "unit_no": "单位账号",
    "login_name": "登录名",
    "password": "密码",
}


@hookimpl
def opengjj_login_methods(centre):
    fields = tuple((centre.setting("login.password.fields") or "id_no password").split())
    unknown = [f for f in fields if f not in FIELD_TITLES]
    if unknown:
        raise ValueError(f"login.password.fields: unknown fields {unknown}; one of {sorted(FIELD_TITLES)}")
    return [LoginMethod(name="password", title="密码登录", fields=fields, order=10)]
