"""Self-service unit opening (自主开户, seed 001 ch. 13): a new unit's application.

A unit that has no account yet fills its data and its first operator on a public page;
the centre's first-review clerks approve it (the unit and its operator are created) or
return it with an opinion. The applicant follows it through an unguessable ``token``.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base
from core.models._columns import created_at


class RegistrationStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"pending": "待审核", "approved": "已通过", "returned": "已退回"}[self.value]


class UnitRegistration(Base):
    __tablename__ = "unit_registrations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'returned')", name="status_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the applicant's key to the status page (/register/{token})
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=RegistrationStatus.PENDING.value, index=True)
    # the unit
    unit_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(200))
    legal_rep: Mapped[str] = mapped_column(String(60))
    contact_name: Mapped[str] = mapped_column(String(60))
    contact_phone: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account_no: Mapped[str | None] = mapped_column(String(40))
    # the first operator (经办人), an administrator of the unit once approved
    operator_name: Mapped[str] = mapped_column(String(60))
    operator_id_no: Mapped[str] = mapped_column(String(30))
    operator_phone: Mapped[str] = mapped_column(String(20))
    login_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    # the centre's answer
    opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))  # "clerk:3"
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    client_addr: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = created_at()

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label
