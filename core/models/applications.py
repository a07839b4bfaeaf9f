"""Applications (业务申请), their rows (清册), history and materials."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.codes import ApplicationStatus
from core.db.meta import Base, JSONType
from core.models._columns import code_check, created_at, month, month_check


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        code_check("status", ApplicationStatus),
        month_check("business_month"),
        # A submit sent twice carries the same key and finds the first application.
        UniqueConstraint("unit_id", "submit_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(60), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.DRAFT.value, index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)  # index into the approval chain
    business_month: Mapped[str | None] = month()
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    submit_key: Mapped[str | None] = mapped_column(String(64))
    scan_serial: Mapped[str | None] = mapped_column(String(40), unique=True)  # 扫描流水号
    archive_no: Mapped[str | None] = mapped_column(String(40))  # 档案编号
    #: whether the item's chain has a counter review (交易进度查询's 是否复核)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    #: what the effect returned (a batch number, the accounts opened, ...)
    result: Mapped[dict | None] = mapped_column(JSONType)
    #: why an asynchronous run failed (交易进度查询 shows it; the rows carry their own)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    effect_applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
    # Optimistic locking: two clerks acting at once cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    rows = relationship("ApplicationRow", back_populates="application", order_by="ApplicationRow.row_no",
                        cascade="all, delete-orphan")
    history = relationship("HistoryEntry", back_populates="application", order_by="HistoryEntry.id",
                           cascade="all, delete-orphan")
    materials = relationship("Material", back_populates="application", cascade="all, delete-orphan")


class ApplicationRow(Base):
    """One line of an application's 清册."""

    __tablename__ = "application_rows"
    __table_args__ = (UniqueConstraint("application_id", "row_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    row_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    error: Mapped[str | None] = mapped_column(Text)

    application = relationship("Application", back_populates="rows")


class HistoryEntry(Base):
    """One transition of an application: who, in which role, did what, with what opinion."""

    __tablename__ = "application_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(45))  # the client's IP address
    created_at: Mapped[datetime] = created_at()

    application = relationship("Application", back_populates="history")


class Material(Base):
    """A stored document of an application, addressed by the SHA-256 of its content."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    material_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)  # 固化: a printed voucher, unchangeable
    created_at: Mapped[datetime] = created_at()

    application = relationship("Application", back_populates="materials")
