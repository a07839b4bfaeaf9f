"""Remittance verification and allocation of one large unit on PostgreSQL.

One unit with N normal accounts (filled by set-based SQL); times verify(books, unit, 1)
(goal: at most 1 s for 50,000 accounts), one aggregate SQL count/sum over the same
accounts, their ratio, and the allocation of the matching payment. Prints figures;
asserts nothing. Needs PostgreSQL (OPENGJJ_TEST_DATABASE_URL).
"""
from __future__ import annotations

import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from _postgres import fill, throwaway_centre  # noqa: E402 (also puts the repository on sys.path)
from core.invariants import check_ledgers  # noqa: E402
from core.money import remittance  # noqa: E402
from core.money.books import Books  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "50000"))
TODAY = date(2026, 11, 20)

FILL = """
INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, paid_to, balance, suspense, created_at)
VALUES (1, 'U1', '单位1', '01', 0.12, 0.12, '2026-10', 0, 0, now());
INSERT INTO persons (id, name, id_type, id_no, created_at)
SELECT p, '职工' || p, '01', 'P' || p, now() FROM generate_series(1, :accounts) p;
INSERT INTO accounts (id, account_no, person_id, unit_id, state, base, unit_ratio, personal_ratio,
                      unit_amount, personal_amount, monthly_amount, balance, paid_to, created_at)
SELECT a, 'A' || a, a, 1, '01', 3000 + a % 7000, 0.12, 0.12,
       round((3000 + a % 7000) * 0.12, 2), round((3000 + a % 7000) * 0.12, 2),
       2 * round((3000 + a % 7000) * 0.12, 2), 0, '2026-10', now()
FROM generate_series(1, :accounts) a
"""

AGGREGATE = ("SELECT count(*), sum(monthly_amount), sum(unit_amount), sum(personal_amount) "
             "FROM accounts WHERE unit_id = 1 AND state = '01'")


def main() -> None:
    with throwaway_centre() as runtime:
        engine = runtime.engine
        start = time.perf_counter()
        fill(runtime, FILL, accounts=ACCOUNTS)
        print(f"filled 1 unit, {ACCOUNTS} normal accounts in {time.perf_counter() - start:.2f} s")

        start = time.perf_counter()
        with engine.connect() as conn:
            count, total, _, _ = conn.execute(text(AGGREGATE)).one()
        aggregate = time.perf_counter() - start
        print(f"aggregate SQL count/sum: {aggregate * 1000:.1f} ms ({count} accounts, {total} yuan)")

        start = time.perf_counter()
        with runtime.session() as db:
            rows = remittance.verify(Books(db, runtime, "bench", TODAY), 1, 1)
            month, headcount, amount = rows[0].month, rows[0].headcount, rows[0].amount
        verify = time.perf_counter() - start
        print(f"verify(books, unit, 1): {verify * 1000:.1f} ms ({month}: {headcount} heads, {amount} yuan; "
              f"goal <= 1000 ms)")
        print(f"verify / aggregate: {verify / aggregate:.1f}x")

        with runtime.session() as db:
            payment_id = remittance.receive_payment(Books(db, runtime, "bench", TODAY), 1, Decimal(amount),
                                                    source="counter", reference="BENCH1", received_on=TODAY).id
        start = time.perf_counter()
        with runtime.session() as db:
            allocation = remittance.allocate(Books(db, runtime, "bench", TODAY), payment_id)
        allocate = time.perf_counter() - start
        print(f"allocate(books, payment): {allocate * 1000:.1f} ms ({allocation.target}, {allocation.amount} yuan)")
        with runtime.session() as db:
            found = check_ledgers(db)
        print(f"check_ledgers after: {len(found)} discrepancies")


if __name__ == "__main__":
    main()
