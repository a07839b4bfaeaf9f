"""Units (缴存单位), their bank accounts and departments."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.codes import UnitState
from core.db.meta import Base, Ratio
from core.models._columns import code_check, created_at, money, month, month_check


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (code_check("state", UnitState), month_check("paid_to"),
                      {"postgresql_with": {"fillfactor": 50}})  # balances change every month (HOT updates)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    state: Mapped[str] = mapped_column(String(2), default=UnitState.NORMAL.value)
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    legal_rep: Mapped[str | None] = mapped_column(String(60))
    contact_name: Mapped[str | None] = mapped_column(String(60))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    unit_ratio: Mapped[Decimal] = mapped_column(Ratio(), default=Decimal("0.12"))
    personal_ratio: Mapped[Decimal] = mapped_column(Ratio(), default=Decimal("0.12"))
    paid_to: Mapped[str | None] = month()
    # Both derived from ledger entries; kept for fast reads and verified by `gjj check`.
    balance: Mapped[Decimal] = money()
    suspense: Mapped[Decimal] = money()
    opened_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()

    accounts = relationship("Account", back_populates="unit", lazy="raise_on_sql")
    bank_accounts = relationship("BankAccount", back_populates="unit", lazy="raise_on_sql")
    departments = relationship("Department", back_populates="unit", lazy="raise_on_sql")


class BankAccount(Base):
    """A unit's bank account (单位银行账户), used for direct debit and refunds."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    account_name: Mapped[str] = mapped_column(String(200))
    account_no: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at()

    unit = relationship("Unit", back_populates="bank_accounts")


class Department(Base):
    """A unit's internal department (部门); accounts may belong to one."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    created_at: Mapped[datetime] = created_at()

    unit = relationship("Unit", back_populates="departments")
