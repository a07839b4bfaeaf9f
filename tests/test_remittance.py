"""Remittance (汇缴), payments, suspense (暂存款), annual verification and supplement (补缴),
on SQLite and PostgreSQL. Every figure is worked out by hand.

The seeded unit U1 (ratios 12% + 12%, paid to 2026-10) has three normal accounts:
A base 5000 (600 + 600 = 1200), B base 6000 (720 + 720 = 1440), C base 7000 (840 + 840 = 1680).
"""
import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.contract import Operation
from core.invariants import check_ledgers
from core.models import (
    Account, ChangeRecord, Counter, LedgerEntry, Payment, Person, RemittanceDetail, RemittanceVerification,
    Supplement, SupplementDetail, Unit,
)
from core.money import remittance, supplement
from core.money.books import Books
from core.money.errors import BusinessError, ConcurrentChange, RuleViolations
from core.money.rules import deposits
from tests.conftest import make_runtime, plugin

D = Decimal
TODAY = date(2026, 11, 20)


@pytest.fixture
def make(database_url):
    """``make(*plugins, **settings)``: a runtime on a migrated, empty database
    (``deposit__monthly_cap=...`` sets ``deposit.monthly_cap``)."""
    def build(*plugins, **settings):
        return make_runtime(database_url, *plugins, settings={k.replace("__", "."): v for k, v in settings.items()})

    return build


@pytest.fixture
def runtime(make):
    return make()


def books(db, runtime, today=TODAY):
    return Books(db=db, runtime=runtime, actor="clerk:1", today=today)


def add_account(db, unit_id, number, base, paid_to="2026-10", state="01", ratio=D("0.12")) -> int:
    person = Person(name=f"职工{number}", id_no=f"ID{number}")
    db.add(person)
    db.flush()
    part = (base * ratio).quantize(D("0.01"))
    account = Account(account_no=number, person_id=person.id, unit_id=unit_id, state=state, base=base,
                      unit_ratio=ratio, personal_ratio=ratio, unit_amount=part, personal_amount=part,
                      monthly_amount=part * 2, paid_to=paid_to)
    db.add(account)
    db.flush()
    return account.id


def seed(runtime, number="U1"):
    """A unit paid to 2026-10 and its accounts A, B, C; returns (unit id, {name: account id})."""
    with runtime.session() as db:
        unit = Unit(unit_no=number, name=f"单位{number}", paid_to="2026-10")
        db.add(unit)
        db.flush()
        ids = {name: add_account(db, unit.id, f"{number}{name}", D(base))
               for name, base in (("A", "5000"), ("B", "6000"), ("C", "7000"))}
        return unit.id, ids


def verify(runtime, unit_id, count=1, **kw):
    with runtime.session() as db:
        rows = remittance.verify(books(db, runtime), unit_id, count, **kw)
        return [(r.batch_no, remittance.figures_of(r)) for r in rows]


def pay(runtime, unit_id, amount, reference):
    with runtime.session() as db:
        b = books(db, runtime)
        p = remittance.receive_payment(b, unit_id, D(amount), source="counter", reference=reference,
                                       received_on=TODAY)
        return remittance.allocate(b, p.id)


def assert_books_balance(runtime):
    with runtime.session() as db:
        assert check_ledgers(db) == []


# ----------------------------------------------------------------------------- verification


def test_two_month_verification_with_an_increase_and_a_decrease(runtime):
    unit_id, ids = seed(runtime)
    [(first_batch, nov)] = verify(runtime, unit_id)
    assert nov == remittance.MonthFigures("2026-11", 3, D("4320.00"), D("2160.00"), D("2160.00"))
    with runtime.session() as db:
        add_account(db, unit_id, "U1D", D("8000"))  # joins: 960 + 960 = 1920
        db.get(Account, ids["A"]).state = "02"        # leaves: 1200
    trial = None
    with runtime.session() as db:
        trial = remittance.trial(books(db, runtime), unit_id, 2)
    rows = verify(runtime, unit_id, 2)
    assert len({batch for batch, _ in rows}) == 1 and rows[0][0] != first_batch
    dec, jan = (f for _, f in rows)
    assert dec == remittance.MonthFigures("2026-12", 3, D("5040.00"), D("2520.00"), D("2520.00"),
                                          increase_heads=1, increase_amount=D("1920.00"),
                                          decrease_heads=1, decrease_amount=D("1200.00"))
    assert jan == remittance.MonthFigures("2027-01", 3, D("5040.00"), D("2520.00"), D("2520.00"))
    assert trial == [dec, jan]  # the trial showed exactly what was fixed
    with runtime.session() as db:
        details = db.execute(select(Account.account_no, RemittanceDetail.amount)
                             .join(Account, Account.id == RemittanceDetail.account_id)
                             .join(RemittanceVerification, RemittanceVerification.id == RemittanceDetail.verification_id)
                             .where(RemittanceVerification.month == "2026-12")
                             .order_by(Account.account_no)).all()
        assert details == [("U1B", D("1440.00")), ("U1C", D("1680.00")), ("U1D", D("1920.00"))]


def test_trial_saves_nothing(runtime):
    unit_id, _ = seed(runtime)

    def counts(db):
        return [db.scalar(select(func.count()).select_from(t)) for t in
                (RemittanceVerification, RemittanceDetail, Counter, LedgerEntry)]

    with runtime.session() as db:
        before = counts(db)
    with runtime.session() as db:
        figures = remittance.trial(books(db, runtime), unit_id, 3)
    assert [f.month for f in figures] == ["2026-11", "2026-12", "2027-01"]
    assert all(f.amount == D("4320.00") for f in figures)
    with runtime.session() as db:
        assert counts(db) == before


def test_months_per_verification_capped_by_policy(make):
    runtime = make(deposit__max_months_per_verification="3")
    unit_id, _ = seed(runtime)
    with runtime.session() as db, pytest.raises(BusinessError, match="核定月数不得超过3个月") as error:
        remittance.verify(books(db, runtime), unit_id, 4)
    assert error.value.field == "count"
    assert len(verify(runtime, unit_id, 3)) == 3


def test_verification_rules_hook_sees_months_and_count(make):
    seen = []

    def rules(centre, db, operation):
        if operation.kind == "verify_remittance":
            seen.append((operation.values["months"], operation.values["count"]))
            if operation.values["count"] > 1:
                from core.contract import Violation
                return [Violation("本中心每次只能核定一个月", field="count")]
        return []

    runtime = make(plugin(opengjj_operation_rules=rules))
    unit_id, _ = seed(runtime)
    with runtime.session() as db, pytest.raises(RuleViolations, match="每次只能核定一个月"):
        remittance.verify(books(db, runtime), unit_id, 2)
    verify(runtime, unit_id, 1)
    assert seen == [(["2026-11", "2026-12"], 2), (["2026-11"], 1)]


def test_cancel_an_unpaid_verification(runtime):
    unit_id, _ = seed(runtime)
    [(batch, _)] = verify(runtime, unit_id)
    with runtime.session() as db:
        remittance.cancel(books(db, runtime), batch)
    with runtime.session() as db:
        assert db.scalar(select(RemittanceVerification.status).where(
            RemittanceVerification.batch_no == batch)) == "cancelled"
        with pytest.raises(BusinessError, match="已取消"):
            remittance.cancel(books(db, runtime), batch)
    [(again, nov)] = verify(runtime, unit_id)  # the month is free again
    assert nov.month == "2026-11"
    pay(runtime, unit_id, "4320.00", "R1")
    with runtime.session() as db, pytest.raises(BusinessError, match="已缴款，不能取消"):
        remittance.cancel(books(db, runtime), again)


def test_expected_month_already_verified_is_a_concurrent_change(runtime):
    unit_id, _ = seed(runtime)
    verify(runtime, unit_id, month="2026-11")
    with runtime.session() as db, pytest.raises(ConcurrentChange) as error:
        remittance.verify(books(db, runtime), unit_id, 1, month="2026-11")
    assert error.value.field == "month" and "2026-12" in error.value.message


# ----------------------------------------------------------------------------- payments


def test_matching_payment_credits_the_accounts_and_advances_paid_to(runtime):
    unit_id, ids = seed(runtime)
    [(batch, _)] = verify(runtime, unit_id, 2)[:1]
    allocation = pay(runtime, unit_id, "8640.00", "R1")
    assert (allocation.target, allocation.batch_no, allocation.amount) == ("remittance", batch, D("8640.00"))
    with runtime.session() as db:
        unit = db.get(Unit, unit_id)
        assert (unit.paid_to, unit.balance, unit.suspense) == ("2026-12", D("8640.00"), D("0.00"))
        accounts = {a.account_no: (a.balance, a.paid_to) for a in db.scalars(select(Account))}
        assert accounts == {"U1A": (D("2400.00"), "2026-12"), "U1B": (D("2880.00"), "2026-12"),
                            "U1C": (D("3360.00"), "2026-12")}
        lines = db.execute(select(LedgerEntry.month, LedgerEntry.amount, LedgerEntry.balance_after)
                           .where(LedgerEntry.account_id == ids["A"]).order_by(LedgerEntry.id)).all()
        assert lines == [("2026-11", D("1200.00"), D("1200.00")), ("2026-12", D("1200.00"), D("2400.00"))]
        statuses = db.execute(select(RemittanceVerification.status, RemittanceVerification.flow_no)).all()
        assert statuses == [("paid", allocation.flow_no)] * 2
        assert db.scalar(select(Payment.status)) == "allocated"
        with pytest.raises(BusinessError, match="已分配"):
            remittance.allocate(books(db, runtime), allocation.payment_id)
    assert_books_balance(runtime)


def test_a_different_amount_goes_to_suspense_and_pays_later(runtime):
    unit_id, _ = seed(runtime)
    [(batch, _)] = verify(runtime, unit_id)
    allocation = pay(runtime, unit_id, "5000.00", "R1")
    assert (allocation.target, allocation.batch_no) == ("suspense", None)
    with runtime.session() as db:
        unit = db.get(Unit, unit_id)
        assert (unit.suspense, unit.balance, unit.paid_to) == (D("5000.00"), D("5000.00"), "2026-10")
        assert db.scalar(select(Payment.status)) == "suspense"
    assert_books_balance(runtime)
    [(second, _)] = verify(runtime, unit_id)
    with runtime.session() as db:
        b = books(db, runtime)
        with pytest.raises(BusinessError, match="须先缴清较早的核定批次"):
            remittance.apply_suspense(b, unit_id, second)
        remittance.apply_suspense(b, unit_id, batch)
    with runtime.session() as db:
        unit = db.get(Unit, unit_id)
        assert (unit.suspense, unit.balance, unit.paid_to) == (D("680.00"), D("5000.00"), "2026-11")
        with pytest.raises(BusinessError, match="暂存款余额680.00元不足") as error:
            remittance.apply_suspense(books(db, runtime), unit_id, second)
        assert error.value.field == "suspense"
    assert_books_balance(runtime)


def test_the_same_statement_line_imported_twice_is_one_payment(runtime):
    unit_id, _ = seed(runtime)
    rows = [{"unit_no": "U1", "amount": "4320.00", "reference": "B001", "received_on": "2026-11-18"},
            {"unit_no": "U1", "amount": D("100.50"), "reference": "B002", "received_on": date(2026, 11, 19)}]
    for _ in range(2):
        with runtime.session() as db:
            payments = remittance.import_bank_statement(books(db, runtime), rows)
            assert [p.amount for p in payments] == [D("4320.00"), D("100.50")]
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Payment)) == 2
        with pytest.raises(RuleViolations) as error:
            remittance.import_bank_statement(books(db, runtime), [
                {"unit_no": "U1", "amount": "10", "reference": "B003", "received_on": "2026-11-19"},
                {"unit_no": "NOPE", "amount": "10", "reference": "B004", "received_on": "2026-11-19"},
                {"unit_no": "U1", "amount": "-1", "reference": "B005", "received_on": "2026-11-19"},
                {"unit_no": "U1", "amount": "99.00", "reference": "B001", "received_on": "2026-11-19"},
            ])
        assert [(v.row, v.field) for v in error.value.violations] == [
            (2, "unit_no"), (3, "amount"), (4, "reference")]
    with runtime.session() as db:  # nothing of the refused statement was written
        assert db.scalar(select(func.count()).select_from(Payment)) == 2
        assert db.scalar(select(Payment.id).where(Payment.reference == "B003")) is None


# ----------------------------------------------------------------------------- annual verification


def test_annual_verification_once_a_year_after_june(runtime):
    unit_id, ids = seed(runtime)
    with runtime.session() as db:
        add_account(db, unit_id, "U1E", D("4000"), paid_to="2026-05")  # not paid to June: untouched
    with runtime.session() as db:
        with pytest.raises(BusinessError, match="缴至2027-06") as error:
            remittance.annual_verification(books(db, runtime), unit_id, 2027)
        assert error.value.field == "paid_to"
        with pytest.raises(RuleViolations, match="缴存基数不得低于1900") as error:
            remittance.annual_verification(books(db, runtime), unit_id, 2026, {ids["A"]: D("1000")})
        assert error.value.field == "base"
    with runtime.session() as db:
        result = remittance.annual_verification(books(db, runtime), unit_id, 2026, {ids["A"]: D("5123.45")})
        assert (result.headcount, result.changed, result.monthly_total) == (3, 1, D("4349.62"))
    with runtime.session() as db:
        a = db.get(Account, ids["A"])
        assert (a.base, a.unit_amount, a.personal_amount, a.monthly_amount) == (
            D("5123.45"), D("614.81"), D("614.81"), D("1229.62"))
        assert db.scalar(select(Account.base).where(Account.account_no == "U1E")) == D("4000.00")
        assert db.scalar(select(func.count()).select_from(ChangeRecord)
                         .where(ChangeRecord.action == "annual_verification")) == 2
        with pytest.raises(BusinessError, match="2026年度已办理年度核定"):
            remittance.annual_verification(books(db, runtime), unit_id, 2026)


# ----------------------------------------------------------------------------- supplement


def test_supplement_by_month_and_free_amount(runtime):
    unit_id, ids = seed(runtime)
    with runtime.session() as db:
        a = db.get(Account, ids["A"])
        a.paid_to, a.base, a.unit_amount, a.personal_amount, a.monthly_amount = (
            "2026-08", D("5123.45"), D("614.81"), D("614.81"), D("1229.62"))
    with runtime.session() as db:
        found = supplement.candidates(books(db, runtime), unit_id)
        assert [(c.account_no, c.paid_to, c.missing) for c in found] == [("U1A", "2026-08", ("2026-09", "2026-10"))]
    with runtime.session() as db:
        s = supplement.verify_by_month(books(db, runtime), unit_id,
                                       [(ids["A"], "2026-09"), (ids["A"], "2026-10")], "漏缴")
        assert (s.kind, s.headcount, s.amount, s.status) == ("by_month", 1, D("2459.24"), "verified")
        by_month = s.batch_no
    with runtime.session() as db:
        s = supplement.verify_free(books(db, runtime), unit_id, [(ids["B"], D("300.01"), "2026-10"),
                                                                 (ids["C"], D("99.99"), None)], "少缴")
        assert (s.kind, s.headcount, s.amount) == ("free", 2, D("400.00"))
        details = db.execute(select(SupplementDetail.account_id, SupplementDetail.unit_amount,
                                    SupplementDetail.personal_amount, SupplementDetail.amount)
                             .where(SupplementDetail.supplement_id == s.id).order_by(SupplementDetail.id)).all()
        assert details == [(ids["B"], D("150.01"), D("150.00"), D("300.01")),
                           (ids["C"], D("50.00"), D("49.99"), D("99.99"))]
        free = s.batch_no
    with runtime.session() as db:
        supplement.cancel(books(db, runtime), free)
        assert db.scalar(select(Supplement.status).where(Supplement.batch_no == free)) == "cancelled"
    allocation = pay(runtime, unit_id, "2459.24", "S1")
    assert (allocation.target, allocation.batch_no) == ("supplement", by_month)
    with runtime.session() as db:
        a = db.get(Account, ids["A"])
        assert (a.balance, a.paid_to) == (D("2459.24"), "2026-08")  # supplement does not move paid_to
        assert db.scalar(select(LedgerEntry.business_type).where(LedgerEntry.account_id == a.id)) == "02"
        with pytest.raises(BusinessError, match="已缴款，不能取消"):
            supplement.cancel(books(db, runtime), by_month)
    assert_books_balance(runtime)


def test_supplement_refused_lines_name_row_and_field(runtime):
    unit_id, ids = seed(runtime)
    with runtime.session() as db, pytest.raises(RuleViolations) as error:
        supplement.verify_by_month(books(db, runtime), unit_id,
                                   [(ids["A"], "2026-13"), (999, "2026-09"), (ids["B"], "2026-09"),
                                    (ids["B"], "2026-09")], "漏缴")
    assert [(v.row, v.field) for v in error.value.violations] == [(1, "month"), (2, "account_id"), (4, "month")]


def test_monthly_cap_rule_refuses_naming_the_field(make):
    holder = {}

    def rules(centre, db, operation):
        return deposits.supplement_within_monthly_cap(operation, db, holder["runtime"].policy)

    runtime = holder["runtime"] = make(plugin(opengjj_operation_rules=rules), deposit__monthly_cap="2000")
    unit_id, ids = seed(runtime)
    verify(runtime, unit_id)
    pay(runtime, unit_id, "4320.00", "R1")  # B has 1440 remitted for 2026-11
    with runtime.session() as db:
        supplement.verify_free(books(db, runtime), unit_id, [(ids["B"], D("500.00"), "2026-11")], "少缴")
    with runtime.session() as db, pytest.raises(RuleViolations, match="超过月缴存额上限2000") as error:
        supplement.verify_free(books(db, runtime), unit_id, [(ids["B"], D("60.01"), "2026-11")], "少缴")
    assert (error.value.field, error.value.violations[0].row) == ("amount", 1)
    with runtime.session() as db:  # 1440 + 500 + 60 = 2000 is allowed
        supplement.verify_free(books(db, runtime), unit_id, [(ids["B"], D("60.00"), "2026-11")], "少缴")


def test_supplement_fund_year_and_paid_to_rules():
    def op(*lines, unit_id=1):
        return Operation(kind="supplement", unit_id=unit_id, account_id=None, today=TODAY,
                         values={"lines": [{"account_id": 1, "month": m, "amount": D("1")} for m in lines]})

    found = deposits.supplement_current_fund_year_only(op("2026-07", "2026-06", "2027-06", "2027-07"))
    assert [(v.row, v.field) for v in found] == [(2, "month"), (4, "month")]
    assert "只能补缴本年度" in found[0].message
    assert deposits.supplement_current_fund_year_only(
        Operation("seal", 1, 1, TODAY, {"lines": [{"month": "2020-01"}]})) == []


def test_supplement_not_after_paid_to(runtime):
    unit_id, _ = seed(runtime)
    operation = Operation(kind="supplement", unit_id=unit_id, account_id=None, today=TODAY,
                          values={"lines": [{"account_id": 1, "month": "2026-10", "amount": D("1")},
                                            {"account_id": 1, "month": "2026-11", "amount": D("1")}]})
    with runtime.session() as db:
        found = deposits.supplement_not_after_paid_to(operation, db)
    assert [(v.row, v.field) for v in found] == [(2, "month")] and "晚于单位缴至年月2026-10" in found[0].message


# ----------------------------------------------------------------------------- concurrency


POSTGRESQL_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)


def race(runtime, work, n=2):
    """Run ``work(books)`` in n threads at once, each in its own transaction."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            with runtime.session() as db:
                b = books(db, runtime)
                barrier.wait(timeout=10)
                results[i] = ("ok", work(b))
        except BusinessError as error:
            results[i] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            results[i] = ("error", error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@POSTGRESQL_ONLY
def test_two_verifications_of_the_same_month_at_once(make):
    runtime = make()
    unit_id, _ = seed(runtime)
    results = race(runtime, lambda b: remittance.verify(b, unit_id, 1, month="2026-11")[0].month)
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(RemittanceVerification)
                         .where(RemittanceVerification.status != "cancelled")) == 1


@POSTGRESQL_ONLY
def test_one_payment_allocated_from_two_threads_is_credited_once(make):
    runtime = make()
    unit_id, ids = seed(runtime)
    verify(runtime, unit_id)
    with runtime.session() as db:
        payment_id = remittance.receive_payment(books(db, runtime), unit_id, D("4320.00"), source="bank_statement",
                                                reference="B1", received_on=TODAY).id
    results = race(runtime, lambda b: remittance.allocate(b, payment_id).target)
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(LedgerEntry)
                         .where(LedgerEntry.account_id == ids["A"])) == 1
        assert db.get(Unit, unit_id).balance == D("4320.00")
    assert_books_balance(runtime)


def test_the_unique_index_refuses_a_second_live_verification_of_a_month(runtime, monkeypatch):
    unit_id, _ = seed(runtime)
    verify(runtime, unit_id)
    monkeypatch.setattr(remittance, "_last_live", lambda db, unit_id, before=None: None)  # as if unseen
    with pytest.raises(ConcurrentChange, match="该月份已有有效的汇缴核定") as error:
        with runtime.session() as db:  # the failed flush: the whole transaction rolls back
            remittance.verify(books(db, runtime), unit_id)
    assert error.value.field == "month"
