"""The development backend: answers from the centre's own ``interop_records`` table.

The demo fills it (every demo unit an enterprise, every demo person a resident, and a
few records to show each outcome); a test or a training centre may add rows. It reads
through its own connection, outside the request's transaction, as a remote platform
would: what it answers is what has been committed.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.centres import Centre
from core.interop.service import Enterprise, RecordLookup, Resident, normalise_name
from core.models import InteropRecord

_engines: OrderedDict[tuple, Engine] = OrderedDict()
_lock = threading.Lock()
_KEEP = 16  # centres served by one process, generously


def _engine(centre: Centre) -> Engine:
    """One small pool per centre database, shared by every request of the process."""
    from core.db import make_engine

    key = (centre.database_url, centre.schema)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = make_engine(centre, pool_size=2, max_overflow=3) \
                if not centre.database_url.startswith("sqlite") else make_engine(centre)
            while len(_engines) > _KEEP:
                _engines.popitem(last=False)[1].dispose()
        _engines.move_to_end(key)
        return engine


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def enterprise_of(record: InteropRecord) -> Enterprise:
    data = record.data or {}
    return Enterprise(credit_code=record.key, name=record.name, legal_rep=data.get("legal_rep", ""),
                      address=data.get("address", ""), established=_day(data.get("established")),
                      status=data.get("status", "存续"), kind=data.get("kind", ""),
                      registered_capital=data.get("registered_capital", ""), authority=data.get("authority", ""))


def resident_of(record: InteropRecord) -> Resident:
    data = record.data or {}
    return Resident(id_no=record.key, name=record.name, gender=data.get("gender", ""),
                    birth_date=_day(data.get("birth_date")), ethnicity=data.get("ethnicity", ""),
                    address=data.get("address", ""))


class RegistryLookup(RecordLookup):
    """``interop.backend = registry`` (the default)."""

    def __init__(self, centre: Centre, engine: Engine | None = None):
        self.centre = centre
        self._given_engine = engine

    @property
    def engine(self) -> Engine:
        return self._given_engine or _engine(self.centre)

    def _one(self, kind: str, *where) -> InteropRecord | None:
        with Session(self.engine) as db:
            return db.scalars(select(InteropRecord).where(InteropRecord.kind == kind, *where)
                              .order_by(InteropRecord.id).limit(1)).first()

    def find_enterprise(self, credit_code: str) -> Enterprise | None:
        record = self._one("enterprise", InteropRecord.key == credit_code)
        return enterprise_of(record) if record else None

    def find_enterprise_by_name(self, name: str) -> Enterprise | None:
        # As typed, or with the brackets the other width (names are registered either way).
        plain = normalise_name(name)
        spellings = {name, plain, plain.replace("(", "（").replace(")", "）")}
        record = self._one("enterprise", InteropRecord.name.in_(spellings))
        return enterprise_of(record) if record else None

    def find_resident(self, id_no: str) -> Resident | None:
        record = self._one("population", InteropRecord.key == id_no)
        return resident_of(record) if record else None
