"""One-time SMS codes (stored as keyed hashes only) and the development outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base
from core.models._columns import created_at


class SmsCode(Base):
    """A code sent (or, for details that match no operator, pretended sent) to a phone.

    ``code_hash`` is an HMAC of the code, never the code; a row also counts towards the
    rate limits of its phone and of the client address that asked for it.
    """

    __tablename__ = "sms_codes"
    __table_args__ = (
        Index("ix_sms_codes_phone_issued", "phone", "issued_at"),
        Index("ix_sms_codes_address_issued", "client_address", "issued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))  # "login", "reset", ...
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    client_address: Mapped[str | None] = mapped_column(String(45))


class OutboxMessage(Base):
    """A message the development ``outbox`` gateway 'sent': shown at /_outbox."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
