"""Self-service unit opening (自主开户, seed 001 ch. 13).

From the login page a unit that has no account yet fills in its data and its first
operator (/register) and follows its application on a status page only it knows the
address of (/register/{token}). A clerk with the first-review role approves it at the
counter (/counter/registrations/{id}): the unit is opened with a new unit number and the
operator, who chose the password, can log in at once; or returns it with an opinion the
applicant reads on the status page (and may apply anew).
"""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timezone

import colander
import deform
import deform.widget
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import func, select

from core.codes import IdType, UnitState
from core.items import fields
from core.models import BankAccount, Operator, Unit, UnitRegistration
from core.models.registration import RegistrationStatus
from core.money import validation
from core.money.errors import BusinessError
from core.money.ledger import next_number
from core.passwords import hash_password, password_problems
from core.web import forms
from core.web.display import local_time, mask_id, mask_phone
from core.web.security import DENY_ALL, CounterRoot, Public, audit

FORM = "core.web:templates/registration/form.pt"
STATUS = "core.web:templates/registration/status.pt"
QUEUE = "core.web:templates/registration/queue.pt"
REVIEW = "core.web:templates/registration/review.pt"

#: the permission of the counter's registration pages
REVIEW_PERMISSION = "review_registrations"
REVIEW_ROLE = "first_review"

_LOGIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]{3,29}")
_PHONE = re.compile(r"(\d{3,4}-?)?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}")
_BANK_ACCOUNT = re.compile(r"\d{8,32}")


class RegistrationDesk(CounterRoot):
    """The counter's registration pages: first-review clerks only."""

    __acl__ = [(Allow, f"role:{REVIEW_ROLE}", REVIEW_PERMISSION), DENY_ALL]


# --- the form ----------------------------------------------------------------------------

def _resident_id(node, value) -> None:
    try:
        validation.resident_id(value)
    except BusinessError as error:
        raise colander.Invalid(node, error.message) from None


def _login_name(node, value) -> None:
    if not _LOGIN_NAME.fullmatch(value or ""):
        raise colander.Invalid(node, "登录名须为4至30位，以字母开头，只含字母、数字、下划线和点")


def _contact_phone(node, value) -> None:
    if not _PHONE.fullmatch((value or "").replace(" ", "")):
        raise colander.Invalid(node, "联系电话格式不对：请填写手机号码或带区号的固定电话")


def _bank_account(node, value) -> None:
    if value and not _BANK_ACCOUNT.fullmatch(value.replace(" ", "")):
        raise colander.Invalid(node, "银行账号须为8至32位数字")


def _password_rules(node, value) -> None:
    problems = password_problems(value, value)
    if problems:
        raise colander.Invalid(node, "；".join(p.replace("新密码", "密码") for p in problems))


def _password(title: str, validator=None, description: str = "") -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=title, validator=validator, description=description,
                               widget=deform.widget.PasswordWidget(redisplay=False))


class RegistrationSchema(colander.Schema):
    """What a unit fills in to open its account, and its first operator."""

    unit_name = fields.text("单位名称", max_length=200)
    credit_code = fields.text("统一社会信用代码", max_length=18, validator=fields.credit_code_validator,
                              description="18位，营业执照上的统一社会信用代码")
    address = fields.text("单位地址", max_length=200)
    legal_rep = fields.text("法定代表人", max_length=60)
    contact_name = fields.text("单位联系人", max_length=60)
    contact_phone = fields.text("联系电话", max_length=20, validator=_contact_phone)
    bank_name = fields.text("开户银行", max_length=100, missing="", description="选填")
    bank_account_no = fields.text("单位银行账号", max_length=40, missing="", validator=_bank_account,
                                  description="选填")
    operator_name = fields.text("经办人姓名", max_length=60,
                                description="首位经办人为单位管理员，开户后可在网厅管理其他经办人")
    operator_id_no = fields.text("经办人身份证号码", max_length=18, validator=_resident_id)
    operator_phone = fields.phone("经办人手机号码")
    login_name = fields.text("登录名", max_length=30, validator=_login_name)
    password = _password("登录密码", _password_rules, "至少8位，包含大写字母、小写字母、数字、符号中的至少三类")
    password_confirm = _password("确认密码")


def registration_schema() -> RegistrationSchema:
    """A fresh schema whose empty required fields say which field, in Chinese."""
    schema = RegistrationSchema()
    for child in schema.children:
        if child.required:
            child.missing_msg = f"请填写{child.title}"
    return schema


def _raw(cstruct: dict, name: str) -> str:
    value = cstruct.get(name)
    return value.strip() if isinstance(value, str) else ""


def _field_problems(request, cstruct: dict, failed: set[str]) -> dict[str, str]:
    """Checks across fields and against the database, for the fields that passed alone."""
    problems: dict[str, str] = {}
    if "password" not in failed and "password_confirm" not in failed \
            and _raw(cstruct, "password") != _raw(cstruct, "password_confirm"):
        problems["password_confirm"] = "两次输入的密码不一致"
    bank_name, bank_account = (_raw(cstruct, k) for k in ("bank_name", "bank_account_no"))
    if bank_account and not bank_name and "bank_name" not in failed:
        problems["bank_name"] = "填写银行账号时请同时填写开户银行"
    if bank_name and not bank_account and "bank_account_no" not in failed:
        problems["bank_account_no"] = "填写开户银行时请同时填写单位银行账号"
    if "credit_code" not in failed:
        try:
            code = validation.credit_code(_raw(cstruct, "credit_code"))
        except BusinessError:
            code = None
        if code is not None:
            problem = credit_code_taken(request.db, code)
            if problem:
                problems["credit_code"] = problem
    return problems


def credit_code_taken(db, code: str) -> str | None:
    """Why a unit with this credit code cannot apply (None: it may)."""
    if db.scalar(select(Unit.id).where(Unit.credit_code == code)) is not None:
        return "该统一社会信用代码的单位已在本中心开户，请勿重复申请；如需办理业务请直接登录"
    pending = select(UnitRegistration.id).where(UnitRegistration.credit_code == code,
                                                UnitRegistration.status == RegistrationStatus.PENDING.value)
    if db.scalar(pending) is not None:
        return "该统一社会信用代码已有待审核的开户申请，请等待中心审核"
    return None


def _failed_fields(form_: deform.Form) -> set[str]:
    return {child.name for child in form_.children if child.error is not None}


@view_config(route_name="registration", context=Public, permission="view", renderer=FORM)
def register(request):
    form_ = forms.form(request, registration_schema, [("submit", "提交审批")], formid="registration")
    cstruct: dict = {}
    if request.method == "POST":
        cstruct = forms.posted(request, form_)
        try:
            values = forms.validate(form_, cstruct)
        except deform.ValidationFailure:
            values = None
        problems = _field_problems(request, cstruct, _failed_fields(form_))
        if problems:
            forms.show_errors(form_, problems)
        elif values is not None:
            registration = _store(request, values)
            request.session.flash("开户申请已提交，请保存本页地址，以便随时查询审核进度")
            return HTTPSeeOther(request.route_url("registration_status", token=registration.token))
        cstruct = {k: v for k, v in cstruct.items() if k not in ("password", "password_confirm")}
    return {"form": forms.render(request, form_, cstruct)}


def _store(request, values: dict) -> UnitRegistration:
    registration = UnitRegistration(
        token=secrets.token_urlsafe(24), status=RegistrationStatus.PENDING.value,
        unit_name=values["unit_name"].strip(), credit_code=validation.credit_code(values["credit_code"]),
        address=values["address"].strip(), legal_rep=values["legal_rep"].strip(),
        contact_name=values["contact_name"].strip(), contact_phone=values["contact_phone"].replace(" ", ""),
        bank_name=values["bank_name"].strip() or None,
        bank_account_no=values["bank_account_no"].replace(" ", "") or None,
        operator_name=values["operator_name"].strip(),
        operator_id_no=validation.resident_id(values["operator_id_no"]).number,
        operator_phone=validation.mobile(values["operator_phone"]), login_name=values["login_name"],
        password_hash=hash_password(values["password"]), client_addr=request.client_addr)
    request.db.add(registration)
    request.db.flush()
    audit(request, "registration.submitted", entity="unit_registration", entity_id=registration.id,
          details={"credit_code": registration.credit_code, "unit_name": registration.unit_name})
    return registration


@view_config(route_name="registration_status", context=Public, permission="view", renderer=STATUS)
def status(request):
    token = request.matchdict["token"]
    registration = request.db.scalars(
        select(UnitRegistration).where(UnitRegistration.token == token)).one_or_none()
    if registration is None:
        raise HTTPNotFound()
    unit_no = request.db.scalar(select(Unit.unit_no).where(Unit.id == registration.unit_id)) \
        if registration.unit_id is not None else None
    return {"registration": registration, "unit_no": unit_no, "submitted_at": local_time(registration.created_at),
            "reviewed_at": local_time(registration.reviewed_at) if registration.reviewed_at else "",
            "operator_id_no": mask_id(registration.operator_id_no),
            "operator_phone": mask_phone(registration.operator_phone)}


# --- the counter -----------------------------------------------------------------------

@view_config(route_name="registration_queue", context=RegistrationDesk, permission=REVIEW_PERMISSION,
             renderer=QUEUE)
def queue(request):
    wanted = request.params.get("status", RegistrationStatus.PENDING.value)
    if wanted not in {s.value for s in RegistrationStatus}:
        raise HTTPNotFound()
    rows = request.db.scalars(select(UnitRegistration).where(UnitRegistration.status == wanted)
                              .order_by(UnitRegistration.created_at, UnitRegistration.id).limit(200)).all()
    counts = dict(request.db.execute(select(UnitRegistration.status, func.count())
                                     .group_by(UnitRegistration.status)).all())
    tabs = [(s.value, s.label, counts.get(s.value, 0)) for s in RegistrationStatus]
    return {"rows": rows, "wanted": wanted, "tabs": tabs, "when": local_time}


def _registration(request, lock: bool = False) -> UnitRegistration:
    try:
        registration_id = int(request.matchdict["id"])
    except ValueError:
        raise HTTPNotFound() from None
    query = select(UnitRegistration).where(UnitRegistration.id == registration_id)
    registration = request.db.scalars(query.with_for_update() if lock else query).one_or_none()
    if registration is None:
        raise HTTPNotFound()
    return registration


def _review_page(request, registration: UnitRegistration, errors: list[str]) -> dict:
    other_units = request.db.execute(
        select(Unit.unit_no, Unit.name).join(Operator, Operator.unit_id == Unit.id)
        .where(Operator.id_no == registration.operator_id_no).order_by(Unit.unit_no)).all()
    unit_no = request.db.scalar(select(Unit.unit_no).where(Unit.id == registration.unit_id)) \
        if registration.unit_id is not None else None
    return {"registration": registration, "errors": errors, "other_units": other_units, "unit_no": unit_no,
            "submitted_at": local_time(registration.created_at),
            "reviewed_at": local_time(registration.reviewed_at) if registration.reviewed_at else "",
            "pending": registration.status == RegistrationStatus.PENDING.value,
            "opinion": request.POST.get("opinion", "")}


@view_config(route_name="registration_review", context=RegistrationDesk, permission=REVIEW_PERMISSION,
             renderer=REVIEW)
def review(request):
    return _review_page(request, _registration(request), [])


@view_config(route_name="registration_review", context=RegistrationDesk, permission=REVIEW_PERMISSION,
             request_method="POST", renderer=REVIEW)
def decide(request):
    registration = _registration(request, lock=True)
    action = request.POST.get("action", "")
    opinion = request.POST.get("opinion", "").strip()
    if registration.status != RegistrationStatus.PENDING.value:
        return _review_page(request, registration, [f"该申请{registration.status_label}，不能再次审批"])
    if action == "return":
        if not opinion:
            return _review_page(request, registration, ["退回时请填写退回意见，申请单位将看到该意见"])
        _close(request, registration, RegistrationStatus.RETURNED, opinion)
        audit(request, "registration.returned", entity="unit_registration", entity_id=registration.id,
              details={"opinion": opinion})
        request.session.flash("已退回该开户申请")
    elif action == "approve":
        problem = request.db.scalar(select(Unit.unit_no).where(Unit.credit_code == registration.credit_code))
        if problem is not None:
            return _review_page(request, registration, [
                f"统一社会信用代码{registration.credit_code}已开户（单位账号{problem}），请退回该申请"])
        unit = open_unit(request, registration)
        _close(request, registration, RegistrationStatus.APPROVED, opinion or None)
        registration.unit_id = unit.id
        audit(request, "registration.approved", entity="unit", entity_id=unit.id, unit_id=unit.id,
              details={"registration": registration.id, "unit_no": unit.unit_no})
        request.session.flash(f"已审批通过，单位账号 {unit.unit_no}")
    else:
        return _review_page(request, registration, ["请选择审批通过或退回"])
    return HTTPSeeOther(request.route_url("registration_review", id=registration.id))


def _close(request, registration: UnitRegistration, status_: RegistrationStatus, opinion: str | None) -> None:
    user = request.user
    registration.status = status_.value
    registration.opinion = opinion
    registration.reviewed_by = f"clerk:{user.id}"
    registration.reviewed_at = datetime.now(timezone.utc)


def new_unit_no(db, centre) -> str:
    """The next free unit number: the centre's prefix and a six-digit sequence (as the
    demo numbers its units), skipping numbers already in use."""
    prefix = centre.setting("registration.unit_no_prefix") or centre.setting("demo.unit_no_prefix") or "1000"
    while True:
        unit_no = f"{prefix}{next_number(db, f'unit_no:{prefix}'):06d}"
        if db.scalar(select(Unit.id).where(Unit.unit_no == unit_no)) is None:
            return unit_no


def open_unit(request, registration: UnitRegistration) -> Unit:
    """Create the unit (state normal), its bank account and its first operator."""
    db = request.db
    unit = Unit(unit_no=new_unit_no(db, request.registry.runtime.centre), name=registration.unit_name,
                credit_code=registration.credit_code, state=UnitState.NORMAL.value, address=registration.address,
                legal_rep=registration.legal_rep, contact_name=registration.contact_name,
                contact_phone=registration.contact_phone, opened_on=date.today())
    db.add(unit)
    db.flush()
    if registration.bank_account_no:
        db.add(BankAccount(unit_id=unit.id, bank_name=registration.bank_name or "", account_name=unit.name,
                           account_no=registration.bank_account_no))
    db.add(Operator(unit_id=unit.id, name=registration.operator_name, id_type=IdType.ID_CARD.value,
                    id_no=registration.operator_id_no, phone=registration.operator_phone,
                    login_name=registration.login_name, password_hash=registration.password_hash,
                    must_change_password=False, is_admin=True))
    db.flush()
    return unit


def includeme(config) -> None:
    config.add_route("registration", "/register", factory=Public)
    config.add_route("registration_status", "/register/{token}", factory=Public)
    config.add_route("registration_queue", "/counter/registrations", factory=RegistrationDesk)
    config.add_route("registration_review", "/counter/registrations/{id}", factory=RegistrationDesk)
    config.scan("core.web.registration")
