"""Posting: the only way balances change. Each call writes the ledger lines and moves
the balances in the same transaction, so a balance always equals the sum of its lines.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from core.db import mark_changed
from core.db.meta import Money
from core.models import Account, Counter, LedgerEntry, Unit

ZERO = Decimal("0.00")


def next_number(db: Session, name: str, step: int = 1) -> int:
    """Increment a named counter under a row lock and return its new value."""
    counter = db.scalars(select(Counter).where(Counter.name == name).with_for_update()).one_or_none()
    if counter is None:
        counter = Counter(name=name, value=0)
        db.add(counter)
    counter.value += step
    db.flush()
    return counter.value


def new_flow_no(db: Session, day: date) -> str:
    """业务流水号: the date and a centre-wide sequence."""
    return f"{day:%Y%m%d}{next_number(db, 'flow'):010d}"


def post_account(books, account: Account, unit: Unit, *, business_type: str, amount: Decimal = ZERO,
                 interest: Decimal = ZERO, summary: str, flow_no: str, month: str | None = None) -> LedgerEntry:
    """Credit (or debit, when negative) one account; the unit's line is the caller's."""
    account.balance += amount + interest
    entry = LedgerEntry(flow_no=flow_no, kind="account", unit_id=unit.id, account_id=account.id,
                        business_type=business_type, summary=summary, amount=amount, interest=interest,
                        balance_after=account.balance, month=month, booked_on=books.today,
                        application_id=books.application_id)
    books.db.add(entry)
    return entry


def post_unit(books, unit: Unit, *, business_type: str, amount: Decimal = ZERO, interest: Decimal = ZERO,
              summary: str, flow_no: str, month: str | None = None) -> LedgerEntry:
    """The unit's own line for a movement of its money (its accounts' total, or suspense)."""
    unit.balance += amount + interest
    entry = LedgerEntry(flow_no=flow_no, kind="unit", unit_id=unit.id, account_id=None,
                        business_type=business_type, summary=summary, amount=amount, interest=interest,
                        balance_after=unit.balance, month=month, booked_on=books.today,
                        application_id=books.application_id)
    books.db.add(entry)
    return entry


def post_suspense(books, unit: Unit, *, business_type: str, amount: Decimal, summary: str,
                  flow_no: str) -> None:
    """Move money into (positive) or out of (negative) the unit's suspense, with the
    unit's own line: suspense is part of the unit's balance."""
    unit.suspense += amount
    books.db.add(LedgerEntry(flow_no=flow_no, kind="suspense", unit_id=unit.id, account_id=None,
                             business_type=business_type, summary=summary, amount=amount, interest=ZERO,
                             balance_after=unit.suspense, booked_on=books.today,
                             application_id=books.application_id))
    post_unit(books, unit, business_type=business_type, amount=amount, summary=summary, flow_no=flow_no)


def post_accounts_bulk(books, unit: Unit, lines, *, business_type: str, summary: str, flow_no: str,
                       month: str | None = None, interest: bool = False,
                       paid_to: str | None = None) -> tuple[int, Decimal]:
    """Credit many accounts of one unit by set-based SQL, then write the unit's line.

    ``lines`` is a selectable with columns ``account_id`` and ``amount`` (one row per
    account, no account twice). With ``interest=True`` the amounts are booked as interest.
    With ``paid_to`` each credited account's paid_to advances to that month (never back),
    in the same UPDATE as its balance. Returns (number of accounts, total).
    """
    db = books.db
    db.flush()
    lines = lines.subquery("lines") if hasattr(lines, "subquery") else lines
    amount_col = lines.c.amount.cast(Money())
    zero = literal(ZERO, Money())
    db.execute(insert(LedgerEntry).from_select(
        ["flow_no", "kind", "unit_id", "account_id", "business_type", "summary", "amount", "interest",
         "balance_after", "month", "booked_on", "application_id"],
        select(literal(flow_no), literal("account"), literal(unit.id), lines.c.account_id,
               literal(business_type), literal(summary),
               zero if interest else amount_col, amount_col if interest else zero,
               (Account.balance + amount_col).cast(Money()), literal(month), literal(books.today),
               literal(books.application_id))
        .join(Account, Account.id == lines.c.account_id)))
    values = {"balance": (Account.balance + amount_col).cast(Money())}
    if paid_to:
        values["paid_to"] = case((or_(Account.paid_to.is_(None), Account.paid_to < paid_to), literal(paid_to)),
                                 else_=Account.paid_to)
    # UPDATE ... FROM (PostgreSQL, SQLite >= 3.33): one join instead of a lookup per row.
    db.execute(update(Account).where(Account.id == lines.c.account_id).values(**values)
               .execution_options(synchronize_session=False))
    count, total = db.execute(select(func.count(), func.coalesce(func.sum(amount_col), 0).cast(Money()))
                              .select_from(lines)).one()
    total = Decimal(total)
    mark_changed(db)
    db.expire_all()  # the ORM's copies of the accounts are stale now
    unit = db.get(Unit, unit.id)
    if count:
        post_unit(books, unit, business_type=business_type, amount=ZERO if interest else total,
                  interest=total if interest else ZERO, summary=summary, flow_no=flow_no, month=month)
    return count, total
