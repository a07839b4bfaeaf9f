"""Yearly interest (年终结息) and the statements, on SQLite and PostgreSQL.

Every figure is worked out by hand here with the convention of core.money.interest:
product = opening × days of the fund year + Σ line × ((30 June − booked day) + 1 days),
interest = product × rate / basis days, half-up to the fen.
"""
import random
import threading
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from core.invariants import check_ledgers
from core.models import Account, InterestSettlement, LedgerEntry, Person, Unit
from core.money.books import Books
from core.money.errors import BusinessError
from core.money.interest import (
    account_statement,
    settle,
    unit_statement,
    yearly_personal_statement,
)
from core.money.ledger import new_flow_no, post_account, post_unit
from tests.conftest import make_runtime

D = Decimal
SETTLED = date(2026, 6, 30)  # the settlement day of fund year 2025


@pytest.fixture
def runtime(database_url):
    runtime = make_runtime(database_url)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def pg_runtime(pg_databases):
    runtime = make_runtime(pg_databases("interest"))
    yield runtime
    runtime.engine.dispose()


def books(db, runtime, today):
    return Books(db=db, runtime=runtime, actor="clerk:1", today=today)


def unit(runtime, number="U1") -> int:
    with runtime.session() as db:
        u = Unit(unit_no=number, name=f"单位{number}")
        db.add(u)
        db.flush()
        return u.id


def account(runtime, unit_id, number) -> int:
    with runtime.session() as db:
        person = Person(name=f"职工{number}", id_no=f"ID{number}")
        db.add(person)
        db.flush()
        a = Account(account_no=number, person_id=person.id, unit_id=unit_id, monthly_amount=D("1000.00"))
        db.add(a)
        db.flush()
        return a.id


def post(runtime, account_id, amount, day, month=None, business_type="01"):
    """One posting of principal on ``day``: the account's line and its unit's line."""
    with runtime.session() as db:
        b = books(db, runtime, day)
        a = b.lock_account(account_id)
        u = b.lock_unit(a.unit_id)
        flow = new_flow_no(db, day)
        post_account(b, a, u, business_type=business_type, amount=D(amount), summary="汇缴", flow_no=flow,
                     month=month)
        post_unit(b, u, business_type=business_type, amount=D(amount), summary="汇缴", flow_no=flow, month=month)
        if month and (a.paid_to or "") < month:
            a.paid_to = month


def run(runtime, fund_year=2025, today=SETTLED, **kw):
    with runtime.session() as db:
        s = settle(books(db, runtime, today), fund_year, **kw)
        return s.id, s.accounts, s.total_interest, s.flow_no


def interest_lines(runtime, kind="account"):
    with runtime.session() as db:
        return {(e.account_id if kind == "account" else e.unit_id): e for e in db.scalars(
            select(LedgerEntry).where(LedgerEntry.business_type == "09", LedgerEntry.kind == kind))}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_the_worked_example_of_the_docstring(runtime):
    u = unit(runtime)
    a = account(runtime, u, "A1")
    post(runtime, a, "10000.00", date(2025, 3, 10))  # opening balance at 2025-06-30
    post(runtime, a, "1000.00", date(2025, 7, 15), "2025-07")
    post(runtime, a, "1000.00", date(2026, 1, 15), "2026-01")
    assert (SETTLED - date(2025, 7, 1)).days + 1 == 365
    assert (SETTLED - date(2025, 7, 15)).days + 1 == 351
    assert (SETTLED - date(2026, 1, 15)).days + 1 == 167
    product = D("10000.00") * 365 + D("1000.00") * 351 + D("1000.00") * 167
    assert product == D("4168000.00")
    expected = half_up(product * D("0.015") / 360)  # 173.6666…
    assert expected == D("173.67")

    _id, count, total, flow = run(runtime)
    assert (count, total) == (1, D("173.67"))
    line = interest_lines(runtime)[a]
    assert (line.amount, line.interest, line.balance_after) == (D("0.00"), D("173.67"), D("12173.67"))
    assert (line.booked_on, line.business_type, line.summary, line.flow_no) == (SETTLED, "09", "2025年度结息", flow)
    unit_line = interest_lines(runtime, "unit")[u]
    assert (unit_line.interest, unit_line.balance_after, unit_line.flow_no) == (D("173.67"), D("12173.67"), flow)
    with runtime.session() as db:
        assert db.get(Account, a).balance == D("12173.67")
        assert db.get(Unit, u).balance == D("12173.67")
        settlement = db.scalars(select(InterestSettlement)).one()
        assert (settlement.fund_year, settlement.settled_on, settlement.rate, settlement.basis_days) == (
            2025, SETTLED, D("0.0150"), 360)
        assert check_ledgers(db) == []


def test_mid_year_accounts_zero_balances_rounding_and_late_lines(runtime):
    u1, u2 = unit(runtime, "U1"), unit(runtime, "U2")
    mid = account(runtime, u1, "A1")  # opened in March 2026
    post(runtime, mid, "2400.00", date(2026, 3, 1), "2026-03")
    post(runtime, mid, "1234.56", date(2026, 5, 20), "2026-04")
    empty = account(runtime, u1, "A2")  # never paid
    gone = account(runtime, u1, "A3")  # paid in and taken out the same day: no product
    post(runtime, gone, "500.00", date(2025, 9, 1))
    post(runtime, gone, "-500.00", date(2025, 9, 1), business_type="99")
    closed = account(runtime, u1, "A4")  # withdrawn and closed in May: its interest was paid then
    post(runtime, closed, "5000.00", date(2025, 1, 1))
    post(runtime, closed, "-5000.00", date(2026, 5, 1), business_type="99")
    with runtime.session() as db:
        db.get(Account, closed).state = "05"
    half = account(runtime, u2, "B1")  # 120.00 for one day: 120 × 0.015 / 360 = 0.005 → 0.01
    post(runtime, half, "120.00", SETTLED)
    quarter = account(runtime, u2, "B2")  # 60.00 for one day: 0.0025 → 0.00, no line
    post(runtime, quarter, "60.00", SETTLED)
    late = account(runtime, u2, "B3")  # a deposit after 30 June counts for next year only
    post(runtime, late, "3600.00", date(2025, 6, 1))
    post(runtime, late, "900.00", date(2026, 7, 2), "2026-07")

    assert (SETTLED - date(2026, 3, 1)).days + 1 == 122
    assert (SETTLED - date(2026, 5, 20)).days + 1 == 42
    mid_interest = half_up((D("2400.00") * 122 + D("1234.56") * 42) * D("0.015") / 360)
    assert mid_interest == D("14.36")  # (292,800 + 51,851.52) × 0.015 / 360 = 14.3604…
    late_interest = half_up(D("3600.00") * 365 * D("0.015") / 360)
    assert late_interest == D("54.75")

    _id, count, total, _flow = run(runtime, today=date(2026, 7, 5))
    lines = interest_lines(runtime)
    assert {a: line.interest for a, line in lines.items()} == {mid: D("14.36"), half: D("0.01"), late: D("54.75")}
    assert (count, total) == (3, D("69.12"))
    assert lines[late].balance_after == D("4554.75")  # after the July deposit, the balance it joins
    assert lines[late].booked_on == SETTLED
    units = interest_lines(runtime, "unit")
    assert {k: v.interest for k, v in units.items()} == {u1: D("14.36"), u2: D("54.76")}
    with runtime.session() as db:
        assert db.get(Account, empty).balance == 0 and db.get(Account, quarter).balance == D("60.00")
        assert db.get(Account, closed).balance == 0
        assert check_ledgers(db) == []


def test_the_rate_and_basis_come_from_the_centre_or_the_call(runtime):
    u = unit(runtime)
    a = account(runtime, u, "A1")
    post(runtime, a, "36500.00", date(2025, 1, 1))
    runtime.centre.settings.update({"interest.rate": "0.0275", "interest.basis_days": "365"})
    try:
        _id, _count, total, _flow = run(runtime)
    finally:
        runtime.centre.settings.clear()
    assert total == half_up(D("36500.00") * 365 * D("0.0275") / 365) == D("1003.75")
    _id, _count, total, _flow = run(runtime, fund_year=2026, today=date(2027, 6, 30), rate=D("0.01"),
                                    basis_days=360)
    # 2026's opening includes 2025's interest, credited on 2026-06-30
    assert total == half_up((D("36500.00") + D("1003.75")) * 365 * D("0.01") / 360) == D("380.25")  # 380.2463…
    with runtime.session() as db:
        assert check_ledgers(db) == []


def test_a_fund_year_is_settled_once_and_not_before_its_end(runtime):
    u = unit(runtime)
    a = account(runtime, u, "A1")
    post(runtime, a, "1000.00", date(2025, 1, 1))
    with pytest.raises(BusinessError, match="尚未到期"):
        run(runtime, today=date(2026, 6, 29))
    first = run(runtime)
    with pytest.raises(BusinessError, match="该年度已结息"):
        run(runtime, today=date(2026, 8, 1))
    with runtime.session() as db:
        assert db.scalars(select(InterestSettlement.id)).all() == [first[0]]
        assert len(db.scalars(select(LedgerEntry).where(LedgerEntry.business_type == "09")).all()) == 2
        assert db.get(Account, a).balance == D("1000.00") + first[2]
        assert check_ledgers(db) == []


@pytest.mark.postgresql
def test_concurrent_settlements_credit_once(pg_runtime):
    runtime = pg_runtime
    u = unit(runtime)
    a = account(runtime, u, "A1")
    post(runtime, a, "1000.00", date(2025, 1, 1))
    outcome = {}

    def second():
        try:
            run(runtime)
            outcome["second"] = "settled"
        except BusinessError as error:
            outcome["second"] = error.message

    with runtime.session() as db:
        settle(books(db, runtime, SETTLED), 2025)
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for the first run's locks
    thread.join(10)
    assert outcome == {"second": "该年度已结息"}
    with runtime.session() as db:
        assert db.get(Account, a).balance == D("1000.00") + half_up(D("1000.00") * 365 * D("0.015") / 360)
        assert check_ledgers(db) == []


def test_random_ledgers_match_the_convention_exactly(runtime):
    rng = random.Random(20250630)
    u = unit(runtime)
    expected = {}
    start = date(2025, 7, 1)
    for i in range(30):
        a = account(runtime, u, f"R{i:02d}")
        product = D(0)
        for _ in range(rng.randint(0, 5)):
            amount = D(rng.randint(1, 5_000_000)).scaleb(-2)
            day = start + timedelta(days=rng.randint(-400, 364))
            post(runtime, a, amount, day)
            product += amount * (365 if day < start else (SETTLED - day).days + 1)
        interest = half_up(product * D("0.015") / 360)
        if interest:
            expected[a] = interest
    _id, count, total, _flow = run(runtime)
    assert {a: line.interest for a, line in interest_lines(runtime).items()} == expected
    assert (count, total) == (len(expected), sum(expected.values()))
    with runtime.session() as db:
        assert check_ledgers(db) == []


def test_statements_add_up(runtime):
    u = unit(runtime)
    a = account(runtime, u, "A1")
    b = account(runtime, u, "A2")
    post(runtime, a, "10000.00", date(2025, 3, 10))
    post(runtime, a, "1000.00", date(2025, 7, 15), "2025-07")
    post(runtime, a, "1000.00", date(2026, 1, 15), "2026-01")
    post(runtime, b, "800.00", date(2025, 8, 15), "2025-08")
    post(runtime, b, "800.00", date(2026, 8, 15), "2026-07")  # next fund year
    run(runtime, today=date(2026, 9, 1))
    with runtime.session() as db:
        bk = books(db, runtime, date(2026, 9, 1))
        s = account_statement(bk, a, 2025)
        assert s["opening_balance"] == D("10000.00")
        assert s["deposits"] == D("2000.00")
        assert s["interest"] == s["settled_interest"] == D("173.67")
        assert s["closing_balance"] == D("12173.67") == s["opening_balance"] + s["deposits"] + s["interest"]
        assert [(line["date"], line["amount"], line["interest"], line["balance"]) for line in s["lines"]] == [
            (date(2025, 7, 15), D("1000.00"), D("0.00"), D("11000.00")),
            (date(2026, 1, 15), D("1000.00"), D("0.00"), D("12000.00")),
            (SETTLED, D("0.00"), D("173.67"), D("12173.67"))]
        assert s["lines"][-1]["summary"] == "2025年度结息"

        b_interest = half_up(D("800.00") * ((SETTLED - date(2025, 8, 15)).days + 1) * D("0.015") / 360)
        assert b_interest == D("10.67")  # 800 × 320 × 0.015 / 360 = 10.666…
        sb = account_statement(bk, b, 2025)
        assert (sb["opening_balance"], sb["deposits"], sb["interest"], sb["closing_balance"]) == (
            D("0.00"), D("800.00"), b_interest, D("810.67"))

        us = unit_statement(bk, u, 2025)
        assert us["opening_balance"] == D("10000.00")
        assert us["deposits"] == D("2800.00")
        assert us["interest"] == D("173.67") + b_interest
        assert us["closing_balance"] == us["opening_balance"] + us["deposits"] + us["interest"] == D("12984.34")
        assert us["headcount"] == 2
        assert [(r["account_no"], r["opening_balance"], r["deposits"], r["interest"], r["closing_balance"])
                for r in us["rows"]] == [("A1", D("10000.00"), D("2000.00"), D("173.67"), D("12173.67")),
                                         ("A2", D("0.00"), D("800.00"), D("10.67"), D("810.67"))]
        assert sum(r["closing_balance"] for r in us["rows"]) + us["suspense_closing"] == us["closing_balance"]

        y = yearly_personal_statement(bk, a, 2025)
        assert y["months_paid"] == ["2025-07", "2026-01"]
        assert y["amounts_by_month"] == {"2025-07": D("1000.00"), "2026-01": D("1000.00")}
        assert len(y["months_unpaid"]) == 10 and "2025-08" in y["months_unpaid"]
        assert y["interest"] == D("173.67")
        assert y["opening_balance"] + y["deposits_total"] + y["interest"] == y["closing_balance"] == D("12173.67")
        yb = yearly_personal_statement(bk, b, 2025)
        assert yb["months_paid"] == ["2025-08"] and yb["balance"] == D("1610.67")  # today's, with July 2026

        # the next fund year starts from the closing balance, interest included
        nxt = account_statement(bk, b, 2026)
        assert nxt["opening_balance"] == D("810.67") and nxt["settled_interest"] is None
