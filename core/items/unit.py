"""Standard items about the unit itself (单位业务).

单位登记信息变更, 单位银行账户登记/变更 (also as two items: 信息登记 and 信息变更),
缴存比例调整, 降低缴存比例/恢复, 缓缴, 委托代扣协议 and 单位销户. Each effect locks the unit first (``books.lock_unit``), asks
core's and every plugin's rules (``books.check(<item code>, ...)``) before it writes,
and leaves a change record with the values before and after; a refusal raises
:class:`core.money.errors.BusinessError` naming the form field, and the engine rolls
the whole effect back.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import colander
from sqlalchemy import func, select

from core.codes import AccountState, CollectionType, UnitState
from core.contract import ONE_REVIEW, TWO_REVIEWS, BusinessItem
from core.items import fields
from core.models import (
    Account, Application, BankAccount, Deferral, DirectDebitAgreement, RatioReduction, RemittanceVerification,
    Supplement, Unit,
)
from core.models._columns import utcnow
from core.money import accounts, months, validation
from core.money.errors import BusinessError, ConcurrentChange
from core.money.ledger import ZERO, next_number
from core.money.records import record_change, snapshot

MENU = ("单位业务",)
OTHER = CollectionType.OTHER.value
#: the unit's registration fields shown greyed: the centre changes them, not the unit
FIXED_FIELDS = {"unit_no": "单位账号", "name": "单位名称", "credit_code": "统一社会信用代码"}
#: the fields a unit may change itself, with their labels
EDITABLE_FIELDS = {"address": "单位地址", "postcode": "邮政编码", "legal_rep": "法定代表人",
                   "contact_name": "联系人", "contact_phone": "联系电话"}
OPTIONAL_FIELDS = ("postcode",)
FIELD_LENGTHS = {"address": 200, "postcode": 6, "legal_rep": 60, "contact_name": 60, "contact_phone": 20}
POSTCODE = re.compile(r"\d{6}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
LIVE_UNIT_STATES = (UnitState.NORMAL.value, UnitState.DEFERRED.value)


# --- shared helpers -------------------------------------------------------------------

def _label(codes, value: str) -> str:
    try:
        return codes(value).label
    except ValueError:
        return value


def _percent(ratio: Decimal) -> str:
    """0.1200 → "12%"."""
    return f"{(ratio * 100).normalize():f}%"


def _blank(value: Any) -> bool:
    return value in (None, colander.null) or not str(value).strip()


def _require_live_unit(unit: Unit, doing: str) -> None:
    if unit.state not in LIVE_UNIT_STATES:
        raise BusinessError(f"单位{unit.unit_no}状态为“{_label(UnitState, unit.state)}”，不能办理{doing}",
                            field="unit_id")


def _next_month_after(paid_to: str | None) -> str:
    return months.following(paid_to) if paid_to else months.of(date.today())


def _unit_values(unit: Unit, names) -> dict[str, str]:
    return {name: getattr(unit, name) or "" for name in names}


def active_bank_account_choices(db, unit) -> list[tuple[str, str]]:
    """The unit's active bank accounts as select options (value: the id)."""
    if db is None or unit is None or getattr(unit, "id", None) is None:
        return []
    rows = db.scalars(select(BankAccount).where(BankAccount.unit_id == unit.id, BankAccount.active.is_(True))
                      .order_by(BankAccount.id))
    return [(str(b.id), f"{b.bank_name} {b.account_no}（{b.account_name}）") for b in rows]


class _BankAccountSelect(colander.Schema):
    """A schema whose ``bank_account_id`` select lists the bound unit's active bank accounts."""

    bank_account_title = "银行账户"
    bank_account_missing: Any = colander.required

    def after_bind(self, node, kw) -> None:
        self["bank_account_id"] = fields.select(
            self.bank_account_title, active_bank_account_choices(kw.get("db"), kw.get("unit")),
            missing=self.bank_account_missing)


def _bank_account_of(db, unit_id: int, value: Any) -> BankAccount:
    """The unit's active bank account chosen in the form."""
    try:
        bank = db.get(BankAccount, int(value))
    except (TypeError, ValueError):
        bank = None
    if bank is None or bank.unit_id != unit_id:
        raise BusinessError("请选择本单位的银行账户", field="bank_account_id")
    if not bank.active:
        raise BusinessError(f"银行账户{bank.account_no}已注销", field="bank_account_id")
    return bank


# --- 单位登记信息变更 ----------------------------------------------------------------------

def _check_postcode(value: str, field: str = "postcode", row: int | None = None) -> None:
    if value and not POSTCODE.fullmatch(value):
        raise BusinessError("邮政编码应为6位数字", field=field, row=row)


def _check_phone(value: str, field: str = "contact_phone", row: int | None = None) -> str:
    """A mobile number or a landline (区号-号码[-分机])."""
    number = value.replace(" ", "")
    if number.startswith(("1", "+86")):
        return validation.mobile(number, field=field)
    if not LANDLINE.fullmatch(number):
        raise BusinessError("联系电话应为手机号码或“区号-号码”格式的固定电话", field=field, row=row)
    return number


class UnitInfoSchema(colander.Schema):
    unit_no = fields.text("单位账号", readonly=True, missing="", max_length=20)
    name = fields.text("单位名称", readonly=True, missing="")
    credit_code = fields.text("统一社会信用代码", readonly=True, missing="", max_length=18)
    address = fields.text("单位地址", max_length=200)
    postcode = fields.text("邮政编码", max_length=6, missing="", validator=fields.engine_validator(_check_postcode))
    legal_rep = fields.text("法定代表人", max_length=60)
    contact_name = fields.text("联系人", max_length=60)
    contact_phone = fields.text("联系电话", max_length=20, validator=fields.engine_validator(_check_phone))


class UnitChangeRow(colander.Schema):
    """One staged change (待变更清册): the field, its label, the value before and after."""

    field = fields.select("变更项目", list(EDITABLE_FIELDS.items()))
    label = fields.text("项目名称", missing="", readonly=True, max_length=20)
    before = fields.text("变更前", missing="", readonly=True)
    after = fields.text("变更后", missing="")


def unit_info_initial(db, unit: Unit) -> dict[str, str]:
    """The unit's registration values now."""
    return _unit_values(unit, (*FIXED_FIELDS, *EDITABLE_FIELDS))


def _new_value(name: str, value: Any, row: int) -> str | None:
    text = "" if _blank(value) else str(value).strip()
    label = EDITABLE_FIELDS[name]
    if not text:
        if name in OPTIONAL_FIELDS:
            return None
        raise BusinessError(f"{label}不能为空", field="after", row=row)
    if len(text) > FIELD_LENGTHS[name]:
        raise BusinessError(f"{label}最多{FIELD_LENGTHS[name]}个字", field="after", row=row)
    if name == "postcode":
        _check_postcode(text, field="after", row=row)
    if name == "contact_phone":
        try:
            text = _check_phone(text, field="after", row=row)
        except BusinessError as error:
            raise BusinessError(error.message, field="after", row=row) from None
    return text


def _staged_changes(unit: Unit, rows: list[dict]) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    for n, row in enumerate(rows, start=1):
        name = row.get("field")
        if name not in EDITABLE_FIELDS:
            raise BusinessError(f"“{name}”不能在网厅变更", field="field", row=n)
        label = EDITABLE_FIELDS[name]
        if name in changes:
            raise BusinessError(f"{label}重复变更", field="field", row=n)
        current = getattr(unit, name) or ""
        if (row.get("before") or "") != current:
            raise ConcurrentChange(f"{label}已被其他业务修改（现为“{current}”），请刷新后重新变更",
                                   field="before", row=n)
        after = _new_value(name, row.get("after"), n)
        if (after or "") == current:
            raise BusinessError(f"{label}变更前后相同", field="after", row=n)
        changes[name] = after
    if not changes:
        raise BusinessError("没有待变更的项目", field="rows")
    return changes


def change_unit_info(books, application: Application, values: dict, rows: list[dict]) -> dict:
    unit = books.lock_unit(application.unit_id)
    if unit.state == UnitState.CLOSED.value:
        raise BusinessError(f"单位{unit.unit_no}已销户，不能变更登记信息", field="unit_id")
    changes = _staged_changes(unit, rows)
    books.check("unit_info_change", unit_id=unit.id, changes=dict(changes))
    before = snapshot(unit, changes)
    for name, value in changes.items():
        setattr(unit, name, value)
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id, business_type=OTHER,
                  action="info_change", before=before, after=snapshot(unit, changes))
    books.db.flush()
    return {"changed": "、".join(EDITABLE_FIELDS[name] for name in changes)}


# --- 单位银行账户登记/变更 --------------------------------------------------------------------

BANK_ACTIONS = (("register", "新增登记"), ("change", "变更"), ("deactivate", "注销"))
BANK_FIELDS = ("bank_name", "account_name", "account_no", "active")


class BankAccountSchema(_BankAccountSelect):
    bank_account_title = "原银行账户"
    bank_account_missing = None

    action = fields.select("业务类型", BANK_ACTIONS)
    bank_account_id = fields.select("原银行账户", [], missing=None)
    bank_name = fields.text("开户银行", max_length=100, missing="")
    account_name = fields.text("账户名称", missing="")
    account_no = fields.text("银行账号", max_length=40, missing="", validator=fields.bank_card_validator)

    def validator(self, node, values) -> None:
        error = colander.Invalid(node)
        if values.get("action") in ("change", "deactivate") and _blank(values.get("bank_account_id")):
            error["bank_account_id"] = "请选择要变更或注销的银行账户"
        if values.get("action") == "register":
            for name, label in (("bank_name", "开户银行"), ("account_name", "账户名称"), ("account_no", "银行账号")):
                if _blank(values.get(name)):
                    error[name] = f"请填写{label}"
        if error.children:
            raise error


def _bank_details(values: dict, *, required: bool) -> dict[str, str]:
    details = {}
    for name, label in (("bank_name", "开户银行"), ("account_name", "账户名称"), ("account_no", "银行账号")):
        if _blank(values.get(name)):
            if required:
                raise BusinessError(f"请填写{label}", field=name)
            continue
        details[name] = str(values[name]).strip()
    if "account_no" in details:
        details["account_no"] = validation.bank_card(details["account_no"], field="account_no")
    return details


def _refuse_duplicate_bank(db, unit_id: int, account_no: str | None, but: int | None = None) -> None:
    if not account_no:
        return
    query = select(BankAccount.id).where(BankAccount.unit_id == unit_id, BankAccount.account_no == account_no,
                                         BankAccount.active.is_(True))
    if but is not None:
        query = query.where(BankAccount.id != but)
    if db.scalar(query.limit(1)) is not None:
        raise BusinessError(f"银行账号{account_no}已登记", field="account_no")


def _active_agreement(db, unit_id: int) -> DirectDebitAgreement | None:
    return db.scalars(select(DirectDebitAgreement).where(DirectDebitAgreement.unit_id == unit_id,
                                                         DirectDebitAgreement.status == "active")).first()


def manage_bank_account(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = books.lock_unit(application.unit_id)
    _require_live_unit(unit, "银行账户登记")
    action = values["action"]
    if action == "register":
        details = _bank_details(values, required=True)
        _refuse_duplicate_bank(db, unit.id, details["account_no"])
        books.check("bank_account", unit_id=unit.id, action=action, **details)
        bank = BankAccount(unit_id=unit.id, active=True, **details)
        db.add(bank)
        db.flush()
        before = None
    else:
        bank = _bank_account_of(db, unit.id, values.get("bank_account_id"))
        before = snapshot(bank, BANK_FIELDS)
        if action == "change":
            details = {k: v for k, v in _bank_details(values, required=False).items() if getattr(bank, k) != v}
            if not details:
                raise BusinessError("银行账户信息没有变化", field="account_no")
            _refuse_duplicate_bank(db, unit.id, details.get("account_no"), but=bank.id)
            books.check("bank_account", unit_id=unit.id, action=action, bank_account_id=bank.id, **details)
            for name, value in details.items():
                setattr(bank, name, value)
        else:
            agreement = _active_agreement(db, unit.id)
            if agreement is not None and agreement.bank_account_id == bank.id:
                raise BusinessError(f"银行账户{bank.account_no}正用于委托代扣协议{agreement.agreement_no}，"
                                    f"请先变更代扣协议", field="bank_account_id")
            books.check("bank_account", unit_id=unit.id, action=action, bank_account_id=bank.id)
            bank.active = False
        db.flush()
    record_change(books, entity="bank_account", entity_id=bank.id, unit_id=unit.id, business_type=OTHER,
                  action=f"bank_account_{action}", before=before, after=snapshot(bank, BANK_FIELDS))
    return {"bank_account_id": str(bank.id), "account_no": bank.account_no, "active": "是" if bank.active else "否"}


#: 单位银行账户信息登记 / 信息变更 as items of their own (no 业务类型 select): the same
#: code path as ``bank_account``, the action fixed by the item

class BankAccountRegistrationSchema(colander.Schema):
    bank_name = fields.text("开户银行", max_length=100)
    account_name = fields.text("账户名称")
    account_no = fields.text("银行账号", max_length=40, validator=fields.bank_card_validator)


class BankAccountChangeSchema(_BankAccountSelect):
    bank_account_title = "原银行账户"

    bank_account_id = fields.select("原银行账户", [])
    bank_name = fields.text("开户银行", max_length=100, missing="", description="不变更请留空")
    account_name = fields.text("账户名称", missing="", description="不变更请留空")
    account_no = fields.text("银行账号", max_length=40, missing="", validator=fields.bank_card_validator,
                             description="不变更请留空")

    def validator(self, node, values) -> None:
        if all(_blank(values.get(name)) for name in ("bank_name", "account_name", "account_no")):
            error = colander.Invalid(node)
            error["account_no"] = "请至少填写一项要变更的银行账户信息"
            raise error


def register_bank_account(books, application: Application, values: dict, rows: list[dict]) -> dict:
    return manage_bank_account(books, application, {**values, "action": "register"}, rows)


def change_bank_account(books, application: Application, values: dict, rows: list[dict]) -> dict:
    return manage_bank_account(books, application, {**values, "action": "change"}, rows)


# --- 缴存比例调整 --------------------------------------------------------------------------

class RatioSchema(colander.Schema):
    unit_ratio = fields.percent("单位缴存比例")
    personal_ratio = fields.percent("个人缴存比例")
    effective_month = fields.month("生效年月")


def ratio_initial(db, unit: Unit) -> dict[str, Any]:
    return {"unit_ratio": unit.unit_ratio, "personal_ratio": unit.personal_ratio,
            "effective_month": _next_month_after(unit.paid_to)}


def adjust_ratio(books, application: Application, values: dict, rows: list[dict]) -> dict:
    unit = books.lock_unit(application.unit_id)
    if (values["unit_ratio"], values["personal_ratio"]) == (unit.unit_ratio, unit.personal_ratio):
        raise BusinessError("新的缴存比例与现行比例相同", field="unit_ratio")
    change = accounts.change_unit_ratio(books, unit.id, unit_ratio=values["unit_ratio"],
                                        personal_ratio=values["personal_ratio"],
                                        effective_month=values["effective_month"])
    return {"unit_ratio": _percent(change.unit_ratio), "personal_ratio": _percent(change.personal_ratio),
            "effective_month": change.effective_month, "status": change.status}


# --- 降低缴存比例/恢复 ----------------------------------------------------------------------

REDUCTION_KINDS = (("reduce", "降低缴存比例"), ("restore", "恢复缴存比例"))


class RatioReductionSchema(colander.Schema):
    kind = fields.select("业务类型", REDUCTION_KINDS)
    unit_ratio = fields.percent("降低后单位缴存比例", missing=None)
    personal_ratio = fields.percent("降低后个人缴存比例", missing=None)
    from_month = fields.month("起始年月")
    to_month = fields.month("截止年月", missing=None)
    reason = fields.text("原因", max_length=200)

    def validator(self, node, values) -> None:
        error = colander.Invalid(node)
        if values.get("kind") == "reduce":
            for name, label in (("unit_ratio", "降低后单位缴存比例"), ("personal_ratio", "降低后个人缴存比例"),
                                ("to_month", "截止年月")):
                if values.get(name) is None:
                    error[name] = f"请填写{label}"
            if values.get("to_month") and values["to_month"] < values.get("from_month", ""):
                error["to_month"] = "截止年月不能早于起始年月"
        if error.children:
            raise error


def _active_reduction(db, unit_id: int) -> RatioReduction | None:
    return db.scalars(select(RatioReduction).where(RatioReduction.unit_id == unit_id,
                                                   RatioReduction.status == "active")).first()


def _reduce(books, unit: Unit, values: dict) -> dict:
    db = books.db
    current = _active_reduction(db, unit.id)
    if current is not None:
        raise BusinessError(f"单位已降低缴存比例（{current.from_month}至{current.to_month}），请先办理恢复",
                            field="kind")
    unit_ratio, personal_ratio = values.get("unit_ratio"), values.get("personal_ratio")
    to_month = values.get("to_month")
    for name, value, label in (("unit_ratio", unit_ratio, "降低后单位缴存比例"),
                               ("personal_ratio", personal_ratio, "降低后个人缴存比例"), ("to_month", to_month, "截止年月")):
        if value is None:
            raise BusinessError(f"请填写{label}", field=name)
    if to_month < values["from_month"]:
        raise BusinessError("截止年月不能早于起始年月", field="to_month")
    if unit_ratio > unit.unit_ratio:
        raise BusinessError(f"降低后的单位缴存比例不能高于现行比例{_percent(unit.unit_ratio)}", field="unit_ratio")
    if personal_ratio > unit.personal_ratio:
        raise BusinessError(f"降低后的个人缴存比例不能高于现行比例{_percent(unit.personal_ratio)}",
                            field="personal_ratio")
    if (unit_ratio, personal_ratio) == (unit.unit_ratio, unit.personal_ratio):
        raise BusinessError("降低后的缴存比例与现行比例相同", field="unit_ratio")
    previous = (unit.unit_ratio, unit.personal_ratio)
    books.check("ratio_reduction", unit_id=unit.id, reduction_kind="reduce", unit_ratio=unit_ratio,
                personal_ratio=personal_ratio, from_month=values["from_month"], to_month=to_month,
                reason=values["reason"])
    accounts.change_unit_ratio(books, unit.id, unit_ratio=unit_ratio, personal_ratio=personal_ratio,
                               effective_month=values["from_month"])
    reduction = RatioReduction(unit_id=unit.id, unit_ratio=unit_ratio, personal_ratio=personal_ratio,
                               previous_unit_ratio=previous[0], previous_personal_ratio=previous[1],
                               from_month=values["from_month"], to_month=to_month, reason=values["reason"],
                               status="active", application_id=books.application_id, actor=books.actor)
    db.add(reduction)
    db.flush()
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id, business_type=OTHER,
                  action="ratio_reduction",
                  before={"unit_ratio": str(previous[0]), "personal_ratio": str(previous[1])},
                  after={"unit_ratio": str(unit_ratio), "personal_ratio": str(personal_ratio),
                         "from_month": values["from_month"], "to_month": to_month, "reason": values["reason"]})
    return {"kind": "reduce", "unit_ratio": _percent(unit_ratio), "personal_ratio": _percent(personal_ratio),
            "from_month": values["from_month"], "to_month": to_month}


def _restore(books, unit: Unit, values: dict) -> dict:
    reduction = _active_reduction(books.db, unit.id)
    if reduction is None:
        raise BusinessError("单位没有需要恢复的降低缴存比例", field="kind")
    if values["from_month"] < reduction.from_month:
        raise BusinessError(f"恢复年月不能早于降低缴存比例的起始年月{reduction.from_month}", field="from_month")
    books.check("ratio_reduction", unit_id=unit.id, reduction_kind="restore",
                unit_ratio=reduction.previous_unit_ratio, personal_ratio=reduction.previous_personal_ratio,
                from_month=values["from_month"], to_month=None, reason=values["reason"])
    before = {"unit_ratio": str(unit.unit_ratio), "personal_ratio": str(unit.personal_ratio)}
    accounts.change_unit_ratio(books, unit.id, unit_ratio=reduction.previous_unit_ratio,
                               personal_ratio=reduction.previous_personal_ratio, effective_month=values["from_month"])
    reduction.status, reduction.restored_at = "restored", utcnow()
    reduction.restored_by_application_id = books.application_id
    books.db.flush()
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id, business_type=OTHER,
                  action="ratio_restoration", before=before,
                  after={"unit_ratio": str(reduction.previous_unit_ratio),
                         "personal_ratio": str(reduction.previous_personal_ratio),
                         "from_month": values["from_month"], "reason": values["reason"]})
    return {"kind": "restore", "unit_ratio": _percent(reduction.previous_unit_ratio),
            "personal_ratio": _percent(reduction.previous_personal_ratio), "from_month": values["from_month"]}


def reduce_ratio(books, application: Application, values: dict, rows: list[dict]) -> dict:
    unit = books.lock_unit(application.unit_id)
    _require_live_unit(unit, "降低缴存比例")
    return _reduce(books, unit, values) if values["kind"] == "reduce" else _restore(books, unit, values)


# --- 缓缴 ---------------------------------------------------------------------------------

class DeferralSchema(colander.Schema):
    from_month = fields.month("缓缴起始年月")
    to_month = fields.month("缓缴截止年月")
    reason = fields.text("缓缴原因", max_length=200, textarea=True)

    def validator(self, node, values) -> None:
        if values["to_month"] < values["from_month"]:
            error = colander.Invalid(node)
            error["to_month"] = "缓缴截止年月不能早于起始年月"
            raise error


def defer(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = books.lock_unit(application.unit_id)
    _require_live_unit(unit, "缓缴")
    first, last, reason = values["from_month"], values["to_month"], values["reason"].strip()
    if last < first:
        raise BusinessError("缓缴截止年月不能早于起始年月", field="to_month")
    if unit.paid_to and first <= unit.paid_to:
        raise BusinessError(f"单位已缴至{unit.paid_to}，缓缴起始年月须在此之后", field="from_month")
    overlapping = db.scalars(select(Deferral).where(Deferral.unit_id == unit.id, Deferral.status == "active",
                                                    Deferral.from_month <= last, Deferral.to_month >= first)
                             .order_by(Deferral.from_month).limit(1)).first()
    if overlapping is not None:
        raise BusinessError(f"与已登记的缓缴期{overlapping.from_month}至{overlapping.to_month}重叠",
                            field="from_month")
    books.check("deferral", unit_id=unit.id, from_month=first, to_month=last, reason=reason)
    before = {"state": unit.state}
    deferral = Deferral(unit_id=unit.id, from_month=first, to_month=last, reason=reason, status="active",
                        application_id=books.application_id, actor=books.actor)
    db.add(deferral)
    unit.state = UnitState.DEFERRED.value
    db.flush()
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id,
                  business_type=CollectionType.DEFERRAL.value, action="deferral", before=before,
                  after={"state": unit.state, "deferral_id": deferral.id, "from_month": first, "to_month": last,
                         "reason": reason})
    return {"from_month": first, "to_month": last, "state": UnitState.DEFERRED.label}


# --- 委托代扣协议 --------------------------------------------------------------------------

class DirectDebitSchema(_BankAccountSelect):
    bank_account_title = "代扣银行账户"

    bank_account_id = fields.select("代扣银行账户", [])
    debit_day = fields.integer("每月扣款日", minimum=1, maximum=28)
    start_month = fields.month("起始年月")


AGREEMENT_FIELDS = ("agreement_no", "bank_account_id", "debit_day", "start_month", "end_month", "status")


def sign_direct_debit(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = books.lock_unit(application.unit_id)
    _require_live_unit(unit, "委托代扣")
    bank = _bank_account_of(db, unit.id, values["bank_account_id"])
    start, day = values["start_month"], values["debit_day"]
    if not 1 <= day <= 28:
        raise BusinessError("每月扣款日须在1至28日之间", field="debit_day")
    previous = _active_agreement(db, unit.id)
    if previous is not None and start <= previous.start_month:
        raise BusinessError(f"起始年月须晚于现行协议{previous.agreement_no}的起始年月{previous.start_month}",
                            field="start_month")
    books.check("direct_debit", unit_id=unit.id, bank_account_id=bank.id, debit_day=day, start_month=start,
                previous_agreement_id=previous.id if previous else None)
    if previous is not None:
        before = snapshot(previous, AGREEMENT_FIELDS)
        previous.status, previous.end_month, previous.ended_at = "ended", months.add(start, -1), utcnow()
        db.flush()  # the active one ends before the new one starts (one active per unit)
        record_change(books, entity="direct_debit_agreement", entity_id=previous.id, unit_id=unit.id,
                      business_type=OTHER, action="direct_debit_end", before=before,
                      after=snapshot(previous, AGREEMENT_FIELDS))
    agreement = DirectDebitAgreement(
        agreement_no=f"DK{books.today:%Y%m%d}{next_number(db, 'direct_debit_agreement'):06d}", unit_id=unit.id,
        bank_account_id=bank.id, debit_day=day, start_month=start, status="active",
        application_id=books.application_id, actor=books.actor)
    db.add(agreement)
    db.flush()
    record_change(books, entity="direct_debit_agreement", entity_id=agreement.id, unit_id=unit.id,
                  business_type=OTHER, action="direct_debit_sign", before=None,
                  after=snapshot(agreement, AGREEMENT_FIELDS))
    return {"agreement_no": agreement.agreement_no, "bank_account_no": bank.account_no, "debit_day": str(day),
            "start_month": start}


# --- 单位销户 ------------------------------------------------------------------------------

class DeregistrationSchema(colander.Schema):
    reason = fields.text("销户原因", max_length=200, textarea=True)


def _unpaid_batch(db, unit_id: int) -> str | None:
    batch = db.scalar(select(RemittanceVerification.batch_no).where(
        RemittanceVerification.unit_id == unit_id, RemittanceVerification.status == "verified").limit(1))
    return batch or db.scalar(select(Supplement.batch_no).where(
        Supplement.unit_id == unit_id, Supplement.status == "verified").limit(1))


def _refuse_open_business(db, unit: Unit) -> None:
    normal = db.scalar(select(func.count(Account.id)).where(Account.unit_id == unit.id,
                                                            Account.state == AccountState.NORMAL.value)) or 0
    if normal:
        raise BusinessError(f"单位尚有{normal}个正常状态的个人账户，请先封存或转出后再销户", field="unit_id")
    if unit.balance != ZERO:
        raise BusinessError(f"单位账户余额为{unit.balance}元，余额为零方可销户", field="unit_id")
    if unit.suspense != ZERO:
        raise BusinessError(f"单位尚有暂存款{unit.suspense}元，请处理后再销户", field="unit_id")
    batch = _unpaid_batch(db, unit.id)
    if batch is not None:
        raise BusinessError(f"单位尚有未缴款的核定批次{batch}，请缴款或取消核定后再销户", field="unit_id")


def deregister_unit(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = books.lock_unit(application.unit_id)
    if unit.state == UnitState.CLOSED.value:
        raise BusinessError(f"单位{unit.unit_no}已销户", field="unit_id")
    _refuse_open_business(db, unit)
    reason = values["reason"].strip()
    books.check("unit_deregistration", unit_id=unit.id, reason=reason, state=unit.state)
    agreement = _active_agreement(db, unit.id)
    if agreement is not None:
        agreement.status, agreement.ended_at = "ended", utcnow()
        agreement.end_month = agreement.end_month or months.of(books.today)
    before = {"state": unit.state}
    unit.state = UnitState.CLOSED.value
    db.flush()
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id, business_type=OTHER,
                  action="deregistration", before=before, after={"state": unit.state, "reason": reason})
    return {"state": UnitState.CLOSED.label, "closed_on": books.today.isoformat()}


# --- the items -------------------------------------------------------------------------

ITEMS: tuple[BusinessItem, ...] = (
    BusinessItem(code="unit_info_change", title="单位登记信息变更", menu_path=MENU, chain=ONE_REVIEW,
                 kind="change", schema=UnitInfoSchema, row_schema=UnitChangeRow, effect=change_unit_info,
                 initial=unit_info_initial, collection_type=OTHER, order=10, checks=("enterprise", "credit_code"),
                 description="变更单位地址、邮政编码、法定代表人和联系人信息；单位名称、统一社会信用代码须到柜面变更。"),
    BusinessItem(code="bank_account", title="单位银行账户登记/变更", menu_path=MENU, chain=ONE_REVIEW,
                 schema=BankAccountSchema, effect=manage_bank_account, collection_type=OTHER, order=20,
                 description="登记、变更或注销单位的银行账户，用于委托代扣和退款。"),
    BusinessItem(code="bank_account_registration", title="单位银行账户信息登记", menu_path=MENU, chain=ONE_REVIEW,
                 schema=BankAccountRegistrationSchema, effect=register_bank_account, collection_type=OTHER,
                 order=21, description="登记单位新的银行账户，用于委托代扣和退款。"),
    BusinessItem(code="bank_account_change", title="单位银行账户信息变更", menu_path=MENU, chain=ONE_REVIEW,
                 schema=BankAccountChangeSchema, effect=change_bank_account, collection_type=OTHER, order=22,
                 description="变更单位已登记银行账户的开户银行、账户名称或银行账号，不变更的项目留空。"),
    BusinessItem(code="unit_ratio_adjustment", title="缴存比例调整", menu_path=MENU, chain=ONE_REVIEW,
                 schema=RatioSchema, effect=adjust_ratio, initial=ratio_initial, collection_type=OTHER, order=30,
                 description="调整单位和个人缴存比例，自生效年月起适用于单位全部正常账户。"),
    BusinessItem(code="ratio_reduction", title="降低缴存比例/恢复", menu_path=MENU, chain=TWO_REVIEWS,
                 schema=RatioReductionSchema, effect=reduce_ratio, collection_type=OTHER, order=40,
                 description="生产经营困难的单位申请在一定期限内降低缴存比例，期满或情况好转后恢复原比例。"),
    BusinessItem(code="deferral", title="缓缴", menu_path=MENU, chain=TWO_REVIEWS, schema=DeferralSchema,
                 effect=defer, collection_type=CollectionType.DEFERRAL.value, order=50,
                 description="生产经营困难的单位申请在一定期限内缓缴住房公积金，缓缴期满后补缴。"),
    BusinessItem(code="direct_debit", title="委托代扣协议", menu_path=MENU, chain=ONE_REVIEW,
                 schema=DirectDebitSchema, effect=sign_direct_debit, collection_type=OTHER, order=60,
                 description="签订委托代扣协议，由银行每月从单位账户扣缴住房公积金；新协议生效时原协议终止。"),
    BusinessItem(code="unit_deregistration", title="单位销户", menu_path=MENU, chain=TWO_REVIEWS,
                 schema=DeregistrationSchema, effect=deregister_unit, collection_type=OTHER, order=90,
                 description="注销单位缴存登记：单位须已无正常账户、余额和暂存款为零、没有未缴款的核定。"),
)
