"""The development backend: messages are kept in a table the demo shows at /_outbox."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OutboxMessage

LATEST = 50


class OutboxGateway:
    """'Sends' by adding a row in the request's transaction (rolled back with it)."""

    def __init__(self, db: Session):
        self.db = db

    def send(self, phone: str, text: str) -> None:
        self.db.add(OutboxMessage(phone=phone, text=text))
        self.db.flush()


def outbox_gateway(request) -> OutboxGateway:
    return OutboxGateway(request.db)


def latest(db: Session, limit: int = LATEST) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def outbox_view(request) -> dict:
    """The demo's view of the outbox: the latest messages, newest first."""
    return {"messages": latest(request.db)}
