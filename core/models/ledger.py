"""Ledger entries (明细账): every movement of money, per unit and per account."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.codes import CollectionType
from core.db.meta import Base, Money
from core.models._columns import code_check, created_at, month, month_check


class LedgerEntry(Base):
    """One line of a ledger, with its flow number (业务流水号).

    An entry with ``account_id`` belongs to that account's ledger (and so to its unit's);
    one without it is the unit's own money, i.e. its suspense (暂存款). Amounts are signed:
    positive credits the account, negative debits it. Entries are never updated.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        code_check("business_type", CollectionType),
        month_check("month"),
        Index("ix_ledger_entries_account_booked", "account_id", "booked_on"),
        Index("ix_ledger_entries_unit_booked", "unit_id", "booked_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_no: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    business_type: Mapped[str] = mapped_column(String(2))
    amount: Mapped[Decimal] = mapped_column(Money())
    month: Mapped[str | None] = month()  # the deposit month it pays for, if any
    booked_on: Mapped[date] = mapped_column(Date)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    memo: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()
