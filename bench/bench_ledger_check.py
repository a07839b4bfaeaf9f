"""`gjj check` (the ledger invariants) over a large centre on PostgreSQL.

Builds N accounts with 12 monthly entries each by set-based SQL, then times the check.
Prints figures; asserts nothing. Needs PostgreSQL (OPENGJJ_TEST_DATABASE_URL).
"""
from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.centres import Centre  # noqa: E402
from core.db import make_engine, make_sessionmaker, session_scope  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.invariants import check_ledgers  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100000"))
SERVER = os.environ.get("OPENGJJ_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

FILL = """
INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, balance, suspense, created_at)
SELECT u, 'U' || u, '单位' || u, '01', 0.12, 0.12, 0, 0, now() FROM generate_series(1, :units) u;
INSERT INTO persons (id, name, id_type, id_no, created_at)
SELECT p, '职工' || p, '01', 'P' || p, now() FROM generate_series(1, :accounts) p;
INSERT INTO accounts (id, account_no, person_id, unit_id, state, base, unit_ratio, personal_ratio,
                      unit_amount, personal_amount, monthly_amount, balance, paid_to, created_at)
SELECT a, 'A' || a, a, 1 + a % :units, '01', 5000, 0.12, 0.12, 600, 600, 1200, 14400, '2026-10', now()
FROM generate_series(1, :accounts) a;
INSERT INTO ledger_entries (flow_no, unit_id, account_id, business_type, amount, month, booked_on, created_at)
SELECT 'F' || m || '-' || (1 + a % :units), 1 + a % :units, a, '01', 1200,
       to_char(date '2025-11-01' + (m || ' month')::interval, 'YYYY-MM'), date '2026-10-15', now()
FROM generate_series(1, :accounts) a, generate_series(0, 11) m;
UPDATE units SET balance = s.total FROM (
  SELECT unit_id, sum(balance) total FROM accounts GROUP BY unit_id) s WHERE s.unit_id = units.id;
"""


def main() -> None:
    name = f"opengjj_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        centre = Centre(name="bench", title="bench", city="none",
                        database_url=make_url(SERVER).set(database=name).render_as_string(hide_password=False))
        engine = make_engine(centre)
        upgrade(centre, engine)
        units = max(1, ACCOUNTS // 200)
        start = time.perf_counter()
        with engine.begin() as conn:
            for statement in filter(str.strip, FILL.split(";")):
                conn.execute(text(statement), {"units": units, "accounts": ACCOUNTS})
            conn.execute(text("ANALYZE"))
        print(f"filled {ACCOUNTS} accounts, {units} units, {ACCOUNTS * 12} ledger entries "
              f"in {time.perf_counter() - start:.1f} s")
        factory = make_sessionmaker(engine)
        for attempt in (1, 2):
            start = time.perf_counter()
            with session_scope(factory) as db:
                found = check_ledgers(db)
            print(f"check_ledgers, run {attempt}: {time.perf_counter() - start:.2f} s, "
                  f"{len(found)} discrepancies")
        engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
