"""The ledger invariants ``gjj check`` verifies, as set-based SQL over a whole database.

1. An account's balance equals the sum of its ledger entries.
2. A unit's suspense equals the sum of its entries that belong to no account.
3. A unit's balance equals the sum of its accounts' balances plus its suspense.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.meta import Money
from core.models import Account, LedgerEntry, Unit

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Discrepancy:
    rule: str
    entity: str
    number: str
    recorded: Decimal
    expected: Decimal

    def __str__(self) -> str:
        return f"{self.rule}: {self.entity} {self.number} 记录 {self.recorded} ≠ 应为 {self.expected}"


def _sum(column):
    return func.coalesce(func.sum(column), 0).cast(Money())


def check_ledgers(db: Session) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    entries = (select(LedgerEntry.account_id, _sum(LedgerEntry.amount).label("total"))
               .where(LedgerEntry.account_id.is_not(None)).group_by(LedgerEntry.account_id).subquery())
    expected = func.coalesce(entries.c.total, 0).cast(Money())
    rows = db.execute(
        select(Account.account_no, Account.balance, expected)
        .outerjoin(entries, entries.c.account_id == Account.id)
        .where(Account.balance != expected)
        .order_by(Account.account_no))
    found += [Discrepancy("账户余额≠明细合计", "account", no, bal, exp) for no, bal, exp in rows]

    suspense = (select(LedgerEntry.unit_id, _sum(LedgerEntry.amount).label("total"))
                .where(LedgerEntry.account_id.is_(None)).group_by(LedgerEntry.unit_id).subquery())
    expected = func.coalesce(suspense.c.total, 0).cast(Money())
    rows = db.execute(
        select(Unit.unit_no, Unit.suspense, expected)
        .outerjoin(suspense, suspense.c.unit_id == Unit.id)
        .where(Unit.suspense != expected).order_by(Unit.unit_no))
    found += [Discrepancy("暂存款≠明细合计", "unit", no, rec, exp) for no, rec, exp in rows]

    accounts = (select(Account.unit_id, _sum(Account.balance).label("total"))
                .group_by(Account.unit_id).subquery())
    expected = (func.coalesce(accounts.c.total, 0) + Unit.suspense).cast(Money())
    rows = db.execute(
        select(Unit.unit_no, Unit.balance, expected)
        .outerjoin(accounts, accounts.c.unit_id == Unit.id)
        .where(Unit.balance != expected).order_by(Unit.unit_no))
    found += [Discrepancy("单位余额≠个人账户合计+暂存款", "unit", no, rec, exp) for no, rec, exp in rows]
    return found
