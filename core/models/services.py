"""A unit's service records: deferrals (缓缴), ratio reductions (降低缴存比例),
direct debit agreements (委托代扣协议) and over-age deposit registrations (超龄缴存登记).

Each is written by one business item's effect and never deleted: a record that stops
applying changes state (``ended``, ``restored``) so the history stays readable. Where a
unit or an account may have only one live record, a partial unique index is the
backstop against two applications completing at once.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base, Ratio
from core.models._columns import created_at, month, month_check


class Deferral(Base):
    """缓缴: the unit may pay the months ``from_month`` to ``to_month`` later."""

    __tablename__ = "deferrals"
    __table_args__ = (
        month_check("from_month"),
        month_check("to_month"),
        CheckConstraint("from_month <= to_month", name="period"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    from_month: Mapped[str] = month()
    to_month: Mapped[str] = month()
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="active")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()


class RatioReduction(Base):
    """降低缴存比例: a period of lower ratios, and the ratios to restore afterwards.

    ``active`` while the lower ratios apply; ``restored`` once a restoration (恢复) has
    put ``previous_unit_ratio`` / ``previous_personal_ratio`` back. A unit has at most
    one active reduction.
    """

    __tablename__ = "ratio_reductions"
    __table_args__ = (
        month_check("from_month"),
        month_check("to_month"),
        CheckConstraint("from_month <= to_month", name="period"),
        CheckConstraint("status IN ('active', 'restored')", name="status"),
        Index("uq_ratio_reductions_active_unit", "unit_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    unit_ratio: Mapped[Decimal] = mapped_column(Ratio())
    personal_ratio: Mapped[Decimal] = mapped_column(Ratio())
    previous_unit_ratio: Mapped[Decimal] = mapped_column(Ratio())
    previous_personal_ratio: Mapped[Decimal] = mapped_column(Ratio())
    from_month: Mapped[str] = month()
    to_month: Mapped[str] = month()
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="active")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    restored_by_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    restored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DirectDebitAgreement(Base):
    """委托代扣协议: the bank debits the unit's account on ``debit_day`` each month from
    ``start_month``. One active agreement per unit; a new one ends the previous."""

    __tablename__ = "direct_debit_agreements"
    __table_args__ = (
        month_check("start_month"),
        month_check("end_month"),
        CheckConstraint("debit_day BETWEEN 1 AND 28", name="debit_day"),
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        Index("uq_direct_debit_agreements_active_unit", "unit_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_no: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    debit_day: Mapped[int] = mapped_column(Integer)
    start_month: Mapped[str] = month()
    end_month: Mapped[str | None] = month()
    status: Mapped[str] = mapped_column(String(10), default="active")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OverAgeRegistration(Base):
    """超龄缴存登记: an employee past retirement age keeps depositing until ``until_month``.
    One active registration per account; a new one ends the previous."""

    __tablename__ = "over_age_registrations"
    __table_args__ = (
        month_check("until_month"),
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        Index("uq_over_age_registrations_active_account", "account_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    until_month: Mapped[str] = month()
    status: Mapped[str] = mapped_column(String(10), default="active")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
