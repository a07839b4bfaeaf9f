"""Change records (变更记录) for the queries, and messages for the task centre."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.codes import CollectionType
from core.db.meta import Base, JSONType
from core.models._columns import code_check, created_at


class ChangeRecord(Base):
    """Who changed what on an entity, with the values before and after."""

    __tablename__ = "change_records"
    __table_args__ = (
        code_check("business_type", CollectionType),
        Index("ix_change_records_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))  # unit, account, person, operator, ...
    entity_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    business_type: Mapped[str] = mapped_column(String(2), default=CollectionType.OTHER.value)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    actor: Mapped[str] = mapped_column(String(100))  # "operator:12", "clerk:3", "system"
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    created_at: Mapped[datetime] = created_at()


class Message(Base):
    """A message or to-do of the hall's task centre (消息 / 待办)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(10), default="message")  # message | todo
    event: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class AuditEntry(Base):
    """One state change made through the web or a job: who, when, from where, what."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))  # "operator:12", "clerk:3", "system", "anonymous"
    actor_name: Mapped[str | None] = mapped_column(String(60))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(60))  # "login", "application.approve", ...
    entity: Mapped[str | None] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = created_at()
