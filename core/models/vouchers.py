"""Printed vouchers (凭证): one per application and layout, fixed (固化) as a material.

The ``code`` is the short code printed on the voucher and in its QR code; the public
page ``/v/{code}`` compares the stored PDF's SHA-256 with the one recorded here.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.meta import Base
from core.models._columns import created_at


class Voucher(Base):
    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'fixed', 'failed', 'superseded')", name="status_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    layout: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(100))
    #: pending (rendering as a job), fixed (stored, unchangeable), failed, or superseded
    #: (printed from a draft whose content changed since: kept for the record, no longer current)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: digest of the data printed, to tell whether a draft changed after printing
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    fixed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    material = relationship("Material")
