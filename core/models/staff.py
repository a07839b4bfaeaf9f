"""People who use the system: units' operators (经办人) and the centre's clerks (柜员)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.codes import IdType
from core.models._columns import code_check, created_at
from core.db.meta import Base, JSONType


class Operator(Base):
    __tablename__ = "operators"
    __table_args__ = (
        UniqueConstraint("unit_id", "login_name"),
        code_check("id_type", IdType),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    id_type: Mapped[str] = mapped_column(String(2), default=IdType.ID_CARD.value)
    id_no: Mapped[str] = mapped_column(String(30), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    login_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # may manage other operators
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: item codes of the home page's 常用功能, in the operator's order
    favourites: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = created_at()

    unit = relationship("Unit")


class Clerk(Base):
    """Centre staff at the counter; ``roles`` is a space-separated list of chain roles."""

    __tablename__ = "clerks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login_name: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    roles: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at()

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())
