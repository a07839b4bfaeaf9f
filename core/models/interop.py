"""The development 互联互通 registry: the records the ``registry`` look-up backend answers
from (the demo fills it; production points the service at the province's platform)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base
from core.models._columns import created_at


class InteropRecord(Base):
    """One registered enterprise (keyed by its credit code) or resident (keyed by ID number)."""

    __tablename__ = "interop_records"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint("kind IN ('enterprise', 'population')", name="kind_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40))  # credit code or resident ID number
    name: Mapped[str] = mapped_column(String(200), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
