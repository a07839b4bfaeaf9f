"""Books: the engine's handle on one centre's database for one operation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contract import DepositPolicy, Operation
from core.money import months
from core.money.errors import BusinessError, RuleViolations
from core.models import Account, Unit


@dataclass
class Books:
    """Who does what, on which day, in which centre's database.

    ``runtime`` is the centre's :class:`core.runtime.CentreRuntime` (hooks, policy);
    ``today`` is the business date (injectable so tests and back-dated counter work are
    exact); ``actor`` is written into every change record ("operator:12", "clerk:3").
    """

    db: Session
    runtime: Any
    actor: str
    today: date
    application_id: int | None = None

    @property
    def centre(self):
        return self.runtime.centre

    def policy(self, month: str | None = None) -> DepositPolicy:
        year = months.fund_year(month) if month else months.fund_year_of(self.today)
        return self.runtime.policy(year)

    def check(self, kind: str, *, unit_id: int | None = None, account_id: int | None = None,
              **values: Any) -> None:
        """Ask every plugin's rules about an operation; raise if any refuses it."""
        operation = Operation(kind=kind, unit_id=unit_id, account_id=account_id, today=self.today,
                              values=values)
        found = [v for result in self.runtime.hook.opengjj_operation_rules(
            centre=self.centre, db=self.db, operation=operation) for v in result or ()]
        if found:
            raise RuleViolations(sorted(found, key=lambda v: v.sort_key()))

    def lock_unit(self, unit_id: int) -> Unit:
        """Load the unit under a row lock: money operations on one unit run one at a time."""
        unit = self.db.scalars(select(Unit).where(Unit.id == unit_id).with_for_update()
                                   .execution_options(populate_existing=True)).one_or_none()
        if unit is None:
            raise BusinessError("单位不存在", field="unit_id")
        return unit

    def lock_account(self, account_id: int) -> Account:
        account = self.db.scalars(select(Account).where(Account.id == account_id).with_for_update()
                                   .execution_options(populate_existing=True)).one_or_none()
        if account is None:
            raise BusinessError("个人账户不存在", field="account_no")
        return account
