"""Remittance verifications, payments, supplements, ratio changes and interest runs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base, Money, Ratio
from core.models._columns import created_at, money, month, month_check


class RemittanceVerification(Base):
    """汇缴核定: what a unit owes for one month, fixed from its normal accounts.

    Several consecutive months verified together share a ``batch_no``. A month has at
    most one live (not cancelled) verification: the partial unique index makes the
    second of two concurrent verifications fail.
    """

    __tablename__ = "remittance_verifications"
    __table_args__ = (
        month_check("month"),
        CheckConstraint("status IN ('verified', 'paid', 'cancelled')", name="status"),
        Index("uq_remittance_verifications_live_month", "unit_id", "month", unique=True,
              sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    month: Mapped[str] = month()
    status: Mapped[str] = mapped_column(String(10), default="verified")
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = money()
    unit_amount: Mapped[Decimal] = money()
    personal_amount: Mapped[Decimal] = money()
    increase_heads: Mapped[int] = mapped_column(Integer, default=0)
    increase_amount: Mapped[Decimal] = money()
    decrease_heads: Mapped[int] = mapped_column(Integer, default=0)
    decrease_amount: Mapped[Decimal] = money()
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    flow_no: Mapped[str | None] = mapped_column(String(32))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RemittanceDetail(Base):
    """One account's line of a verified month: exactly what allocation will credit."""

    __tablename__ = "remittance_details"
    __table_args__ = (UniqueConstraint("verification_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign keys on purpose: the snapshot is written by one INSERT ... SELECT right
    # after its verification row, from the accounts themselves (so every id exists);
    # verifications and accounts are never deleted (they change state); and checking
    # 50,000 keys one row at a time was most of a verification's time on PostgreSQL.
    verification_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    base: Mapped[Decimal] = money()
    unit_amount: Mapped[Decimal] = money()
    personal_amount: Mapped[Decimal] = money()
    amount: Mapped[Decimal] = money()


class Payment(Base):
    """Money that arrived for a unit (到账): confirmed at the counter, from a bank
    statement or by direct debit. ``reference`` is the bank's flow number: the same
    statement line imported twice is one payment."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("source", "reference"),
        CheckConstraint("source IN ('counter', 'bank_statement', 'direct_debit')", name="source"),
        CheckConstraint("status IN ('received', 'allocated', 'suspense')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    amount: Mapped[Decimal] = money()
    received_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="received")
    flow_no: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()


class Supplement(Base):
    """补缴: by month (computed from base and ratios) or a free amount (不定额)."""

    __tablename__ = "supplements"
    __table_args__ = (
        CheckConstraint("kind IN ('by_month', 'free')", name="kind"),
        CheckConstraint("status IN ('verified', 'paid', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="verified")
    reason: Mapped[str] = mapped_column(String(100), default="")
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = money()
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    flow_no: Mapped[str | None] = mapped_column(String(32))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SupplementDetail(Base):
    __tablename__ = "supplement_details"
    __table_args__ = (month_check("month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplement_id: Mapped[int] = mapped_column(ForeignKey("supplements.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    month: Mapped[str | None] = month()
    base: Mapped[Decimal | None] = mapped_column(Money())
    unit_amount: Mapped[Decimal] = money()
    personal_amount: Mapped[Decimal] = money()
    amount: Mapped[Decimal] = money()


class RatioChange(Base):
    """A unit's ratio change with its effective month.

    ``reviewed`` (已复核) until it is applied to the accounts, then ``used`` (已使用); a
    centre whose policy says ``ratio_change_applies = with_base_adjustment`` (Kaifeng)
    keeps it reviewed until the next base adjustment uses it.
    """

    __tablename__ = "ratio_changes"
    __table_args__ = (
        month_check("effective_month"),
        CheckConstraint("status IN ('reviewed', 'used', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    unit_ratio: Mapped[Decimal] = mapped_column(Ratio())
    personal_ratio: Mapped[Decimal] = mapped_column(Ratio())
    effective_month: Mapped[str] = month()
    status: Mapped[str] = mapped_column(String(10), default="reviewed")
    actor: Mapped[str] = mapped_column(String(100))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[datetime] = created_at()
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InterestSettlement(Base):
    """One yearly interest run (年终结息) of a centre: at most one per fund year."""

    __tablename__ = "interest_settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_year: Mapped[int] = mapped_column(Integer, unique=True)
    settled_on: Mapped[date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(Ratio())
    basis_days: Mapped[int] = mapped_column(Integer)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    total_interest: Mapped[Decimal] = money()
    flow_no: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
