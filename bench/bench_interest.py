"""Yearly interest (年终结息) over a large centre on PostgreSQL.

Builds BENCH_ACCOUNTS accounts (default 1,000,000) in BENCH_ACCOUNTS / 200 units by
set-based SQL: for each account an opening line on 2025-06-15 and 12 monthly deposit
lines in fund year 2025 (the 15th of 2025-07 .. 2026-06), each with its balance after,
plus each unit's own lines; then times :func:`core.money.interest.settle` for fund
year 2025 and checks the ledgers. Prints figures; asserts nothing. Needs PostgreSQL
(OPENGJJ_TEST_DATABASE_URL); the database it fills is created and dropped here.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from _postgres import fill, throwaway_centre  # noqa: E402 (also puts the repository on sys.path)
from core.invariants import check_ledgers
from core.money.books import Books
from core.money.interest import settle

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000000"))

# The fill skips the foreign-key triggers (session_replication_role = replica, this
# transaction only): the rows are consistent by construction and the checks would
# triple the time of the fill. The settlement itself runs with every check.
# Account a: opening (a % 50) × 1,000.00, monthly deposit 1,000.00 + (a % 100) × 10.00.
FILL = """
SET session_replication_role = replica;
INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, balance, suspense, created_at)
SELECT u, 'U' || u, '单位' || u, '01', 0.12, 0.12, 0, 0, now() FROM generate_series(1, :units) u;
INSERT INTO persons (id, name, id_type, id_no, created_at)
SELECT p, '职工' || p, '01', 'P' || p, now() FROM generate_series(1, :accounts) p;
INSERT INTO accounts (id, account_no, person_id, unit_id, state, base, unit_ratio, personal_ratio,
                      unit_amount, personal_amount, monthly_amount, balance, paid_to, created_at)
SELECT a, 'A' || a, a, 1 + a % :units, '01', 5000, 0.12, 0.12,
       (1000 + a % 100 * 10) / 2.0, (1000 + a % 100 * 10) / 2.0, 1000 + a % 100 * 10,
       a % 50 * 1000 + 12 * (1000 + a % 100 * 10), '2026-06', now()
FROM generate_series(1, :accounts) a;
INSERT INTO ledger_entries (flow_no, kind, unit_id, account_id, business_type, summary, amount, interest,
                            balance_after, month, booked_on, created_at)
SELECT 'F' || m || '-' || (1 + a % :units), 'account', 1 + a % :units, a,
       CASE WHEN m = 0 THEN '99' ELSE '01' END, CASE WHEN m = 0 THEN '期初' ELSE '汇缴' END,
       CASE WHEN m = 0 THEN a % 50 * 1000 ELSE 1000 + a % 100 * 10 END, 0,
       a % 50 * 1000 + m * (1000 + a % 100 * 10),
       CASE WHEN m = 0 THEN NULL ELSE to_char(date '2025-06-01' + (m || ' month')::interval, 'YYYY-MM') END,
       CASE WHEN m = 0 THEN date '2025-06-15' ELSE date '2025-06-15' + (m || ' month')::interval END, now()
FROM generate_series(0, 12) m, generate_series(1, :accounts) a;
INSERT INTO ledger_entries (flow_no, kind, unit_id, business_type, summary, amount, interest,
                            balance_after, month, booked_on, created_at)
SELECT 'F' || m || '-' || s.unit_id, 'unit', s.unit_id, CASE WHEN m = 0 THEN '99' ELSE '01' END,
       CASE WHEN m = 0 THEN '期初' ELSE '汇缴' END,
       CASE WHEN m = 0 THEN s.opening ELSE s.monthly END, 0, s.opening + m * s.monthly,
       CASE WHEN m = 0 THEN NULL ELSE to_char(date '2025-06-01' + (m || ' month')::interval, 'YYYY-MM') END,
       CASE WHEN m = 0 THEN date '2025-06-15' ELSE date '2025-06-15' + (m || ' month')::interval END, now()
FROM generate_series(0, 12) m,
     (SELECT unit_id, sum(a.id % 50 * 1000) opening, sum(a.monthly_amount) monthly
      FROM accounts a GROUP BY unit_id) s;
UPDATE units SET balance = s.total FROM (
  SELECT unit_id, sum(balance) total FROM accounts GROUP BY unit_id) s WHERE s.unit_id = units.id;
SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), (SELECT max(id) FROM ledger_entries))
"""


def main() -> None:
    with throwaway_centre() as runtime:
        engine = runtime.engine
        units = max(1, ACCOUNTS // 200)
        start = time.perf_counter()
        fill(runtime, FILL, units=units, accounts=ACCOUNTS)
        lines = ACCOUNTS * 13 + units * 13
        print(f"filled {ACCOUNTS} accounts, {units} units, {lines} ledger entries "
              f"in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        with runtime.session() as db:
            settlement = settle(Books(db=db, runtime=runtime, actor="bench", today=date(2026, 6, 30)), 2025)
            accounts, total = settlement.accounts, settlement.total_interest
        settled = time.perf_counter() - start
        with engine.connect() as conn:
            interest_lines = conn.scalar(text("SELECT count(*) FROM ledger_entries WHERE business_type = '09' "
                                              "AND kind = 'account'"))
            unit_lines = conn.scalar(text("SELECT count(*) FROM ledger_entries WHERE business_type = '09' "
                                          "AND kind = 'unit'"))
        print(f"settle fund year 2025: {settled:.1f} s, {interest_lines} account interest lines, "
              f"{unit_lines} unit lines, {accounts} accounts, total interest {total}")
        start = time.perf_counter()
        with runtime.session() as db:
            found = check_ledgers(db)
        print(f"check_ledgers after settlement: {time.perf_counter() - start:.1f} s, {len(found)} discrepancies")


if __name__ == "__main__":
    main()
