"""The unit's item record queries (清册流水查询, seed 000 x.7): its registration-info
changes, bank accounts and their changes, ratio changes, deposit certificates and its
payments. Each selects ``unit_id`` and narrows to the unit it is given (the framework
adds the same condition again, always); every condition is optional."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import String, and_, case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import aliased

from core.codes import CollectionType
from core.db.meta import Money, Ratio
from core.models import (
    Account, BankAccount, ChangeRecord, LedgerEntry, RatioChange, RatioReduction, Unit,
)
from core.queries.parts import (
    BUSINESS_NO, BUSINESS_NO_COLUMN, DONE_ON, OPERATOR_COLUMN, business_no, decimal, field_rows, link,
    with_handler,
)
from core.queries.types import QueryColumn as C, QueryFilter as F, RecordQuery

MENU = ("查询",)
BUSINESS_TYPES = tuple(CollectionType.choices())

# --- 单位登记信息变更记录 (缴存单位流水) ------------------------------------------------------

#: the unit's registration fields a change record may hold
UNIT_FIELDS = (("name", "单位名称"), ("credit_code", "统一社会信用代码"), ("address", "单位地址"),
               ("postcode", "邮政编码"), ("legal_rep", "法定代表人"), ("contact_name", "联系人"),
               ("contact_phone", "联系电话"))


def unit_info_changes_source(unit_id: int, values: Mapping[str, str]):
    cr = ChangeRecord
    fields = field_rows(dict(UNIT_FIELDS), (cr.entity == "unit", cr.action == "info_change", cr.unit_id == unit_id),
                        lambda cr: [cr.id, cr.unit_id, cr.created_at, cr.application_id, cr.actor])
    query = select(fields.c.id, fields.c.unit_id, fields.c.created_at, fields.c.field, fields.c.old, fields.c.new,
                   fields.c.application_id, business_no(fields.c.application_id))
    return with_handler(query, fields.c.application_id, fields.c.actor)


UNIT_INFO_CHANGES = RecordQuery(
    code="unit_info_changes", title="单位登记信息变更记录", menu_path=MENU, menu_order=110,
    description="单位登记信息每一次变更的项目、变更前后的内容（单位缴存登记信息变更）",
    columns=(C("created_at", "变更时间", "datetime"), C("field", "变更项目", "code", labels=UNIT_FIELDS),
             C("old", "变更前"), C("new", "变更后"), BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(DONE_ON, F("field", "变更项目", "select", column="field", choices=UNIT_FIELDS), BUSINESS_NO,
             F("new", "变更后内容", column="new", match="contains")),
    order=("-created_at", "-id", "field"), source=unit_info_changes_source,
)


# --- 单位银行账户变更记录 (缴存单位银行卡记录流水), 单位银行账户 (缴存单位银行卡记录清册) -----------

BANK_ACTIONS = (("bank_account_register", "新增登记"), ("bank_account_change", "变更"),
                ("bank_account_deactivate", "注销"))
BANK_FIELDS = (("bank_name", "开户银行"), ("account_name", "账户名称"), ("account_no", "银行账号"))
BANK_STATES = (("active", "正常"), ("closed", "已注销"))


def _masked_card(value: Any) -> str:
    from core.web.display import mask_id

    return mask_id(str(value)) if value else "空"


def describe_bank_change(row: Mapping[str, Any]) -> str:
    """What a bank account change changed, in words (account numbers masked)."""
    before, after = row.get("before") or {}, row.get("after") or {}
    if not before:
        return "新增登记"
    parts = []
    for name, label in BANK_FIELDS:
        old, new = before.get(name), after.get(name)
        if old != new:
            shown = (_masked_card(old), _masked_card(new)) if name == "account_no" else (old or "空", new or "空")
            parts.append(f"{label}：{shown[0]}→{shown[1]}")
    if before.get("active") and not after.get("active"):
        parts.append("状态：正常→已注销")
    return "；".join(parts)


def bank_account_changes_source(unit_id: int, values: Mapping[str, str]):
    cr = ChangeRecord
    query = (select(cr.id, cr.unit_id, cr.created_at, cr.action, cr.after["bank_name"].as_string().label("bank_name"),
                    cr.after["account_name"].as_string().label("account_name"),
                    cr.after["account_no"].as_string().label("account_no"), cr.before, cr.after,
                    cr.application_id, business_no(cr.application_id))
             .where(cr.entity == "bank_account", cr.unit_id == unit_id,
                    cr.action.in_([code for code, _ in BANK_ACTIONS])))
    return with_handler(query, cr.application_id, cr.actor)


BANK_ACCOUNT_CHANGES = RecordQuery(
    code="bank_account_changes", title="单位银行账户变更记录", menu_path=MENU, menu_order=120,
    description="单位银行账户的每一次登记、变更和注销（单位银行账户信息登记/变更）",
    columns=(C("created_at", "办理时间", "datetime"), C("action", "业务类型", "code", labels=BANK_ACTIONS),
             C("bank_name", "开户银行"), C("account_name", "账户名称"), C("account_no", "银行账号", masked="id"),
             C("changes", "变更内容", compute=describe_bank_change), BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(DONE_ON, F("action", "业务类型", "select", column="action", choices=BANK_ACTIONS),
             F("account_no", "银行账号", column="account_no", masked="id"),
             F("bank_name", "开户银行", column="bank_name", match="contains"), BUSINESS_NO),
    # no 查看详情: a link would carry the whole bank account number in its address
    order=("-created_at", "-id"), source=bank_account_changes_source,
)


def bank_accounts_source(unit_id: int, values: Mapping[str, str]):
    ba = BankAccount
    state = case((ba.active.is_(True), literal("active", String())), else_=literal("closed", String()))
    return (select(ba.id, ba.unit_id, ba.bank_name, ba.account_name, ba.account_no, state.label("state"),
                   ba.created_at)
            .where(ba.unit_id == unit_id))


BANK_ACCOUNTS = RecordQuery(
    code="bank_accounts", title="单位银行账户", menu_path=MENU, menu_order=125,
    description="单位登记的银行账户及其状态（单位银行账户清册）",
    columns=(C("bank_name", "开户银行"), C("account_name", "账户名称"), C("account_no", "银行账号", masked="id"),
             C("state", "状态", "code", labels=BANK_STATES), C("created_at", "登记时间", "datetime")),
    filters=(F("state", "状态", "select", column="state", choices=BANK_STATES),
             F("bank_name", "开户银行", column="bank_name", match="contains"),
             F("account_no", "银行账号", column="account_no", masked="id"),
             F("created_at", "登记日期", "date_range", column="created_at")),
    order=("state", "-created_at", "-id"), source=bank_accounts_source,
)


# --- 缴存比例调整记录 (缴存单位缴存比例调整流水) -------------------------------------------------

RATIO_KINDS = (("adjust", "调整"), ("reduce", "降低"), ("restore", "恢复"))
RATIO_STATUSES = (("reviewed", "待生效"), ("used", "已生效"), ("cancelled", "已撤销"))
REDUCTION_ACTIONS = ("ratio_reduction", "ratio_restoration")


def ratio_changes_source(unit_id: int, values: Mapping[str, str]):
    """Every ratio change of the unit (``ratio_changes``): an adjustment, or the change a
    reduction (降低) or its restoration (恢复) made, told by the application that made it.
    The ratios before: a reduction's own; else the previous change's; else, for a change
    not yet applied, the unit's; else the change record of its application
    (``old_record``, read by the columns)."""
    rc, cr = RatioChange, ChangeRecord
    reduced, restored, previous = aliased(RatioReduction), aliased(RatioReduction), aliased(RatioChange)

    def before_previous(column):
        return (select(getattr(previous, column)).where(previous.unit_id == rc.unit_id, previous.id < rc.id,
                                                        previous.status != "cancelled")
                .order_by(previous.id.desc()).limit(1).scalar_subquery())

    def old(column: str):
        return type_coerce(case((reduced.id.isnot(None), getattr(reduced, f"previous_{column}")),
                                (restored.id.isnot(None), getattr(restored, column)),
                                else_=func.coalesce(before_previous(column),
                                                    case((rc.status == "reviewed", getattr(Unit, column))))),
                           Ratio()).label(f"old_{column}")

    same_application = and_(cr.application_id == rc.application_id, cr.unit_id == rc.unit_id, cr.entity == "unit")
    old_record = (select(cr.before).where(same_application, cr.action == "ratio_change")
                  .order_by(cr.id).limit(1).scalar_subquery())
    reason = (select(cr.after["reason"].as_string()).where(same_application, cr.action.in_(REDUCTION_ACTIONS))
              .order_by(cr.id).limit(1).scalar_subquery())
    kind = case((reduced.id.isnot(None), literal("reduce", String())),
                (restored.id.isnot(None), literal("restore", String())), else_=literal("adjust", String()))
    query = (select(rc.id, rc.unit_id, rc.created_at, kind.label("kind"), old("unit_ratio"), old("personal_ratio"),
                    rc.unit_ratio, rc.personal_ratio, rc.effective_month, reduced.to_month, reason.label("reason"),
                    rc.status, old_record.label("old_record"), rc.application_id, business_no(rc.application_id))
             .join(Unit, Unit.id == rc.unit_id)
             .outerjoin(reduced, and_(reduced.application_id == rc.application_id, reduced.unit_id == rc.unit_id))
             .outerjoin(restored, and_(restored.restored_by_application_id == rc.application_id,
                                       restored.unit_id == rc.unit_id))
             .where(rc.unit_id == unit_id))
    return with_handler(query, rc.application_id, rc.actor)


def _old_ratio(column: str):
    def compute(row: Mapping[str, Any]):
        value = row.get(f"old_{column}")
        return value if value is not None else decimal((row.get("old_record") or {}).get(column))
    return compute


RATIO_CHANGES = RecordQuery(
    code="ratio_changes", title="缴存比例调整记录", menu_path=MENU, menu_order=130,
    description="单位缴存比例的调整、降低与恢复：调整前后的比例和生效年月（缴存比例调整、降低/恢复）",
    columns=(C("created_at", "办理时间", "datetime"), C("kind", "类型", "code", labels=RATIO_KINDS),
             C("old_unit", "原单位比例", "ratio", compute=_old_ratio("unit_ratio")),
             C("old_personal", "原个人比例", "ratio", compute=_old_ratio("personal_ratio")),
             C("unit_ratio", "新单位比例", "ratio"), C("personal_ratio", "新个人比例", "ratio"),
             C("effective_month", "生效年月", "month"), C("to_month", "降低截止年月", "month"), C("reason", "原因"),
             C("status", "状态", "code", labels=RATIO_STATUSES), BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(F("kind", "类型", "select", column="kind", choices=RATIO_KINDS),
             F("effective_month", "生效年月", "month_range", column="effective_month"), DONE_ON,
             F("status", "状态", "select", column="status", choices=RATIO_STATUSES), BUSINESS_NO),
    order=("-created_at", "-id"), source=ratio_changes_source,
)


# --- 缴存证明开具记录 ----------------------------------------------------------------------

CERTIFICATE_SCOPES = (("unit", "单位缴存证明"), ("person", "个人缴存证明"))


def certificates_source(unit_id: int, values: Mapping[str, str]):
    cr = ChangeRecord
    after = cr.after
    query = (select(cr.id, cr.unit_id, cr.created_at, after["certificate_no"].as_string().label("certificate_no"),
                    after["scope"].as_string().label("scope"), after["account_no"].as_string().label("account_no"),
                    after["name"].as_string().label("name"), after["purpose"].as_string().label("purpose"),
                    cr.application_id, business_no(cr.application_id))
             .where(cr.action == "deposit_certificate", cr.unit_id == unit_id))
    return with_handler(query, cr.application_id, cr.actor)


CERTIFICATES = RecordQuery(
    code="certificates", title="缴存证明开具记录", menu_path=MENU, menu_order=140,
    description="单位和缴存人缴存证明的开具记录（缴存证明）",
    columns=(C("created_at", "开具时间", "datetime"), C("certificate_no", "证明编号"),
             C("scope", "证明范围", "code", labels=CERTIFICATE_SCOPES), C("account_no", "个人账号"), C("name", "姓名"),
             C("purpose", "用途"), BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(DONE_ON, F("scope", "证明范围", "select", column="scope", choices=CERTIFICATE_SCOPES),
             F("certificate_no", "证明编号", column="certificate_no"), F("account_no", "个人账号", column="account_no"),
             F("purpose", "用途", column="purpose", match="contains"), BUSINESS_NO),
    order=("-created_at", "-id"), source=certificates_source,
)


# --- 缴款记录 (缴存单位缴款记录流水) ------------------------------------------------------------

PAYMENT_KINDS = (("unit", "单位账户"), ("adjustment", "错缴调整"))


def unit_payments_source(unit_id: int, values: Mapping[str, str]):
    """The unit's own ledger (what came in and went out), and both legs of each
    mis-payment adjustment (错缴调整), which move money between two of its accounts and
    so leave the unit's ledger untouched."""
    le = LedgerEntry
    zero = literal(0, Money())
    income = type_coerce(case((le.amount > zero, le.amount), else_=zero), Money()).label("income")
    outgo = type_coerce(case((le.amount < zero, -le.amount), else_=zero), Money()).label("outgo")
    adjustments = select(ChangeRecord.after["flow_no"].as_string()).where(
        ChangeRecord.unit_id == unit_id, ChangeRecord.action == "mispayment_out")
    unit_lines = (select(le.id, le.unit_id, le.booked_on, le.flow_no, literal("unit", String()).label("kind"),
                         le.business_type, literal(None, String()).label("account_no"), le.summary, income, outgo,
                         le.application_id)
                  .where(le.kind == "unit", le.unit_id == unit_id))
    legs = (select(le.id, le.unit_id, le.booked_on, le.flow_no, literal("adjustment", String()),
                   le.business_type, Account.account_no, le.summary, income, outgo, le.application_id)
            .join(Account, Account.id == le.account_id)
            .where(le.kind == "account", le.unit_id == unit_id, le.flow_no.in_(adjustments)))
    return union_all(unit_lines, legs).subquery("payments").select()


UNIT_PAYMENTS = RecordQuery(
    code="unit_payments", title="单位缴款记录", menu_path=MENU, menu_order=150,
    description="单位账户的收入与支出，以及错缴调整的转出、转入两笔记录（错缴调整）",
    columns=(C("booked_on", "记账日期", "date"), C("flow_no", "业务流水号"),
             C("kind", "记录类型", "code", labels=PAYMENT_KINDS),
             C("business_type", "业务类型", "code", labels=BUSINESS_TYPES), C("account_no", "个人账号"),
             C("summary", "摘要"), C("income", "收入金额(元)", "money"), C("outgo", "支出金额(元)", "money")),
    filters=(F("booked_on", "记账日期", "date_range", column="booked_on"),
             F("kind", "记录类型", "select", column="kind", choices=PAYMENT_KINDS),
             F("business_type", "业务类型", "select", column="business_type", choices=BUSINESS_TYPES),
             F("flow_no", "业务流水号", column="flow_no"), F("account_no", "个人账号", column="account_no"),
             F("summary", "摘要", column="summary", match="contains")),
    order=("-booked_on", "-id"), totals=("income", "outgo"), source=unit_payments_source,
    detail=lambda row: link("account_ledger", flow_no=row.get("flow_no")),
)

UNIT_RECORD_QUERIES = (UNIT_INFO_CHANGES, BANK_ACCOUNT_CHANGES, BANK_ACCOUNTS, RATIO_CHANGES, CERTIFICATES,
                       UNIT_PAYMENTS)
