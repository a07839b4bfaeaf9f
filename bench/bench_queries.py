"""Record queries on PostgreSQL: a unit ledger query (单位缴存流水 / 个人账户明细) with
1,000,000 ledger lines in the centre, 50,000 of them in the measured unit.

Prints the time of the first page + count + totals, a later page, a filtered page, and
the .xlsx export of the unit's 50,000 lines. ``python bench/bench_queries.py [lines]``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from _postgres import throwaway_centre  # noqa: E402
from core.queries import collect, run, stream  # noqa: E402
from core.queries.export import xlsx  # noqa: E402

UNITS = 20


def fill(runtime, lines: int) -> None:
    """Units and ``lines`` unit ledger lines spread evenly over them (unit 1 has lines / UNITS)."""
    with runtime.engine.begin() as c:
        c.execute(text("INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, balance, suspense, "
                       "created_at) SELECT n, 'B' || n, '单位' || n, '01', 0.12, 0.12, 0, 0, now() "
                       f"FROM generate_series(1, {UNITS}) n"))
        c.execute(text(
            "INSERT INTO ledger_entries (flow_no, kind, unit_id, account_id, business_type, summary, amount, "
            "interest, balance_after, month, booked_on, created_at) "
            "SELECT 'F' || n, 'unit', n % :units + 1, NULL, '01', '汇缴 ' || n, (n % 997) + 0.25, 0, n, "
            "to_char(date '2016-01-01' + (n % 3650), 'YYYY-MM'), date '2016-01-01' + (n % 3650), now() "
            "FROM generate_series(1, :lines) n"), {"units": UNITS, "lines": lines})
        c.execute(text("ANALYZE"))


def timed(label: str, work):
    started = time.perf_counter()
    value = work()
    print(f"{label:<58} {time.perf_counter() - started:8.3f} s")
    return value


def main(lines: int = 1_000_000) -> None:
    with throwaway_centre() as runtime:
        timed(f"fill: {lines:,} ledger lines, {UNITS} units", lambda: fill(runtime, lines))
        queries = collect(runtime.centre, runtime.pm)
        unit = queries["unit_ledger"]
        with runtime.session() as db:
            in_unit = db.scalar(text("SELECT count(*) FROM ledger_entries WHERE unit_id = 1"))
            print(f"lines of unit 1: {in_unit:,}")
            for query in (unit,):
                result = timed(f"{query.title}: first page + count + totals",
                               lambda: run(db, runtime, query, 1, {}))
                print(f"  {result.total:,} rows, {result.pages:,} pages, totals {result.totals}")
                timed(f"{query.title}: page 1000", lambda: run(db, runtime, query, 1, {}, page=1000))
                timed(f"{query.title}: 2019 only, summary contains '7'",
                      lambda: run(db, runtime, query, 1, {"booked_on_from": "2019-01-01",
                                                          "booked_on_to": "2019-12-31", "summary": "7"}))
            body = timed("单位缴存流水: export .xlsx (all lines of the unit)",
                         lambda: xlsx(unit, stream(db, runtime, unit, 1, {})))
            print(f"  {len(body) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
