"""补缴: back-payment by month (按月补缴) or of a free amount (不定额补缴).

A supplement is verified here and paid by :func:`core.money.remittance.allocate` when a
payment of exactly its amount arrives (business type 02; paid_to does not move).

Rules hook kind ``supplement``: values ``lines`` (list of dicts ``account_id``,
``month`` (or None), ``amount``) and ``fund_years`` (sorted list of the fund years the
lines' months fall in; today's fund year for lines without a month), and ``supplement_kind``
("by_month" or "free").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from core.codes import AccountState
from core.contract import FEN, Violation
from core.db.meta import Money
from core.models import Account, Person, Supplement, SupplementDetail, Unit
from core.money import months
from core.money.errors import BusinessError, RuleViolations
from core.money.ledger import ZERO, next_number

NORMAL = AccountState.NORMAL.value
SUPPLEMENTABLE = (AccountState.NORMAL.value, AccountState.SEALED.value)


@dataclass(frozen=True)
class Candidate:
    """A normal account paid to before its unit, and the months it misses."""

    account_id: int
    account_no: str
    name: str
    paid_to: str | None
    missing: tuple[str, ...]


def candidates(books, unit_id: int) -> list[Candidate]:
    """补缴候选: the unit's normal accounts whose paid_to is before the unit's."""
    db = books.db
    unit = db.get(Unit, unit_id)
    if unit is None:
        raise BusinessError("单位不存在", field="unit_id")
    if unit.paid_to is None:
        return []
    rows = db.execute(select(Account.id, Account.account_no, Person.name, Account.paid_to, Account.opened_on)
                      .join(Person, Person.id == Account.person_id)
                      .where(Account.unit_id == unit_id, Account.state == NORMAL,
                             or_(Account.paid_to.is_(None), Account.paid_to < unit.paid_to))
                      .order_by(Account.account_no)).all()
    result = []
    for account_id, account_no, name, paid_to, opened_on in rows:
        first = months.following(paid_to) if paid_to else (months.of(opened_on) if opened_on else unit.paid_to)
        result.append(Candidate(account_id, account_no, name, paid_to, tuple(months.between(first, unit.paid_to))))
    return result


def _accounts(db, unit_id: int, ids) -> dict[int, Account]:
    return {a.id: a for a in db.scalars(select(Account).where(Account.id.in_(set(ids)), Account.unit_id == unit_id))}


def _valid_month(value) -> bool:
    try:
        year, mon = months.parse(str(value))
    except ValueError:
        return False
    return len(str(value)) == 7 and 1900 <= year <= 9999 and 1 <= mon <= 12


def _save(books, unit_id: int, kind: str, reason: str, details: list[dict]) -> Supplement:
    db = books.db
    fund_years = sorted({months.fund_year(d["month"]) if d["month"] else months.fund_year_of(books.today)
                         for d in details})
    books.check("supplement", unit_id=unit_id, supplement_kind=kind, fund_years=fund_years,
                lines=[{"account_id": d["account_id"], "month": d["month"], "amount": d["amount"]} for d in details])
    total = sum((d["amount"] for d in details), ZERO)
    batch_no = f"BJ{books.today:%Y%m%d}{next_number(db, 'supplement_batch'):06d}"
    supplement = Supplement(batch_no=batch_no, unit_id=unit_id, kind=kind, status="verified",
                            reason=(reason or "")[:100], headcount=len({d["account_id"] for d in details}),
                            amount=total, application_id=books.application_id, actor=books.actor)
    db.add(supplement)
    db.flush()
    db.add_all(SupplementDetail(supplement_id=supplement.id, **d) for d in details)
    db.flush()
    return supplement


def _start(books, unit_id: int, lines, reason: str) -> Unit:
    unit = books.lock_unit(unit_id)
    if not lines:
        raise BusinessError("补缴清册不能为空", field="lines")
    if not (reason or "").strip():
        raise BusinessError("补缴原因不能为空", field="reason")
    return unit


def _supplementable(accounts: dict[int, Account], account_id: int, month, n: int,
                    found: list[Violation]) -> Account | None:
    """The line's account if it may be supplemented for ``month`` (None: month free), else
    None with the reason added to ``found``."""
    account = accounts.get(account_id)
    if account is None:
        found.append(Violation("个人账户不属于本单位", field="account_id", row=n))
    elif account.state not in SUPPLEMENTABLE:
        found.append(Violation(f"个人账户{account.account_no}状态不能补缴", field="account_id", row=n))
    elif month is not None and not _valid_month(month):
        found.append(Violation(f"补缴月份无效：{month}（应为YYYY-MM）", field="month", row=n))
    else:
        return account
    return None


def verify_by_month(books, unit_id: int, lines: list[tuple[int, str]], reason: str) -> Supplement:
    """按月补缴: one line per (account, month); each month's amount is the account's base
    and ratios under that month's fund-year policy."""
    db = books.db
    unit = _start(books, unit_id, lines, reason)
    accounts = _accounts(db, unit.id, (line[0] for line in lines))
    found: list[Violation] = []
    details, seen = [], set()
    for n, (account_id, month) in enumerate(lines, start=1):
        if month is None:
            found.append(Violation("补缴月份不能为空", field="month", row=n))
            continue
        account = _supplementable(accounts, account_id, month, n, found)
        if account is None:
            continue
        if (account_id, month) in seen:
            found.append(Violation(f"个人账户{account.account_no}的{month}重复", field="month", row=n))
            continue
        seen.add((account_id, month))
        policy = books.policy(month)
        unit_part, personal_part = policy.monthly_parts(account.base, account.unit_ratio, account.personal_ratio)
        amount = policy.monthly_amount(account.base, account.unit_ratio, account.personal_ratio)
        if amount <= 0:
            found.append(Violation(f"个人账户{account.account_no}的月缴存额为0，不能补缴", field="amount", row=n))
            continue
        details.append({"account_id": account_id, "month": month, "base": account.base,
                        "unit_amount": unit_part, "personal_amount": amount - unit_part, "amount": amount})
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))
    return _save(books, unit.id, "by_month", reason, details)


def verify_free(books, unit_id: int, lines: list[tuple[int, Decimal, str | None]], reason: str) -> Supplement:
    """不定额补缴: a free amount per account (and optionally the month it is for); the
    amount is split into unit and personal parts by the account's ratios."""
    db = books.db
    unit = _start(books, unit_id, lines, reason)
    accounts = _accounts(db, unit.id, (line[0] for line in lines))
    found: list[Violation] = []
    details = []
    for n, (account_id, amount, month) in enumerate(lines, start=1):
        account = _supplementable(accounts, account_id, month, n, found)
        if account is None:
            continue
        if isinstance(amount, float):
            found.append(Violation("补缴金额须为精确金额（不能是浮点数）", field="amount", row=n))
            continue
        try:
            amount = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            found.append(Violation(f"补缴金额无效：{amount}", field="amount", row=n))
            continue
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(FEN):
            found.append(Violation("补缴金额须大于0且最多两位小数", field="amount", row=n))
            continue
        ratios = account.unit_ratio + account.personal_ratio
        unit_part = (amount * account.unit_ratio / ratios).quantize(FEN, ROUND_HALF_UP) if ratios else amount
        details.append({"account_id": account_id, "month": month, "base": None, "unit_amount": unit_part,
                        "personal_amount": amount - unit_part, "amount": amount.quantize(FEN)})
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))
    return _save(books, unit.id, "free", reason, details)


def cancel(books, batch_no: str) -> Supplement:
    """取消补缴核定: only while unpaid."""
    db = books.db
    supplement = db.scalars(select(Supplement).where(Supplement.batch_no == batch_no)).first()
    if supplement is None:
        raise BusinessError(f"补缴批次{batch_no}不存在", field="batch_no")
    books.lock_unit(supplement.unit_id)
    db.refresh(supplement)
    if supplement.status == "paid":
        raise BusinessError("该补缴已缴款，不能取消", field="batch_no")
    if supplement.status == "cancelled":
        raise BusinessError("该补缴已取消", field="batch_no")
    supplement.status = "cancelled"
    db.flush()
    return supplement


def supplemented(db, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """Live (not cancelled) supplement amounts per (account, month)."""
    if not pairs:
        return {}
    ids = {a for a, _ in pairs}
    wanted = {m for _, m in pairs}
    rows = db.execute(select(SupplementDetail.account_id, SupplementDetail.month,
                             func.coalesce(func.sum(SupplementDetail.amount), 0).cast(Money()))
                      .join(Supplement, Supplement.id == SupplementDetail.supplement_id)
                      .where(Supplement.status != "cancelled", SupplementDetail.account_id.in_(ids),
                             SupplementDetail.month.in_(wanted))
                      .group_by(SupplementDetail.account_id, SupplementDetail.month)).all()
    return {(a, m): Decimal(t) for a, m, t in rows if (a, m) in pairs}
