"""`gjj check` (the ledger invariants) over a large centre on PostgreSQL.

Builds N accounts with 12 monthly entries each by set-based SQL, then times the check.
Prints figures; asserts nothing. Needs PostgreSQL (OPENGJJ_TEST_DATABASE_URL).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from _postgres import fill, throwaway_centre  # noqa: E402 (also puts the repository on sys.path)
from core.invariants import check_ledgers  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100000"))

FILL = """
INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, balance, suspense, created_at)
SELECT u, 'U' || u, '单位' || u, '01', 0.12, 0.12, 0, 0, now() FROM generate_series(1, :units) u;
INSERT INTO persons (id, name, id_type, id_no, created_at)
SELECT p, '职工' || p, '01', 'P' || p, now() FROM generate_series(1, :accounts) p;
INSERT INTO accounts (id, account_no, person_id, unit_id, state, base, unit_ratio, personal_ratio,
                      unit_amount, personal_amount, monthly_amount, balance, paid_to, created_at)
SELECT a, 'A' || a, a, 1 + a % :units, '01', 5000, 0.12, 0.12, 600, 600, 1200, 14400, '2026-10', now()
FROM generate_series(1, :accounts) a;
INSERT INTO ledger_entries (flow_no, kind, unit_id, account_id, business_type, summary, amount, interest,
                            balance_after, month, booked_on, created_at)
SELECT 'F' || m || '-' || (1 + a % :units), 'account', 1 + a % :units, a, '01', '汇缴', 1200, 0, 1200 * (m + 1),
       to_char(date '2025-11-01' + (m || ' month')::interval, 'YYYY-MM'),
       date '2025-11-15' + (m || ' month')::interval, now()
FROM generate_series(1, :accounts) a, generate_series(0, 11) m ORDER BY a, m;
INSERT INTO ledger_entries (flow_no, kind, unit_id, account_id, business_type, summary, amount, interest,
                            balance_after, month, booked_on, created_at)
SELECT 'F' || m || '-' || unit_id, 'unit', unit_id, NULL, '01', '汇缴', 1200 * c, 0, 1200 * c * (m + 1),
       to_char(date '2025-11-01' + (m || ' month')::interval, 'YYYY-MM'),
       date '2025-11-15' + (m || ' month')::interval, now()
FROM (SELECT unit_id, count(*) c FROM accounts GROUP BY unit_id) per_unit, generate_series(0, 11) m;
UPDATE units SET balance = s.total FROM (
  SELECT unit_id, sum(balance) total FROM accounts GROUP BY unit_id) s WHERE s.unit_id = units.id;
"""


def main() -> None:
    with throwaway_centre() as runtime:
        units = max(1, ACCOUNTS // 200)
        start = time.perf_counter()
        fill(runtime, FILL, units=units, accounts=ACCOUNTS)
        print(f"filled {ACCOUNTS} accounts, {units} units, {(ACCOUNTS + units) * 12} ledger entries "
              f"in {time.perf_counter() - start:.1f} s")
        for attempt in (1, 2):
            start = time.perf_counter()
            with runtime.session() as db:
                found = check_ledgers(db)
            print(f"check_ledgers, run {attempt}: {time.perf_counter() - start:.2f} s, "
                  f"{len(found)} discrepancies")

if __name__ == "__main__":
    main()
