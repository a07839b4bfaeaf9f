"""Declarative base, constraint naming and the exact decimal column types."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, BigInteger, MetaData, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so alembic migrations can drop and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ScaledDecimal(TypeDecorator):
    """An exact decimal: NUMERIC(precision, scale) on PostgreSQL.

    SQLite has no exact decimal (NUMERIC affinity stores REAL), so there the value is
    kept as an integer of the smallest unit (fen for money), which keeps ``SUM`` exact.
    Python always sees ``Decimal``; a float is refused rather than silently rounded.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money and ratios are Decimal, never float")
        value = Decimal(value)
        exact = value.quantize(self.quantum)
        if exact != value:
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(exact.scaleb(self.scale)) if dialect.name == "sqlite" else exact

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)


def Money() -> ScaledDecimal:
    """Yuan with two decimals (分)."""
    return ScaledDecimal(18, 2)


def Ratio() -> ScaledDecimal:
    """A deposit ratio such as 0.1200."""
    return ScaledDecimal(6, 4)


JSONType = JSON().with_variant(JSONB(), "postgresql")
