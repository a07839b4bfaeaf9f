"""UKey certificates registered at the counter, and the login challenges a card signs.

A unit has at most one live (unrevoked) certificate: the partial unique index is the
backstop against two clerks binding keys at once. A revoked row is kept, and its
fingerprint stays taken, so a revoked key can never be bound again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.meta import Base
from core.models._columns import utcnow

UKEY_ALGORITHMS = ("sm2", "p256")


class UKeyCertificate(Base):
    """The certificate (or bare public key) of a unit's UKey, as the centre issued it."""

    __tablename__ = "ukey_certificates"
    __table_args__ = (
        CheckConstraint("algorithm IN ('sm2', 'p256')", name="algorithm"),
        Index("uq_ukey_certificates_live_unit", "unit_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(8))
    #: the PEM as registered: a CERTIFICATE, or a PUBLIC KEY when the centre has no certificate
    material: Mapped[str] = mapped_column(Text)
    #: the uncompressed point 04||x||y, hex
    public_key: Mapped[str] = mapped_column(String(130))
    #: SHA-256 of algorithm and public key, hex: the key's identity whatever certificate carries it
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    not_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class LoginChallenge(Base):
    """A nonce the hall hands out for a card to sign; good once, for a short while."""

    __tablename__ = "login_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    address: Mapped[str | None] = mapped_column(String(45))
