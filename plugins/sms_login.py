"""SMS login (短信登录) and forgot password (忘记密码) by a code sent to the operator's phone.

Centre settings:

- ``login.sms.fields``: what the SMS tab asks, in order; must hold ``phone`` and ``code``.
  Shaoguan (seed 002): ``id_no password phone code`` (the default); Shaanxi (seed 003):
  ``unit_no unit_name operator_name id_no phone code``.
- ``login.forgot.fields``: what the forgot-password form asks besides the code and the new
  password; must hold ``phone``. Default (Shaanxi): ``unit_no unit_name operator_name id_no
  phone``; Jincheng (seed 000) may use ``id_no phone``.
- ``login.default_password``: the centre's initial password (Shaoguan: 000000); an
  operator signing in with it must change it before anything else.

A code is sent only to the registered phone of an operator matching every other field;
the answer is the same whether or not one does. Codes, limits and gateways: core.sms.
"""
from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.renderers import get_renderer, render_to_response
from sqlalchemy import select

from core.contract import LoginMethod
from core.hookspecs import hookimpl
from core.models import Operator, Unit
from core.passwords import LoginRefused, check_login, hash_password, password_problems
from core.sms import RateLimited, SmsError
from core.web.security import Public, audit

FIELD_TITLES = {
    "unit_no": "单位账号",
    "unit_name": "单位名称",
    "operator_name": "经办人姓名",
    "id_no": "经办人证件号码",
    "login_name": "登录名",
    "phone": "经办人手机号码",
    "password": "密码",
    "code": "验证码",
}
IDENTIFIERS = ("unit_no", "unit_name", "operator_name", "id_no", "login_name", "phone")
LOGIN_DEFAULT = "id_no password phone code"
FORGOT_DEFAULT = "unit_no unit_name operator_name id_no phone"
PHONE_RE = re.compile(r"^1\d{10}$")
TEMPLATE = "plugins:templates/sms_login.pt"
FORGOT_TEMPLATE = "plugins:templates/sms_forgot.pt"
LOGIN_TEMPLATE = "core.web:templates/hall/login.pt"

SENT = "如填写的信息与登记信息一致，验证码已发送至该手机号码，5分钟内有效"
REFUSED = "登录信息或验证码不正确"
NOT_MATCHED = "填写的信息与登记信息不符，或验证码不正确、已失效"
SEND_FAILED = "短信发送失败，请稍后重试"
RESET_DONE = "密码已重置，请使用新密码登录"


# --- fields ----------------------------------------------------------------------------

def _fields(centre, key: str, default: str, required: tuple[str, ...]) -> tuple[str, ...]:
    fields = tuple((centre.setting(key) or default).split())
    unknown = [f for f in fields if f not in FIELD_TITLES]
    if unknown:
        raise ValueError(f"{key}: unknown fields {unknown}; one of {sorted(FIELD_TITLES)}")
    lacking = [f for f in required if f not in fields]
    if lacking:
        raise ValueError(f"{key}: must include {lacking}")
    return fields


def login_fields(centre) -> tuple[str, ...]:
    """The SMS login tab's fields; none when ``login.sms.fields = none`` (SMS only resets
    forgotten passwords, as in Jincheng)."""
    if centre.setting("login.sms.fields") == "none":
        return ()
    return _fields(centre, "login.sms.fields", LOGIN_DEFAULT, ("phone", "code"))


def forgot_fields(centre) -> tuple[str, ...]:
    fields = _fields(centre, "login.forgot.fields", FORGOT_DEFAULT, ("phone",))
    if "password" in fields or "code" in fields:
        raise ValueError("login.forgot.fields: the code and the new password are always asked; list neither")
    return fields


def identifiers(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in fields if f in IDENTIFIERS)


def cleaned(source, fields: tuple[str, ...]) -> dict[str, str]:
    values = {name: (source.get(name) or "").strip() for name in fields if name != "password"}
    if "id_no" in values:
        values["id_no"] = values["id_no"].upper()
    if "password" in fields:
        values["password"] = source.get("password") or ""
    return values


def lacking(values: dict[str, str], fields: tuple[str, ...]) -> list[str]:
    return [FIELD_TITLES[name] for name in fields if not values.get(name)]


def find_operators(db, wanted: dict[str, str]) -> list[Operator]:
    """The active operators matching every identifier given (at most two: enough to tell)."""
    columns = {"unit_no": Unit.unit_no, "unit_name": Unit.name, "operator_name": Operator.name,
               "id_no": Operator.id_no, "login_name": Operator.login_name, "phone": Operator.phone}
    query = select(Operator).join(Unit, Unit.id == Operator.unit_id).where(Operator.active.is_(True))
    for name, value in wanted.items():
        query = query.where(columns[name] == value)
    return list(db.scalars(query.order_by(Operator.id).limit(2)))


# --- login -----------------------------------------------------------------------------

def authenticate(request, values: dict[str, str]) -> Operator:
    """The operator the fields name, if the code (and the password, if asked) is right."""
    centre = request.registry.runtime.centre
    fields = login_fields(centre)
    values = cleaned(values, fields)
    missing = lacking(values, fields)
    if missing:
        raise LoginRefused("请输入" + "、".join(missing))
    found = find_operators(request.db, {name: values[name] for name in identifiers(fields)})
    # The code first: without the phone in hand nothing else (not even the password) is tested.
    if not request.sms.verify(values["phone"], "login", values["code"], consume=bool(found)) or not found:
        raise LoginRefused(REFUSED)
    if len(found) > 1:
        raise LoginRefused("该证件号码是多个单位的经办人，请联系中心柜面")
    operator = found[0]
    now = datetime.now(UTC)
    if "password" in fields:
        check_login(operator, values["password"], now)
        if is_default_password(centre, values["password"]):
            operator.must_change_password = True
    elif operator.locked_until is not None and _aware(operator.locked_until) > now:
        check_login(operator, "", now)  # raises the lock's message
    return operator


def is_default_password(centre, password: str) -> bool:
    default = centre.setting("login.default_password")
    return bool(default) and hmac.compare_digest(password.encode("utf-8"), default.encode("utf-8"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- views -----------------------------------------------------------------------------

def send_code(request):
    """获取验证码: issue and (if the details match an operator) send a code, then show the
    form again with the same answer either way."""
    centre = request.registry.runtime.centre
    purpose = request.POST.get("purpose")
    if purpose not in ("login", "reset") or (purpose == "login" and not login_fields(centre)):
        raise HTTPBadRequest()
    fields = identifiers(login_fields(centre) if purpose == "login" else forgot_fields(centre))
    values = cleaned(request.POST, fields)
    error, missing = None, lacking(values, fields)
    if missing:
        error = "请输入" + "、".join(missing)
    elif not PHONE_RE.match(values["phone"]):
        error = "手机号码格式不正确"
    else:
        matched = bool(find_operators(request.db, values))
        try:
            request.sms.send_code(values["phone"], purpose, deliver=matched)
        except RateLimited as limited:
            error = str(limited)
        except SmsError:
            error = SEND_FAILED
        else:
            request.session.flash(SENT)
    if purpose == "reset":
        return render_to_response(FORGOT_TEMPLATE, _forgot_page(request, values, [error] if error else []),
                                  request=request)
    return render_to_response(LOGIN_TEMPLATE, _login_page(request, values, error), request=request)


def _login_page(request, values: dict[str, str], error: str | None) -> dict:
    methods = request.registry.runtime.catalogue.login_methods
    method = next(m for m in methods if m.name == "sms")
    custom = get_renderer(method.template, registry=request.registry).implementation()
    return {"methods": methods, "chosen": "sms", "method": method, "custom": custom, "error": error,
            "values": {k: v for k, v in values.items() if k not in ("password", "code")}}


def _forgot_page(request, values: dict[str, str], problems: list[str]) -> dict:
    fields = forgot_fields(request.registry.runtime.centre)
    return {"fields": fields, "titles": FIELD_TITLES, "problems": problems,
            "values": {k: v for k, v in values.items() if k in fields}}


def forgot_password(request):
    """忘记密码: the details, the code sent to the registered phone and a new password twice."""
    fields = forgot_fields(request.registry.runtime.centre)
    values = cleaned(request.POST, fields + ("code",))
    if request.method != "POST":
        return _forgot_page(request, {}, [])
    new, confirm = request.POST.get("new_password", ""), request.POST.get("confirm_password", "")
    missing = lacking(values, fields + ("code",)) + ([] if new else ["新密码"])
    problems = (["请输入" + "、".join(missing)] if missing else []) or password_problems(new, confirm)
    if not problems:
        found = find_operators(request.db, {name: values[name] for name in identifiers(fields)})
        if request.sms.verify(values["phone"], "reset", values["code"], consume=len(found) == 1) \
                and len(found) == 1:
            _reset(request, found[0], new)
            request.session.flash(RESET_DONE)
            return HTTPSeeOther(request.route_url("login"))
        problems = [NOT_MATCHED]
        audit(request, "password.reset_refused", details={"message": NOT_MATCHED})
    return _forgot_page(request, values, problems)


def _reset(request, operator: Operator, new: str) -> None:
    operator.password_hash = hash_password(new)
    operator.must_change_password = False
    operator.failed_logins, operator.locked_until = 0, None
    audit(request, "password.reset", actor=operator, entity="operator", entity_id=operator.id,
          details={"via": "sms"})


# --- wiring ----------------------------------------------------------------------------

@hookimpl
def opengjj_login_methods(centre):
    forgot_fields(centre)  # a wrong setting fails at start-up
    if not login_fields(centre):
        return []
    return [LoginMethod(name="sms", title="短信登录", fields=login_fields(centre), order=20,
                        authenticate=authenticate, titles=FIELD_TITLES, template=TEMPLATE)]


def includeme(config) -> None:
    config.include("core.sms")
    config.add_route("sms_code", "/sms/code", factory=Public)
    config.add_route("sms_forgot", "/sms/forgot", factory=Public)
    config.add_view(send_code, route_name="sms_code", request_method="POST", permission="view",
                    require_csrf=True)
    config.add_view(forgot_password, route_name="sms_forgot", renderer=FORGOT_TEMPLATE, permission="view",
                    require_csrf=True)
