"""Standard items about deposits (缴存业务) and the consultation item (咨询建议).

汇缴 (with its three exported 清册), 补缴, 取消核定, 错缴调整 (a 清册), 超龄缴存登记,
缴存证明 and 咨询建议. The effects call the money engine (:mod:`core.money.remittance`,
:mod:`core.money.supplement`, :mod:`core.money.adjustments`), which locks the unit,
checks the rules and posts the ledger; a refused 清册 line is reported with its 1-based row and field, and the whole
application is refused.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import colander
from sqlalchemy import func, select

from core.codes import AccountState, ApplicationStatus, CollectionType
from core.contract import INSTANT, ONE_REVIEW, ApprovalChain, BusinessItem, Notification, Step, Violation
from core.db.meta import Money
from core.items import fields, lookups, remittance_lists
from core.models import (
    Account, Application, HistoryEntry, OverAgeRegistration, Person, RemittanceVerification, Supplement, Unit,
)
from core.models._columns import utcnow
from core.money import adjustments, months, remittance, supplement
from core.money.errors import BusinessError, ConcurrentChange, RuleViolations
from core.money.ledger import ZERO, next_number
from core.money.records import record_change
from core.money.validation import age_on

MENU = ("缴存业务",)
CONSULTATION_MENU = ("咨询建议",)
OTHER = CollectionType.OTHER.value
COMPLETED = ApplicationStatus.COMPLETED.value


def _blank(value: Any) -> bool:
    return value in (None, colander.null) or not str(value).strip()


def _total(column):
    """SUM of a money column, exact on both databases."""
    return func.coalesce(func.sum(column), 0).cast(Money())


def _refuse(found: list[Violation]) -> None:
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))


def _renamed(refusal: BusinessError, names: dict[str, str]) -> RuleViolations:
    """The refusal with the engine's field names turned into the form's."""
    return RuleViolations([replace(v, field=names.get(v.field, v.field)) for v in refusal.violations])


# --- 汇缴 ------------------------------------------------------------------------------------

class RemittanceSchema(colander.Schema):
    month = fields.month("起始核定年月")
    count = fields.integer("核定月数", minimum=1, maximum=12)


def remittance_initial(db, unit: Unit) -> dict[str, Any]:
    """The month after the unit's last paid or verified month, one month."""
    verified = db.scalar(select(func.max(RemittanceVerification.month)).where(
        RemittanceVerification.unit_id == unit.id, RemittanceVerification.status != "cancelled"))
    latest = max(filter(None, (unit.paid_to, verified)), default=None)
    return {"month": months.following(latest) if latest else months.of(date.today()), "count": 1}


def verify_remittance(books, application: Application, values: dict, rows: list[dict]) -> dict:
    verified = remittance.verify(books, application.unit_id, values["count"], month=values["month"])
    return {"batch_no": verified[0].batch_no, "months": [v.month for v in verified],
            "amount": str(sum((v.amount for v in verified), ZERO)), "headcount": str(verified[0].headcount)}


# --- 补缴 ------------------------------------------------------------------------------------

SUPPLEMENT_KINDS = (("by_month", "按月补缴"), ("free", "不定额补缴"))


class SupplementSchema(colander.Schema):
    kind = fields.select("补缴类型", SUPPLEMENT_KINDS)
    reason = fields.text("补缴原因", max_length=100)


class SupplementRow(colander.Schema):
    account_no = fields.account_no()
    month = fields.month("补缴年月", missing=None)
    amount = fields.money("补缴金额", missing=None)


def supplement_persons(db, unit) -> list[dict]:
    """获取单位缴存人: the unit's normal accounts paid to an earlier month than the unit
    (all its normal accounts when the unit has paid nothing yet), from the month after."""
    query = select(Account).where(Account.unit_id == unit.id, Account.state == AccountState.NORMAL.value)
    if unit.paid_to:
        query = query.where((Account.paid_to.is_(None)) | (Account.paid_to < unit.paid_to))
    return [{"account_no": account.account_no, "month": months.following(account.paid_to) or "", "amount": ""}
            for account in db.scalars(query.order_by(Account.account_no))]


def _supplement_lines(books, unit_id: int, kind: str, rows: list[dict]) -> list[tuple]:
    """The engine's lines for the 清册, every row's problems reported together."""
    found: list[Violation] = []
    lines: list[tuple] = []
    for n, row in enumerate(rows, start=1):
        try:
            account = lookups.account_in_unit(books.db, unit_id, row.get("account_no"), row=n)
        except BusinessError as refusal:
            found += refusal.violations
            continue
        if kind == "by_month":
            if row.get("amount") is not None:
                found.append(Violation("按月补缴的金额由系统按缴存基数和比例计算，请勿填写", field="amount", row=n))
            if row.get("month") is None:
                found.append(Violation("按月补缴须填写补缴年月", field="month", row=n))
            lines.append((account.id, row.get("month")))
        else:
            if row.get("amount") is None:
                found.append(Violation("不定额补缴须填写补缴金额", field="amount", row=n))
            lines.append((account.id, row.get("amount"), row.get("month")))
    _refuse(found)
    return lines


def verify_supplement(books, application: Application, values: dict, rows: list[dict]) -> dict:
    kind, reason = values["kind"], values["reason"]
    lines = _supplement_lines(books, application.unit_id, kind, rows)
    verify = supplement.verify_by_month if kind == "by_month" else supplement.verify_free
    try:
        done = verify(books, application.unit_id, lines, reason)
    except ConcurrentChange:
        raise
    except BusinessError as refusal:
        raise _renamed(refusal, {"account_id": "account_no", "lines": "rows"}) from None
    lookups.link_rows(application, {n: line[0] for n, line in enumerate(lines, start=1)})
    return {"batch_no": done.batch_no, "amount": str(done.amount), "headcount": str(done.headcount)}


# --- 取消核定 --------------------------------------------------------------------------------

def unpaid_batch_choices(db, unit) -> list[tuple[str, str]]:
    """The unit's verified but unpaid remittance and supplement batches, as select options."""
    if db is None or unit is None or getattr(unit, "id", None) is None:
        return []
    batches = db.execute(select(RemittanceVerification.batch_no, func.min(RemittanceVerification.month),
                                func.max(RemittanceVerification.month), _total(RemittanceVerification.amount))
                         .where(RemittanceVerification.unit_id == unit.id,
                                RemittanceVerification.status == "verified")
                         .group_by(RemittanceVerification.batch_no)
                         .order_by(func.min(RemittanceVerification.month))).all()
    options = [(no, f"{no} 汇缴 {first}" + (f"至{last}" if last != first else "") + f" {Decimal(total)}元")
               for no, first, last, total in batches]
    supplements = db.execute(select(Supplement.batch_no, Supplement.kind, Supplement.amount)
                             .where(Supplement.unit_id == unit.id, Supplement.status == "verified")
                             .order_by(Supplement.id)).all()
    kinds = dict(SUPPLEMENT_KINDS)
    options += [(no, f"{no} {kinds.get(kind, '补缴')} {amount}元") for no, kind, amount in supplements]
    return options


class CancelVerificationSchema(colander.Schema):
    batch_no = fields.select("核定批次", [])

    def after_bind(self, node, kw) -> None:
        self["batch_no"] = fields.select("核定批次", unpaid_batch_choices(kw.get("db"), kw.get("unit")))


def cancel_verification(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db, batch_no, unit_id = books.db, values["batch_no"], application.unit_id
    is_remittance = db.scalar(select(RemittanceVerification.id).where(
        RemittanceVerification.batch_no == batch_no, RemittanceVerification.unit_id == unit_id).limit(1))
    if is_remittance is not None:
        cancelled = remittance.cancel(books, batch_no)
        return {"batch_no": batch_no, "cancelled": "汇缴核定", "months": [r.month for r in cancelled]}
    if db.scalar(select(Supplement.id).where(Supplement.batch_no == batch_no, Supplement.unit_id == unit_id)):
        cancelled = supplement.cancel(books, batch_no)
        return {"batch_no": batch_no, "cancelled": "补缴核定", "amount": str(cancelled.amount)}
    raise BusinessError(f"核定批次{batch_no}不存在或不属于本单位", field="batch_no")


# --- 错缴调整 --------------------------------------------------------------------------------

class MispaymentRow(colander.Schema):
    """One line of the 缴存人错缴调整清册."""

    from_account_no = fields.account_no("转出个人账号")
    to_account_no = fields.account_no("转入个人账号")
    amount = fields.money("调整金额")
    month = fields.month("错缴年月")
    reason = fields.text("调整原因", max_length=100)

    def validator(self, node, values) -> None:
        if str(values.get("from_account_no") or "").strip() == str(values.get("to_account_no") or "").strip():
            error = colander.Invalid(node)
            error["to_account_no"] = "转入个人账号不能与转出个人账号相同"
            raise error


def adjust_mispayments(books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Apply every line through the money engine (a flow number and a ledger line on
    each account per line); a refused line refuses the whole 清册, naming its row."""
    db, unit_id = books.db, application.unit_id

    def adjust(number: int, row: dict) -> adjustments.Adjustment:
        source = lookups.account_in_unit(db, unit_id, row["from_account_no"], row=number, field="from_account_no")
        target = lookups.account_in_unit(db, unit_id, row["to_account_no"], row=number, field="to_account_no")
        return adjustments.adjust_mispayment(books, source.id, target.id, amount=row["amount"],
                                             month=row["month"], reason=row["reason"])

    done = lookups.apply_rows(books, rows, adjust)
    return {"count": str(len(done)), "amount": str(sum((d.amount for d in done), ZERO)),
            "flow_no": "、".join(d.flow_no for d in done),
            "lines": [{"from_account_no": d.from_account_no, "to_account_no": d.to_account_no,
                       "amount": str(d.amount), "from_balance": str(d.from_balance),
                       "to_balance": str(d.to_balance)} for d in done]}


# --- 超龄缴存登记 ------------------------------------------------------------------------------

class OverAgeRow(colander.Schema):
    account_no = fields.account_no()
    until_month = fields.month("超龄缴存截止年月")


def _over_age_line(books, unit_id: int, n: int, row: dict, seen: dict[int, int]) -> Account:
    account = lookups.account_in_unit(books.db, unit_id, row.get("account_no"), row=n)
    if account.id in seen:
        raise BusinessError(f"个人账号{account.account_no}与第{seen[account.id]}行重复", field="account_no", row=n)
    seen[account.id] = n
    if account.state != AccountState.NORMAL.value:
        raise BusinessError(f"个人账户{account.account_no}不是正常状态，不能登记超龄缴存", field="account_no", row=n)
    if row["until_month"] < months.of(books.today):
        raise BusinessError(f"截止年月{row['until_month']}已过", field="until_month", row=n)
    person = books.db.get(Person, account.person_id)
    age = age_on(person.birth_date, books.today) if person.birth_date is not None else None
    books.check("over_age_registration", unit_id=unit_id, account_id=account.id, until_month=row["until_month"],
                birth_date=person.birth_date, gender=person.gender, age=age)
    return account


def register_over_age(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = books.lock_unit(application.unit_id)
    found: list[Violation] = []
    checked: list[tuple[Account, str]] = []
    seen: dict[int, int] = {}
    for n, row in enumerate(rows, start=1):
        try:
            checked.append((_over_age_line(books, unit.id, n, row, seen), row["until_month"]))
        except ConcurrentChange:
            raise
        except BusinessError as refusal:
            found += [replace(v, row=n if v.row is None else v.row) for v in refusal.violations]
    _refuse(found)
    now = utcnow()
    for account, until in checked:
        previous = db.scalars(select(OverAgeRegistration).where(OverAgeRegistration.account_id == account.id,
                                                                OverAgeRegistration.status == "active")).first()
        before = None
        if previous is not None:
            before = {"until_month": previous.until_month}
            previous.status, previous.ended_at = "ended", now
            db.flush()  # one active registration per account
        db.add(OverAgeRegistration(unit_id=unit.id, account_id=account.id, until_month=until, status="active",
                                   application_id=books.application_id, actor=books.actor))
        record_change(books, entity="account", entity_id=account.id, unit_id=unit.id, business_type=OTHER,
                      action="over_age_registration", before=before, after={"until_month": until})
    db.flush()
    lookups.link_rows(application, {n: account.id for n, (account, _) in enumerate(checked, start=1)})
    return {"count": str(len(checked))}


# --- 缴存证明 ---------------------------------------------------------------------------------

CERTIFICATE_SCOPES = (("unit", "单位缴存证明"), ("person", "个人缴存证明"))


class CertificateSchema(colander.Schema):
    scope = fields.select("证明类型", CERTIFICATE_SCOPES, default="unit")
    account_no = fields.account_no("个人账号", missing="")
    purpose = fields.text("用途", max_length=100)

    def validator(self, node, values) -> None:
        if values.get("scope") == "person" and _blank(values.get("account_no")):
            error = colander.Invalid(node)
            error["account_no"] = "个人缴存证明须填写个人账号"
            raise error


def _unit_figures(db, unit: Unit) -> dict[str, str]:
    headcount, monthly = db.execute(
        select(func.count(Account.id), _total(Account.monthly_amount))
        .where(Account.unit_id == unit.id, Account.state == AccountState.NORMAL.value)).one()
    return {"balance": str(unit.balance), "paid_to": unit.paid_to or "", "monthly_amount": str(monthly),
            "headcount": str(headcount)}


def _person_figures(db, account: Account) -> dict[str, str]:
    person = db.get(Person, account.person_id)
    return {"account_no": account.account_no, "name": person.name, "state": AccountState(account.state).label,
            "balance": str(account.balance), "paid_to": account.paid_to or "",
            "monthly_amount": str(account.monthly_amount)}


def issue_certificate(books, application: Application, values: dict, rows: list[dict]) -> dict:
    db = books.db
    unit = db.get(Unit, application.unit_id)
    if unit is None:
        raise BusinessError("单位不存在", field="unit_id")
    if values["scope"] == "person":
        if _blank(values.get("account_no")):
            raise BusinessError("个人缴存证明须填写个人账号", field="account_no")
        account = lookups.account_in_unit(db, unit.id, values["account_no"])
        figures, entity, entity_id = _person_figures(db, account), "account", account.id
    else:
        figures, entity, entity_id = _unit_figures(db, unit), "unit", unit.id
    number = f"ZM{books.today:%Y%m%d}{next_number(db, 'deposit_certificate'):06d}"
    result = {"certificate_no": number, "scope": values["scope"], "unit_no": unit.unit_no, "unit_name": unit.name,
              "purpose": values["purpose"], "issued_on": books.today.isoformat(), **figures}
    record_change(books, entity=entity, entity_id=entity_id, unit_id=unit.id, business_type=OTHER,
                  action="deposit_certificate", before=None, after=result)
    db.flush()
    return result


# --- 咨询建议 ---------------------------------------------------------------------------------

CONSULTATION_TYPES = (("policy", "政策咨询"), ("complaint", "业务投诉"), ("suggestion", "意见建议"))


class ConsultationSchema(colander.Schema):
    type = fields.select("咨询类型", CONSULTATION_TYPES)
    title = fields.text("标题", max_length=100)
    content = fields.text("内容", max_length=2000, textarea=True)


def answer_consultation(books, application: Application, values: dict, rows: list[dict]) -> None:
    """The clerk's opinion on the completing action is the answer, sent as a message
    (the engine writes that history row before it runs the effect)."""
    done = books.db.scalars(select(HistoryEntry).where(HistoryEntry.application_id == application.id,
                                                       HistoryEntry.to_status == COMPLETED)
                            .order_by(HistoryEntry.id.desc()).limit(1)).first()
    books.runtime.notify(books.db, Notification(
        event="consultation.answered", unit_id=application.unit_id,
        title=f"咨询建议答复：{values['title']}"[:200], body=(done.opinion if done else "") or "",
        application_id=application.id, operator_id=application.operator_id))


# --- the items -------------------------------------------------------------------------

#: a consultation is answered by the clerk's opinion, so approving needs one
ANSWERED = ApprovalChain((Step("first_review", "中心答复", requires_opinion=("approve",)),))

ITEMS: tuple[BusinessItem, ...] = (
    BusinessItem(code="remittance", title="汇缴", menu_path=MENU, chain=ONE_REVIEW, schema=RemittanceSchema,
                 effect=verify_remittance, initial=remittance_initial, exports=remittance_lists.EXPORTS,
                 collection_type=CollectionType.REMITTANCE.value, order=10,
                 description="按单位正常账户的月缴存额核定连续若干个月的汇缴金额，核定后按核定金额缴款。"),
    BusinessItem(code="supplement", title="补缴", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 schema=SupplementSchema, row_schema=SupplementRow, effect=verify_supplement,
                 fillers=(("获取单位缴存人", supplement_persons),),
                 collection_type=CollectionType.SUPPLEMENT.value, order=20,
                 description="为漏缴或少缴的职工补缴：按月补缴按缴存基数和比例计算金额，不定额补缴逐人填写金额。"),
    BusinessItem(code="cancel_verification", title="取消核定", menu_path=MENU, chain=INSTANT,
                 schema=CancelVerificationSchema, effect=cancel_verification, order=30,
                 description="取消尚未缴款的汇缴核定或补缴核定。"),
    BusinessItem(code="mispayment_adjustment", title="错缴调整", menu_path=MENU, chain=ONE_REVIEW,
                 kind="list", row_schema=MispaymentRow, effect=adjust_mispayments, collection_type=OTHER, order=40,
                 description="把错缴到本单位职工账户的金额调整到本单位另一名职工的账户，清册中每行一笔；"
                             "任一行有误则整批不调整。"),
    BusinessItem(code="over_age_registration", title="超龄缴存登记", menu_path=MENU, chain=ONE_REVIEW,
                 kind="list", row_schema=OverAgeRow, effect=register_over_age, collection_type=OTHER, order=50,
                 description="登记超过法定退休年龄仍继续缴存的职工及其缴存截止年月。"),
    BusinessItem(code="deposit_certificate", title="缴存证明", menu_path=MENU, chain=INSTANT,
                 schema=CertificateSchema, effect=issue_certificate, order=60,
                 description="开具单位或职工个人的住房公积金缴存证明。"),
    BusinessItem(code="consultation", title="咨询建议", menu_path=CONSULTATION_MENU, chain=ANSWERED,
                 schema=ConsultationSchema, effect=answer_consultation, order=10,
                 description="向中心提出政策咨询、业务投诉或意见建议，中心答复后在消息中查看。"),
)
