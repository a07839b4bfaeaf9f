"""The application engine and the hall's heavier reads, on PostgreSQL.

- submit and approve of a one-review item, one transaction each (the engine's overhead:
  locking, history, audit, messages);
- an instant 清册 of 200 new accounts (open_accounts) from submit to effect;
- the hall home's figures and 12-month deposit chart for a unit of 50,000 accounts with
  a year of ledger lines (600,000), and the counter's queue count with 20,000
  applications waiting.

Prints figures; asserts nothing. `make bench` or `.venv/bin/python bench/bench_workflow.py`.
"""
from __future__ import annotations

import statistics
import time
from datetime import date

import transaction
from sqlalchemy import func, select
from stdnum.cn import ric

from _postgres import fill, throwaway_centre
from core.db import join_transaction
from core.models import Operator, Unit
from core.web.counter.desk import waiting
from core.web.hall.home import deposit_bars, unit_figures
from core.workflow import Actor, Workflow

TODAY = date(2026, 11, 20)
RUNS = 200
OPERATOR = Actor("operator", 1, "经办人", unit_id=1)
CLERK = Actor("clerk", 1, "柜员", roles=frozenset({"first_review"}))


def in_transaction(runtime, actor, method, *args, **kw):
    tm = transaction.TransactionManager(explicit=True)
    db = runtime.sessionmaker()
    try:
        with tm:
            join_transaction(db, tm)
            return getattr(Workflow(runtime, db, actor, tm, today=TODAY), method)(*args, **kw).id
    finally:
        db.close()


def ms(values: list[float]) -> str:
    values = sorted(values)
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {values[int(len(values) * .95) - 1] * 1000:.1f} ms"


def engine_figures(runtime) -> None:
    with runtime.session() as db:
        db.add(Unit(id=1, unit_no="B1", name="基准单位", paid_to="2026-10"))
        db.flush()
        db.add(Operator(id=1, unit_id=1, name="经办人", id_no="X", login_name="admin"))
    submits, approvals = [], []
    for n in range(RUNS):
        start = time.perf_counter()
        application = in_transaction(runtime, OPERATOR, "submit", "consultation",
                                     {"type": "policy", "title": f"问题{n}", "content": "内容"}, submit_key=f"k{n}")
        submits.append(time.perf_counter() - start)
        start = time.perf_counter()
        in_transaction(runtime, CLERK, "act", application, "approve", opinion="答复")
        approvals.append(time.perf_counter() - start)
    print(f"submit (one-review item): {ms(submits)}")
    print(f"approve completing the chain (effect + history + audit + message): {ms(approvals)}")
    rows = []
    for n in range(200):
        body = f"11010119{80 + n % 20:02d}0101{n % 1000:03d}"
        rows.append({"name": f"职工{n}", "id_type": "01", "id_no": body + ric.calc_check_digit(body + "0"),
                     "base": "5000"})
    start = time.perf_counter()
    in_transaction(runtime, OPERATOR, "submit", "open_accounts", {}, rows, submit_key="open")
    print(f"open_accounts, 200 rows, submit to effect (发起即办结): {(time.perf_counter() - start) * 1000:.0f} ms")


BIG_UNIT = """
INSERT INTO units (id, unit_no, name, state, unit_ratio, personal_ratio, paid_to, balance, suspense, created_at)
VALUES (2, 'B2', '大单位', '01', 0.12, 0.12, '2026-10', 0, 0, now());
INSERT INTO persons (id, name, id_type, id_no, created_at)
SELECT 1000 + g, '职工' || g, '01', 'P' || g, now() FROM generate_series(1, :n) g;
INSERT INTO accounts (id, account_no, person_id, unit_id, state, base, unit_ratio, personal_ratio, unit_amount,
                      personal_amount, monthly_amount, balance, paid_to, created_at)
SELECT 1000 + g, 'A' || g, 1000 + g, 2, '01', 5000, 0.12, 0.12, 600, 600, 1200, 14400, '2026-10', now()
FROM generate_series(1, :n) g;
INSERT INTO ledger_entries (flow_no, kind, unit_id, account_id, business_type, summary, amount, interest,
                            balance_after, month, booked_on, created_at)
SELECT 'F' || m, 'account', 2, 1000 + g, '01', '汇缴', 1200, 0, 1200 * m,
       to_char(date '2025-11-01' + (m - 1) * interval '1 month', 'YYYY-MM'),
       date '2025-11-15' + (m - 1) * interval '1 month', now()
FROM generate_series(1, :n) g, generate_series(1, 12) m;
INSERT INTO ledger_entries (flow_no, kind, unit_id, business_type, summary, amount, interest, balance_after, month,
                            booked_on, created_at)
SELECT 'F' || m, 'unit', 2, '01', '汇缴', 1200 * :n, 0, 1200 * :n * m,
       to_char(date '2025-11-01' + (m - 1) * interval '1 month', 'YYYY-MM'),
       date '2025-11-15' + (m - 1) * interval '1 month', now()
FROM generate_series(1, 12) m;
INSERT INTO remittance_verifications (batch_no, unit_id, month, status, headcount, amount, unit_amount,
                                      personal_amount, increase_heads, increase_amount, decrease_heads,
                                      decrease_amount, flow_no, actor, created_at)
SELECT 'F' || m, 2, to_char(date '2025-11-01' + (m - 1) * interval '1 month', 'YYYY-MM'), 'paid', :n,
       1200 * :n, 600 * :n, 600 * :n, 0, 0, 0, 0, 'F' || m, 'bench', now()
FROM generate_series(1, 12) m;
INSERT INTO applications (item_code, unit_id, status, step, data, needs_review, version, created_at, submitted_at)
SELECT 'seal', 2, 'submitted', 0, '{}', true, 1, now(), now() FROM generate_series(1, :waiting);
"""


def read_figures(runtime) -> None:
    fill(runtime, BIG_UNIT, n=50_000, waiting=20_000)
    with runtime.session() as db:
        for name, call in (("home figures (counts by state, monthly total)", lambda: unit_figures(db, 2)),
                           ("home deposit chart (12 months, 600,000 lines)", lambda: deposit_bars(db, 2, TODAY))):
            times = []
            for _ in range(20):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            print(f"{name}, unit of 50,000 accounts: {ms(times)}")
        query = waiting(runtime.catalogue, "first_review")
        times = []
        for _ in range(20):
            start = time.perf_counter()
            count = db.scalar(select(func.count()).select_from(query.subquery()))
            times.append(time.perf_counter() - start)
        print(f"counter queue count ({count} waiting): {ms(times)}")


def main() -> None:
    with throwaway_centre() as runtime:
        engine_figures(runtime)
        read_figures(runtime)


if __name__ == "__main__":
    main()
