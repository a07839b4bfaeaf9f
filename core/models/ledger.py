"""Ledger entries (明细账): every movement of money, and the flow-number counters."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.codes import CollectionType
from core.db.meta import Base
from core.models._columns import code_check, created_at, money, month, month_check

LEDGER_KINDS = ("account", "unit", "suspense")


class LedgerEntry(Base):
    """One line of one ledger, with its flow number (业务流水号).

    Three ledgers share the table, told apart by ``kind``:

    - ``account``: a person's account (``account_id`` set); the account's balance is the
      sum of its lines;
    - ``unit``: the unit's own ledger, one line per movement of the unit's money (all its
      accounts' lines of one flow, plus its suspense); the unit's balance is its sum;
    - ``suspense``: the unit's 暂存款; the unit's suspense is its sum.

    ``amount`` is principal and ``interest`` is interest, both signed (positive credits);
    ``balance_after`` is the ledger's balance after the line. Lines are never updated.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        code_check("business_type", CollectionType),
        month_check("month"),
        CheckConstraint("kind IN ('account', 'unit', 'suspense')", name="kind"),
        CheckConstraint("(kind = 'account') = (account_id IS NOT NULL)", name="account_kind"),
        Index("ix_ledger_entries_account_booked", "account_id", "booked_on"),
        Index("ix_ledger_entries_unit_kind_booked", "unit_id", "kind", "booked_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_no: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    business_type: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(String(200), default="")  # 摘要
    amount: Mapped[Decimal] = money()
    interest: Mapped[Decimal] = money()
    balance_after: Mapped[Decimal] = money()
    month: Mapped[str | None] = month()  # the deposit month it pays for, if any
    booked_on: Mapped[date] = mapped_column(Date)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    created_at: Mapped[datetime] = created_at()


class Counter(Base):
    """A named counter (flow numbers, verification numbers), incremented under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
