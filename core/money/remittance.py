"""汇缴: remittance verification, payments (到账), suspense (暂存款) and annual verification.

Every service takes :class:`core.money.books.Books` and locks the unit first
(``books.lock_unit``), so two operations on one unit run one at a time; the partial
unique index on live (unit, month) verifications is the backstop.

Rules hook kinds (``opengjj_operation_rules``):

- ``verify_remittance``: values ``months`` (list of 'YYYY-MM') and ``count``;
- ``annual_verification``: values ``fund_year`` and ``bases`` (dict account id → base).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from sqlalchemy import and_, case, func, insert, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError

from core.codes import AccountState, CollectionType, UnitState
from core.contract import FEN, Violation
from core.db import mark_changed
from core.db.meta import Money
from core.models import (
    Account, ChangeRecord, Payment, RemittanceDetail, RemittanceVerification, Supplement, SupplementDetail, Unit,
)
from core.money import months
from core.money.errors import BusinessError, ConcurrentChange, RuleViolations
from core.money.ledger import ZERO, new_flow_no, next_number, post_accounts_bulk, post_suspense
from core.money.records import record_change

NORMAL = AccountState.NORMAL.value
REMITTANCE = CollectionType.REMITTANCE.value
SUPPLEMENT = CollectionType.SUPPLEMENT.value
BASE_ADJUSTMENT = CollectionType.BASE_ADJUSTMENT.value
SOURCES = ("counter", "bank_statement", "direct_debit")


@dataclass(frozen=True)
class MonthFigures:
    """One month of a verification (or of a trial): totals and the change from the month before."""

    month: str
    headcount: int
    amount: Decimal
    unit_amount: Decimal
    personal_amount: Decimal
    increase_heads: int = 0
    increase_amount: Decimal = ZERO
    decrease_heads: int = 0
    decrease_amount: Decimal = ZERO


@dataclass(frozen=True)
class Allocation:
    """What one payment paid: a verification batch, a supplement, or the unit's suspense."""

    payment_id: int | None
    target: str  # "remittance" | "supplement" | "suspense"
    batch_no: str | None
    amount: Decimal
    flow_no: str


@dataclass(frozen=True)
class AnnualVerification:
    """The result of one unit's 年度核定."""

    unit_id: int
    fund_year: int
    headcount: int
    monthly_total: Decimal
    changed: int


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _total(column):
    return func.coalesce(func.sum(column), 0).cast(Money())


# ----------------------------------------------------------------------------- figures


def _normal_lines(unit_id: int):
    """The unit's normal accounts as remittance lines (what a verification snapshots)."""
    return select(Account.id.label("account_id"), Account.base.label("base"),
                  Account.unit_amount.label("unit_amount"), Account.personal_amount.label("personal_amount"),
                  Account.monthly_amount.label("amount")).where(Account.unit_id == unit_id, Account.state == NORMAL)


def _detail_lines(verification_id: int):
    return select(RemittanceDetail.account_id.label("account_id"), RemittanceDetail.base.label("base"),
                  RemittanceDetail.unit_amount.label("unit_amount"),
                  RemittanceDetail.personal_amount.label("personal_amount"),
                  RemittanceDetail.amount.label("amount")).where(RemittanceDetail.verification_id == verification_id)


def _figures(db, month: str, current, previous) -> MonthFigures:
    """Totals of ``current`` lines, and increase/decrease against ``previous`` (None: no change)."""
    cur = current.subquery("cur")
    count, amount, unit_amount, personal_amount = db.execute(
        select(func.count(), _total(cur.c.amount), _total(cur.c.unit_amount), _total(cur.c.personal_amount))
        .select_from(cur)).one()
    figures = dict(month=month, headcount=int(count), amount=Decimal(amount), unit_amount=Decimal(unit_amount),
                   personal_amount=Decimal(personal_amount))
    if previous is None:
        return MonthFigures(**figures)
    prev = previous.subquery("prev")
    both = union_all(
        select(cur.c.account_id.label("account_id"), literal(1).label("is_cur"), literal(0).label("is_prev"),
               cur.c.amount.label("amount")),
        select(prev.c.account_id, literal(0), literal(1), (-prev.c.amount).label("amount")),
    ).subquery("both")
    per = (select(both.c.account_id, func.max(both.c.is_cur).label("is_cur"),
                  func.max(both.c.is_prev).label("is_prev"), func.sum(both.c.amount).label("diff"))
           .group_by(both.c.account_id).subquery("per"))
    zero = literal(ZERO, Money())
    inc_heads, dec_heads, inc_amount, dec_amount = db.execute(select(
        func.coalesce(func.sum(case((and_(per.c.is_cur == 1, per.c.is_prev == 0), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(per.c.is_cur == 0, per.c.is_prev == 1), 1), else_=0)), 0),
        _total(case((per.c.diff > zero, per.c.diff), else_=zero)),
        _total(case((per.c.diff < zero, per.c.diff), else_=zero)),
    )).one()
    return MonthFigures(**figures, increase_heads=int(inc_heads), increase_amount=Decimal(inc_amount),
                        decrease_heads=int(dec_heads), decrease_amount=-Decimal(dec_amount))


def _last_live(db, unit_id: int, before: str | None = None) -> RemittanceVerification | None:
    query = select(RemittanceVerification).where(RemittanceVerification.unit_id == unit_id,
                                                 RemittanceVerification.status != "cancelled")
    if before is not None:
        query = query.where(RemittanceVerification.month < before)
    return db.scalars(query.order_by(RemittanceVerification.month.desc()).limit(1)).first()


def _plan(books, unit: Unit, count: int, month: str | None) -> list[str]:
    """The months a verification of ``count`` months would cover, checked."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BusinessError("核定月数须为正整数", field="count")
    if unit.state in (UnitState.CLOSED.value, UnitState.SEALED.value):
        raise BusinessError(f"单位状态为{UnitState(unit.state).label}，不能汇缴核定", field="unit_id")
    last = _last_live(books.db, unit.id)
    latest = max(filter(None, (unit.paid_to, last.month if last else None)), default=None)
    first = months.following(latest) if latest else months.of(books.today)
    if month is not None and month != first:
        raise ConcurrentChange(f"核定月份应为{first}，{month}已核定或已缴存，请刷新后重试", field="month")
    policy = books.policy(first)
    limit = policy.max_months_per_verification
    if limit is not None and count > limit:
        raise BusinessError(f"核定月数不得超过{limit}个月", field="count")
    planned = months.span(first, count)
    books.check("verify_remittance", unit_id=unit.id, months=planned, count=count)
    return planned


def trial(books, unit_id: int, count: int = 1, *, month: str | None = None) -> list[MonthFigures]:
    """试算: the figures ``verify`` would fix for the next ``count`` months; nothing is saved."""
    unit = books.db.get(Unit, unit_id)
    if unit is None:
        raise BusinessError("单位不存在", field="unit_id")
    planned = _plan(books, unit, count, month)
    db = books.db
    previous = _last_live(db, unit.id, before=planned[0])
    result = []
    for i, m in enumerate(planned):
        if i == 0:
            prev = _detail_lines(previous.id) if previous is not None else None
            result.append(_figures(db, m, _normal_lines(unit.id), prev))
        else:  # the same accounts again: no change from the month before
            f = result[0]
            result.append(MonthFigures(month=m, headcount=f.headcount, amount=f.amount, unit_amount=f.unit_amount,
                                       personal_amount=f.personal_amount))
    return result


def verify(books, unit_id: int, count: int = 1, *, month: str | None = None) -> list[RemittanceVerification]:
    """汇缴核定: fix the next ``count`` months from the unit's normal accounts.

    The months follow the unit's last verified-or-paid month. ``month``, when given, is
    the first month the caller expects (the one its trial showed): if another operation
    verified it meanwhile, :class:`ConcurrentChange` is raised instead of verifying the
    month after. One batch number for all months of the call.
    """
    db = books.db
    unit = books.lock_unit(unit_id)
    planned = _plan(books, unit, count, month)
    batch_no = f"HJ{books.today:%Y%m%d}{next_number(db, 'remittance_batch'):06d}"
    rows = [RemittanceVerification(batch_no=batch_no, unit_id=unit.id, month=m, status="verified",
                                   application_id=books.application_id, actor=books.actor) for m in planned]
    db.add_all(rows)
    try:
        db.flush()
    except IntegrityError:
        raise ConcurrentChange("该月份已有有效的汇缴核定，请刷新后重试", field="month") from None
    for row in rows:
        lines = _normal_lines(unit.id).subquery("n")
        db.execute(insert(RemittanceDetail).from_select(
            ["verification_id", "account_id", "base", "unit_amount", "personal_amount", "amount"],
            select(literal(row.id), lines.c.account_id, lines.c.base, lines.c.unit_amount,
                   lines.c.personal_amount, lines.c.amount)))
    mark_changed(db)
    previous = _last_live(db, unit.id, before=planned[0])
    prev_id = previous.id if previous is not None else None
    for row in rows:
        f = _figures(db, row.month, _detail_lines(row.id), _detail_lines(prev_id) if prev_id else None)
        row.headcount, row.amount = f.headcount, f.amount
        row.unit_amount, row.personal_amount = f.unit_amount, f.personal_amount
        row.increase_heads, row.increase_amount = f.increase_heads, f.increase_amount
        row.decrease_heads, row.decrease_amount = f.decrease_heads, f.decrease_amount
        prev_id = row.id
    db.flush()
    return rows


def figures_of(verification: RemittanceVerification) -> MonthFigures:
    v = verification
    return MonthFigures(month=v.month, headcount=v.headcount, amount=v.amount, unit_amount=v.unit_amount,
                        personal_amount=v.personal_amount, increase_heads=v.increase_heads,
                        increase_amount=v.increase_amount, decrease_heads=v.decrease_heads,
                        decrease_amount=v.decrease_amount)


def _batch(db, batch_no: str, unit_id: int | None = None) -> list[RemittanceVerification]:
    query = select(RemittanceVerification).where(RemittanceVerification.batch_no == batch_no)
    if unit_id is not None:
        query = query.where(RemittanceVerification.unit_id == unit_id)
    return list(db.scalars(query.order_by(RemittanceVerification.month).execution_options(populate_existing=True)))


def cancel(books, batch_no: str) -> list[RemittanceVerification]:
    """取消核定: cancel an unpaid verification batch (the unit's latest)."""
    db = books.db
    rows = _batch(db, batch_no)
    if not rows:
        raise BusinessError(f"核定批次{batch_no}不存在", field="batch_no")
    unit = books.lock_unit(rows[0].unit_id)
    rows = _batch(db, batch_no, unit.id)  # again, under the lock
    if any(r.status == "paid" for r in rows):
        raise BusinessError("该核定已缴款，不能取消", field="batch_no")
    if all(r.status == "cancelled" for r in rows):
        raise BusinessError("该核定已取消", field="batch_no")
    last = _last_live(db, unit.id)
    if last is not None and last.month > rows[-1].month:
        raise BusinessError(f"只能取消最近一次核定（{last.batch_no}）", field="batch_no")
    now = _now()
    for row in rows:
        row.status, row.cancelled_at = "cancelled", now
    db.flush()
    return rows


# ----------------------------------------------------------------------------- payments


def _money(value: Any, field: str, label: str, row: int | None = None) -> Decimal:
    if isinstance(value, float):
        raise BusinessError(f"{label}须为精确的金额（不能是浮点数）", field=field, row=row)
    try:
        amount = Decimal(str(value).replace(",", "").strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise BusinessError(f"{label}不是有效的金额：{value}", field=field, row=row) from None
    if not amount.is_finite() or amount <= 0:
        raise BusinessError(f"{label}须大于0", field=field, row=row)
    if amount != amount.quantize(FEN):
        raise BusinessError(f"{label}最多两位小数", field=field, row=row)
    return amount.quantize(FEN)


def _day(value: Any, field: str, row: int | None = None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BusinessError(f"到账日期无效：{value}", field=field, row=row) from None


def _same_payment(existing: Payment, unit_id: int, amount: Decimal, row: int | None = None) -> Payment:
    if existing.unit_id != unit_id or existing.amount != amount:
        raise BusinessError(f"银行流水号{existing.reference}已登记为另一笔到账（金额{existing.amount}元），"
                            f"与本次的单位或金额不符", field="reference", row=row)
    return existing


def receive_payment(books, unit_id: int, amount: Decimal, *, source: str, reference: str,
                    received_on: date) -> Payment:
    """到账登记. Idempotent on (source, reference): the same line again returns the same
    payment; a different unit or amount under a known reference is refused."""
    if source not in SOURCES:
        raise BusinessError(f"到账来源无效：{source}", field="source")
    reference = (reference or "").strip()
    if not reference:
        raise BusinessError("银行流水号不能为空", field="reference")
    amount = _money(amount, "amount", "到账金额")
    received_on = _day(received_on, "received_on")
    db = books.db
    unit = books.lock_unit(unit_id)
    existing = db.scalars(select(Payment).where(Payment.source == source, Payment.reference == reference)).first()
    if existing is not None:
        return _same_payment(existing, unit.id, amount)
    payment = Payment(unit_id=unit.id, amount=amount, received_on=received_on, source=source, reference=reference,
                      status="received", actor=books.actor)
    db.add(payment)
    try:
        db.flush()
    except IntegrityError:
        raise ConcurrentChange(f"银行流水号{reference}正被同时登记，请重试", field="reference") from None
    return payment


def import_bank_statement(books, rows: Iterable[dict]) -> list[Payment]:
    """Import bank statement lines (dicts with unit_no, amount, reference, received_on).

    Every row is checked first; any error refuses the whole statement with each row's
    reason (rows numbered from 1), so nothing is half-written. Returns one payment per
    row (a line seen before returns its existing payment).
    """
    db = books.db
    rows = list(rows)
    if not rows:
        raise BusinessError("对账单没有数据", field="rows")
    found: list[Violation] = []
    parsed: list[tuple[int, str, Decimal, str, date]] = []
    for n, row in enumerate(rows, start=1):
        try:
            unit_no = str(row.get("unit_no") or "").strip()
            if not unit_no:
                raise BusinessError("单位账号不能为空", field="unit_no", row=n)
            amount = _money(row.get("amount"), "amount", "到账金额", row=n)
            reference = str(row.get("reference") or "").strip()
            if not reference:
                raise BusinessError("银行流水号不能为空", field="reference", row=n)
            received_on = _day(row.get("received_on"), "received_on", row=n)
        except BusinessError as error:
            found.append(Violation(error.message, field=error.field, row=n))
            continue
        parsed.append((n, unit_no, amount, reference, received_on))
    units = dict(db.execute(select(Unit.unit_no, Unit.id).where(Unit.unit_no.in_({p[1] for p in parsed}))).all())
    known = {p.reference: p for p in db.scalars(select(Payment).where(
        Payment.source == "bank_statement", Payment.reference.in_({p[3] for p in parsed})))}
    seen: dict[str, tuple[str, Decimal]] = {}
    for n, unit_no, amount, reference, _ in parsed:
        if unit_no not in units:
            found.append(Violation(f"单位账号{unit_no}不存在", field="unit_no", row=n))
            continue
        if reference in seen and seen[reference] != (unit_no, amount):
            found.append(Violation(f"银行流水号{reference}在对账单中重复且内容不同", field="reference", row=n))
        seen.setdefault(reference, (unit_no, amount))
        if reference in known:
            try:
                _same_payment(known[reference], units[unit_no], amount, row=n)
            except BusinessError as error:
                found.append(Violation(error.message, field=error.field, row=n))
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))
    for unit_id in sorted({units[p[1]] for p in parsed}):  # one lock order: no deadlocks
        books.lock_unit(unit_id)
    return [receive_payment(books, units[unit_no], amount, source="bank_statement", reference=reference,
                            received_on=received_on)
            for _, unit_no, amount, reference, received_on in parsed]


# ----------------------------------------------------------------------------- allocation


def _oldest_unpaid_batch(db, unit_id: int) -> tuple[str, Decimal] | None:
    row = db.execute(select(RemittanceVerification.batch_no, _total(RemittanceVerification.amount))
                     .where(RemittanceVerification.unit_id == unit_id, RemittanceVerification.status == "verified")
                     .group_by(RemittanceVerification.batch_no)
                     .order_by(func.min(RemittanceVerification.month)).limit(1)).first()
    return (row[0], Decimal(row[1])) if row else None


def _pay_batch(books, unit_id: int, batch_no: str, *, flow_no: str, payment_id: int | None) -> Decimal:
    """Credit every account of a verified batch, month by month, and advance paid_to."""
    db = books.db
    rows = _batch(db, batch_no, unit_id)
    plan = [(r.id, r.month) for r in rows if r.status == "verified"]
    if not plan or len(plan) != len(rows):
        raise BusinessError(f"核定批次{batch_no}不是待缴款状态", field="batch_no")
    total = ZERO
    for verification_id, month in plan:
        unit = db.get(Unit, unit_id)
        lines = select(RemittanceDetail.account_id.label("account_id"), RemittanceDetail.amount.label("amount")) \
            .where(RemittanceDetail.verification_id == verification_id)
        _, amount = post_accounts_bulk(books, unit, lines, business_type=REMITTANCE, summary=f"{month} 汇缴",
                                       flow_no=flow_no, month=month, paid_to=month)
        total += amount
    now = _now()
    db.execute(update(RemittanceVerification)
               .where(RemittanceVerification.id.in_([p[0] for p in plan]))
               .values(status="paid", payment_id=payment_id, flow_no=flow_no, paid_at=now)
               .execution_options(synchronize_session=False))
    mark_changed(db)
    db.expire_all()
    unit = db.get(Unit, unit_id)
    last = plan[-1][1]
    if unit.paid_to is None or unit.paid_to < last:
        unit.paid_to = last
    db.flush()
    return total


def _pay_supplement(books, unit_id: int, supplement: Supplement, *, flow_no: str, payment_id: int | None) -> Decimal:
    db = books.db
    supplement_id, batch_no = supplement.id, supplement.batch_no
    detail = SupplementDetail
    total = ZERO
    # One posting per month, so each line says which month it supplements (不定额 lines
    # without a month are posted together).
    for month in db.scalars(select(detail.month).where(detail.supplement_id == supplement_id)
                            .group_by(detail.month).order_by(detail.month)).all():
        lines = (select(detail.account_id.label("account_id"), func.sum(detail.amount).label("amount"))
                 .where(detail.supplement_id == supplement_id,
                        detail.month.is_(None) if month is None else detail.month == month)
                 .group_by(detail.account_id))
        _, amount = post_accounts_bulk(books, db.get(Unit, unit_id), lines, business_type=SUPPLEMENT,
                                       summary=f"{month + ' ' if month else ''}补缴 {batch_no}", flow_no=flow_no,
                                       month=month)
        total += amount
    supplement = db.get(Supplement, supplement_id)
    supplement.status, supplement.payment_id, supplement.flow_no, supplement.paid_at = (
        "paid", payment_id, flow_no, _now())
    db.flush()
    return total


def allocate(books, payment_id: int) -> Allocation:
    """分配到账: pay the unit's oldest unpaid verification batch when the amount equals
    its total; else an unpaid supplement of exactly that amount; else put the whole
    amount into the unit's suspense (暂存款). A payment is allocated once."""
    db = books.db
    payment = db.get(Payment, payment_id)
    if payment is None:
        raise BusinessError("到账记录不存在", field="payment_id")
    unit_id = payment.unit_id
    books.lock_unit(unit_id)
    payment = db.scalars(select(Payment).where(Payment.id == payment_id).with_for_update()
                         .execution_options(populate_existing=True)).one()
    if payment.status != "received":
        raise BusinessError("该笔到账已分配，不能重复分配", field="payment_id")
    amount = payment.amount
    flow_no = new_flow_no(db, books.today)
    payment.status, payment.flow_no = "allocated", flow_no
    batch = _oldest_unpaid_batch(db, unit_id)
    if batch is not None and batch[1] == amount:
        _pay_batch(books, unit_id, batch[0], flow_no=flow_no, payment_id=payment_id)
        return Allocation(payment_id, "remittance", batch[0], amount, flow_no)
    supplement = db.scalars(select(Supplement).where(
        Supplement.unit_id == unit_id, Supplement.status == "verified", Supplement.amount == amount)
        .order_by(Supplement.id).limit(1)).first()
    if supplement is not None:
        batch_no = supplement.batch_no
        _pay_supplement(books, unit_id, supplement, flow_no=flow_no, payment_id=payment_id)
        return Allocation(payment_id, "supplement", batch_no, amount, flow_no)
    payment.status = "suspense"
    post_suspense(books, db.get(Unit, unit_id), business_type=REMITTANCE, amount=amount,
                  summary="到账未匹配核定，转暂存款", flow_no=flow_no)
    db.flush()
    return Allocation(payment_id, "suspense", None, amount, flow_no)


def apply_suspense(books, unit_id: int, batch_no: str) -> Allocation:
    """暂存款冲抵: pay a verified batch (the unit's oldest unpaid one) from its suspense."""
    db = books.db
    unit = books.lock_unit(unit_id)
    rows = _batch(db, batch_no, unit_id)
    if not rows:
        raise BusinessError(f"核定批次{batch_no}不存在", field="batch_no")
    if any(r.status != "verified" for r in rows):
        raise BusinessError(f"核定批次{batch_no}不是待缴款状态", field="batch_no")
    oldest = _oldest_unpaid_batch(db, unit_id)
    if oldest is not None and oldest[0] != batch_no:
        raise BusinessError(f"须先缴清较早的核定批次{oldest[0]}", field="batch_no")
    total = sum((r.amount for r in rows), ZERO)
    if unit.suspense < total:
        raise BusinessError(f"暂存款余额{unit.suspense}元不足以支付核定金额{total}元", field="suspense")
    flow_no = new_flow_no(db, books.today)
    post_suspense(books, unit, business_type=REMITTANCE, amount=-total, summary=f"暂存款冲抵汇缴 {batch_no}",
                  flow_no=flow_no)
    _pay_batch(books, unit_id, batch_no, flow_no=flow_no, payment_id=None)
    return Allocation(None, "remittance", batch_no, total, flow_no)


# ----------------------------------------------------------------------------- annual verification

ANNUAL_ACTION = "annual_verification"


def annual_done(db, unit_id: int, fund_year: int) -> bool:
    records = db.scalars(select(ChangeRecord.after).where(
        ChangeRecord.entity == "unit", ChangeRecord.entity_id == unit_id, ChangeRecord.action == ANNUAL_ACTION))
    return any((after or {}).get("fund_year") == fund_year for after in records)


def annual_verification(books, unit_id: int, fund_year: int,
                        bases: dict[int, Decimal] | None = None) -> AnnualVerification:
    """年度核定: once per fund year, after June is paid, give every normal account paid
    to June its new base (``bases[account_id]``, or its current base) and recompute its
    amounts by the new fund year's policy."""
    db = books.db
    unit = books.lock_unit(unit_id)
    june = f"{fund_year}-06"
    if annual_done(db, unit.id, fund_year):
        raise BusinessError(f"{fund_year}年度已办理年度核定", field="fund_year")
    if unit.paid_to is None or unit.paid_to < june:
        raise BusinessError(f"单位须缴至{june}后方可办理{fund_year}年度核定", field="paid_to")
    policy = books.policy(f"{fund_year}-07")
    bases = dict(bases or {})
    accounts = db.execute(select(Account.id, Account.account_no, Account.base, Account.unit_ratio,
                                 Account.personal_ratio, Account.unit_amount, Account.personal_amount,
                                 Account.monthly_amount)
                          .where(Account.unit_id == unit.id, Account.state == NORMAL, Account.paid_to >= june)
                          .order_by(Account.id)).all()
    by_id = {a.id: a for a in accounts}
    found: list[Violation] = []
    for account_id in bases:
        if account_id not in by_id:
            found.append(Violation(f"个人账户{account_id}不是本单位缴至{june}的正常账户", field="base"))
    cache: dict[tuple, tuple[Decimal, Decimal, Decimal]] = {}
    changes, records = [], []
    for a in accounts:
        base = bases.get(a.id, a.base)
        if isinstance(base, float) or not isinstance(base, (Decimal, int, str)):
            found.append(Violation(f"个人账户{a.account_no}的缴存基数须为精确金额", field="base"))
            continue
        try:
            base = Decimal(base)
        except InvalidOperation:
            found.append(Violation(f"个人账户{a.account_no}的缴存基数不是有效金额", field="base"))
            continue
        if base != base.quantize(Decimal("0.01")):
            found.append(Violation(f"个人账户{a.account_no}的缴存基数最多两位小数", field="base"))
            continue
        for v in policy.base_violations(base):
            found.append(Violation(f"个人账户{a.account_no}：{v.message}", field="base"))
        key = (base, a.unit_ratio, a.personal_ratio)
        if key not in cache:
            unit_part, personal_part = policy.monthly_parts(*key)
            cache[key] = (unit_part, personal_part, policy.monthly_amount(*key))
        unit_part, personal_part, monthly = cache[key]
        if (base, unit_part, personal_part, monthly) != (a.base, a.unit_amount, a.personal_amount,
                                                          a.monthly_amount):
            changes.append({"id": a.id, "base": base, "unit_amount": unit_part,
                            "personal_amount": personal_part, "monthly_amount": monthly})
            records.append({"entity": "account", "entity_id": a.id, "unit_id": unit.id,
                            "business_type": BASE_ADJUSTMENT, "action": ANNUAL_ACTION,
                            "before": {"base": str(a.base), "unit_amount": str(a.unit_amount),
                                       "personal_amount": str(a.personal_amount),
                                       "monthly_amount": str(a.monthly_amount)},
                            "after": {"fund_year": fund_year, "base": str(base), "unit_amount": str(unit_part),
                                      "personal_amount": str(personal_part), "monthly_amount": str(monthly)},
                            "actor": books.actor, "application_id": books.application_id})
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))
    books.check("annual_verification", unit_id=unit.id, fund_year=fund_year,
                bases={a.id: bases.get(a.id, a.base) for a in accounts})
    if changes:
        db.execute(update(Account), changes)  # bulk UPDATE by primary key (executemany)
        db.execute(insert(ChangeRecord), records)
        mark_changed(db)
        db.expire_all()
    total = sum((cache[(Decimal(bases.get(a.id, a.base)), a.unit_ratio, a.personal_ratio)][2] for a in accounts),
                ZERO)
    record_change(books, entity="unit", entity_id=unit_id, unit_id=unit_id, business_type=BASE_ADJUSTMENT,
                  action=ANNUAL_ACTION, before=None,
                  after={"fund_year": fund_year, "headcount": len(accounts), "monthly_total": str(total),
                         "changed": len(changes)})
    db.flush()
    return AnnualVerification(unit_id=unit_id, fund_year=fund_year, headcount=len(accounts), monthly_total=total,
                              changed=len(changes))
