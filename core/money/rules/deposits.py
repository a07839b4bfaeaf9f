"""Ready-made rules about deposits (汇缴, 补缴) a city can return from
``opengjj_operation_rules``::

    @hookimpl
    def opengjj_operation_rules(centre, db, operation):
        return (deposits.supplement_current_fund_year_only(operation)
                + deposits.supplement_not_after_paid_to(operation, db))

Each returns a list of :class:`core.contract.Violation` (empty when the operation is
fine, or is not a supplement).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from sqlalchemy import func, select

from core.codes import CollectionType
from core.contract import DepositPolicy, Violation
from core.db.meta import Money
from core.models import LedgerEntry, RemittanceDetail, RemittanceVerification, Unit
from core.money import months


def _lines(operation) -> list[dict]:
    if operation.kind != "supplement":
        return []
    return list(operation.values.get("lines") or ())


def supplement_current_fund_year_only(operation) -> list[Violation]:
    """补缴只能补本年度: every month supplemented lies in today's fund year."""
    current = months.fund_year_of(operation.today)
    found = []
    for n, line in enumerate(_lines(operation), start=1):
        month = line.get("month")
        if month and months.fund_year(month) != current:
            found.append(Violation(f"只能补缴本年度（{current}年7月至{current + 1}年6月）的月份，{month}不在其内",
                                   field="month", row=n, code="supplement_fund_year"))
    return found


def supplement_not_after_paid_to(operation, db) -> list[Violation]:
    """补缴月份不得晚于单位缴至年月: later months are remitted, not supplemented."""
    lines = _lines(operation)
    if not lines:
        return []
    paid_to = db.scalar(select(Unit.paid_to).where(Unit.id == operation.unit_id))
    found = []
    for n, line in enumerate(lines, start=1):
        month = line.get("month")
        if month and (paid_to is None or month > paid_to):
            found.append(Violation(f"补缴月份{month}晚于单位缴至年月{paid_to or '（无）'}，请办理汇缴",
                                   field="month", row=n, code="supplement_after_paid_to"))
    return found


def supplement_within_monthly_cap(operation, db, policy: DepositPolicy | Callable[[int], DepositPolicy]
                                  ) -> list[Violation]:
    """月缴存额上限 (seed 003 §13.1): per account and month, what was remitted (posted
    remittance lines, plus verified but unpaid remittances) plus live supplements plus
    this supplement must not exceed the policy's ``monthly_cap``.

    ``policy`` is a :class:`DepositPolicy`, or ``policy(fund_year)`` giving one (a
    supplement may span fund years).
    """
    lines = [line for line in _lines(operation) if line.get("month")]
    if not lines:
        return []
    from core.money.supplement import supplemented

    def policy_of(month: str) -> DepositPolicy:
        return policy if isinstance(policy, DepositPolicy) else policy(months.fund_year(month))

    pairs = {(line["account_id"], line["month"]) for line in lines}
    ids, wanted = {a for a, _ in pairs}, {m for _, m in pairs}
    totals: dict[tuple[int, str], Decimal] = {pair: Decimal("0.00") for pair in pairs}
    posted = db.execute(select(LedgerEntry.account_id, LedgerEntry.month,
                               func.coalesce(func.sum(LedgerEntry.amount), 0).cast(Money()))
                        .where(LedgerEntry.kind == "account",
                               LedgerEntry.business_type == CollectionType.REMITTANCE.value,
                               LedgerEntry.account_id.in_(ids), LedgerEntry.month.in_(wanted))
                        .group_by(LedgerEntry.account_id, LedgerEntry.month))
    unpaid = db.execute(select(RemittanceDetail.account_id, RemittanceVerification.month,
                               func.coalesce(func.sum(RemittanceDetail.amount), 0).cast(Money()))
                        .join(RemittanceVerification, RemittanceVerification.id == RemittanceDetail.verification_id)
                        .where(RemittanceVerification.status == "verified", RemittanceDetail.account_id.in_(ids),
                               RemittanceVerification.month.in_(wanted))
                        .group_by(RemittanceDetail.account_id, RemittanceVerification.month))
    for account_id, month, amount in [*posted, *unpaid]:
        if (account_id, month) in totals:
            totals[(account_id, month)] += Decimal(amount)
    for pair, amount in supplemented(db, pairs).items():
        totals[pair] += amount
    found = []
    for n, line in enumerate(operation.values.get("lines") or (), start=1):
        month = line.get("month")
        if not month:
            continue
        pair = (line["account_id"], month)
        totals[pair] += Decimal(line["amount"])
        cap = policy_of(month).monthly_cap
        if cap is not None and totals[pair] > cap:
            found.append(Violation(f"{month}月缴存额（汇缴与补缴合计{totals[pair]}元）超过月缴存额上限{cap}元",
                                   field="amount", row=n, code="monthly_cap"))
    return found
