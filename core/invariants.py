"""The ledger invariants ``gjj check`` verifies, as set-based SQL over a whole centre.

1. An account's balance equals the sum of its ledger lines (principal and interest),
   and the balance after its latest line.
2. A unit's suspense equals the sum of its suspense lines.
3. A unit's balance equals the sum of its own ledger's lines.
4. A unit's balance equals the sum of its accounts' balances plus its suspense.
5. No account has a remittance line for a month after its paid_to, and no unit a paid
   verification after its paid_to.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.codes import CollectionType
from core.db.meta import Money
from core.models import Account, LedgerEntry, RemittanceVerification, Unit


@dataclass(frozen=True)
class Discrepancy:
    rule: str
    entity: str
    number: str
    recorded: object
    expected: object

    def __str__(self) -> str:
        return f"{self.rule}: {self.entity} {self.number} 记录 {self.recorded} ≠ 应为 {self.expected}"


def _total(column):
    return func.coalesce(func.sum(column), 0).cast(Money())


def _sums(kind: str, key):
    return (select(key.label("key"), _total(LedgerEntry.amount + LedgerEntry.interest).label("total"))
            .where(LedgerEntry.kind == kind).group_by(key).subquery())


def _compare(db: Session, rule: str, entity: str, number, recorded, sums, join_key) -> list[Discrepancy]:
    expected = func.coalesce(sums.c.total, 0).cast(Money())
    rows = db.execute(select(number, recorded, expected)
                      .outerjoin(sums, sums.c.key == join_key)
                      .where(recorded != expected).order_by(number))
    return [Discrepancy(rule, entity, n, r, Decimal(e)) for n, r, e in rows]


def check_ledgers(db: Session) -> list[Discrepancy]:
    found = _compare(db, "账户余额≠明细合计", "account", Account.account_no, Account.balance,
                     _sums("account", LedgerEntry.account_id), Account.id)
    found += _compare(db, "暂存款≠明细合计", "unit", Unit.unit_no, Unit.suspense,
                      _sums("suspense", LedgerEntry.unit_id), Unit.id)
    found += _compare(db, "单位余额≠单位明细合计", "unit", Unit.unit_no, Unit.balance,
                      _sums("unit", LedgerEntry.unit_id), Unit.id)

    latest = (select(LedgerEntry.account_id.label("account_id"), func.max(LedgerEntry.id).label("id"))
              .where(LedgerEntry.kind == "account").group_by(LedgerEntry.account_id).subquery())
    rows = db.execute(select(Account.account_no, Account.balance, LedgerEntry.balance_after)
                      .join(latest, latest.c.account_id == Account.id)
                      .join(LedgerEntry, LedgerEntry.id == latest.c.id)
                      .where(LedgerEntry.balance_after != Account.balance).order_by(Account.account_no))
    found += [Discrepancy("账户余额≠最后一笔明细的余额", "account", n, b, a) for n, b, a in rows]

    accounts = (select(Account.unit_id.label("key"), _total(Account.balance).label("total"))
                .group_by(Account.unit_id).subquery())
    expected = (func.coalesce(accounts.c.total, 0) + Unit.suspense).cast(Money())
    rows = db.execute(select(Unit.unit_no, Unit.balance, expected)
                      .outerjoin(accounts, accounts.c.key == Unit.id)
                      .where(Unit.balance != expected).order_by(Unit.unit_no))
    found += [Discrepancy("单位余额≠个人账户合计+暂存款", "unit", n, b, Decimal(e)) for n, b, e in rows]

    late = (select(LedgerEntry.account_id.label("key"), func.max(LedgerEntry.month).label("month"))
            .where(LedgerEntry.kind == "account", LedgerEntry.business_type == CollectionType.REMITTANCE.value,
                   LedgerEntry.month.is_not(None))
            .group_by(LedgerEntry.account_id).subquery())
    rows = db.execute(select(Account.account_no, Account.paid_to, late.c.month)
                      .join(late, late.c.key == Account.id)
                      .where(func.coalesce(Account.paid_to, "") < late.c.month).order_by(Account.account_no))
    found += [Discrepancy("缴至年月早于已汇缴月份", "account", n, p, m) for n, p, m in rows]
    paid = (select(RemittanceVerification.unit_id.label("key"), func.max(RemittanceVerification.month).label("month"))
            .where(RemittanceVerification.status == "paid").group_by(RemittanceVerification.unit_id).subquery())
    rows = db.execute(select(Unit.unit_no, Unit.paid_to, paid.c.month)
                      .join(paid, and_(paid.c.key == Unit.id))
                      .where(func.coalesce(Unit.paid_to, "") < paid.c.month).order_by(Unit.unit_no))
    found += [Discrepancy("缴至年月早于已到账核定月份", "unit", n, p, m) for n, p, m in rows]
    return found
