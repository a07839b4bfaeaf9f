"""Column helpers shared by the model modules."""
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.orm import mapped_column

from core.db.meta import Money


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def created_at():
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def money(**kw):
    return mapped_column(Money(), default=Decimal("0.00"), nullable=False, **kw)


def month(**kw):
    """A business month, 'YYYY-MM' (lexical order is time order)."""
    return mapped_column(String(7), **kw)


def month_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} LIKE '____-__'", name=f"{column}_month")


def code_check(column: str, codes) -> CheckConstraint:
    values = ", ".join(f"'{c.value}'" for c in codes)
    return CheckConstraint(f"{column} IN ({values})", name=f"{column}_code")
