"""Random sequences of money operations never break the ledger invariants.

Hypothesis drives opening, sealing, unsealing, base changes, verifications, payments
(exact, to suspense, applied from suspense), supplements, transfers, merges and the
yearly interest on one centre; after every step ``check_ledgers`` must find nothing,
whether the step was applied or refused. Runs on SQLite and on PostgreSQL.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from stdnum.cn import ric

from core.invariants import check_ledgers
from core.models import Account, Base, Payment, RemittanceVerification, Unit
from core.money import accounts, interest, remittance, supplement
from core.money.books import Books
from core.money.errors import BusinessError
from tests.conftest import make_runtime

START = date(2026, 7, 1)


def person_id_no(n: int) -> str:
    body = f"14050219{90 + n:02d}0{1 + n % 9}15{10 + n:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 characters


ops = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 1), st.integers(0, 7), st.sampled_from(["3000", "4567.89", "12000"])),
    st.tuples(st.just("seal"), st.integers(0, 20)),
    st.tuples(st.just("unseal"), st.integers(0, 20)),
    st.tuples(st.sampled_from(["seal", "unseal", "transfer_back"]), st.integers(0, 20)),
    st.tuples(st.just("base"), st.integers(0, 20), st.sampled_from(["2500", "8800.50"])),
    st.tuples(st.just("verify"), st.integers(0, 1), st.integers(1, 2)),
    st.tuples(st.just("pay"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("pay_again"), st.integers(0, 1)),
    st.tuples(st.just("from_suspense"), st.integers(0, 1)),
    st.tuples(st.just("supplement"), st.integers(0, 1)),
    st.tuples(st.just("transfer"), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("merge"), st.integers(0, 20)),
    st.tuples(st.just("interest"),),
)


def pick(db, model, index, *where):
    ids = db.scalars(select(model.id).where(*where).order_by(model.id)).all()
    return ids[index % len(ids)] if ids else None


def run(books, op, day):
    db = books.db
    kind = op[0]
    units = db.scalars(select(Unit.id).order_by(Unit.id)).all()
    if kind == "open":
        accounts.open_account(books, units[op[1]], name=f"职工{op[2]}", id_no=person_id_no(op[2]), base=Decimal(op[3]))
    elif kind == "seal":
        accounts.seal(books, pick(db, Account, op[1], Account.state == "01"), reason="离职")
    elif kind == "unseal":
        accounts.unseal(books, pick(db, Account, op[1], Account.state == "02"))
    elif kind == "base":
        accounts.change_base(books, pick(db, Account, op[1], Account.state == "01"), Decimal(op[2]))
    elif kind == "verify":
        remittance.verify(books, units[op[1]], op[2])
    elif kind in ("pay", "pay_again", "from_suspense"):
        unit_id = units[op[1]]
        batch = db.scalars(select(RemittanceVerification).where(
            RemittanceVerification.unit_id == unit_id, RemittanceVerification.status == "verified")
            .order_by(RemittanceVerification.month)).first()
        if kind == "pay_again":  # the same payment allocated a second time must be refused
            payment = db.scalars(select(Payment).where(Payment.unit_id == unit_id).order_by(Payment.id.desc())).first()
            if payment is not None:
                remittance.allocate(books, payment.id)
            return
        if batch is None:
            return
        total = sum(v.amount for v in db.scalars(select(RemittanceVerification).where(
            RemittanceVerification.batch_no == batch.batch_no)))
        if kind == "from_suspense":
            remittance.apply_suspense(books, unit_id, batch.batch_no)
            return
        amount = total if op[2] else total + Decimal("0.50")
        payment = remittance.receive_payment(books, unit_id, amount, source="counter",
                                             reference=f"R{day.isoformat()}{unit_id}", received_on=day)
        remittance.allocate(books, payment.id)
    elif kind == "supplement":
        found = supplement.candidates(books, units[op[1]])
        if found:
            first = found[0]
            account_id = first["account_id"] if isinstance(first, dict) else first.account_id
            missing = first["months"] if isinstance(first, dict) else first.months
            batch = supplement.verify_by_month(books, units[op[1]], [(account_id, missing[0])], reason="漏缴")
            payment = remittance.receive_payment(books, units[op[1]], batch.amount, source="counter",
                                                 reference=f"S{day.isoformat()}{batch.id}", received_on=day)
            remittance.allocate(books, payment.id)
    elif kind == "transfer_back":  # move a normal account to the other unit
        account_id = pick(db, Account, op[1], Account.state == "01")
        if account_id:
            account = db.get(Account, account_id)
            accounts.transfer(books, account_id, next(u for u in units if u != account.unit_id))
    elif kind == "transfer":
        accounts.transfer(books, pick(db, Account, op[1]), units[op[2]])
    elif kind == "merge":  # a person's other account, if they have two
        source = db.get(Account, pick(db, Account, op[1]) or 0)
        other = source and db.scalars(select(Account.id).where(
            Account.person_id == source.person_id, Account.id != source.id, Account.state.in_(("01", "02")))).first()
        if other:
            accounts.merge(books, source.id, other)
    elif kind == "interest":
        interest.settle(books, 2026)


def reset(runtime):
    with runtime.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    with runtime.session() as db:
        db.add_all([Unit(unit_no=f"14010000{n}", name=f"单位{n}", paid_to="2026-06", opened_on=START) for n in (1, 2)])
    with runtime.session() as db:  # every sequence starts with four people at work
        books = Books(db=db, runtime=runtime, actor="clerk:1", today=START)
        units = db.scalars(select(Unit.id).order_by(Unit.id)).all()
        for n in range(4):
            accounts.open_account(books, units[n % 2], name=f"职工{n}", id_no=person_id_no(n), base=Decimal("5000"))


@pytest.fixture
def centre_runtime(database_url):
    runtime = make_runtime(database_url, settings={"deposit.rounding": "up_jiao_to_yuan"})
    yield runtime
    runtime.engine.dispose()


def test_random_operations_keep_every_invariant(centre_runtime):
    @settings(max_examples=30 if centre_runtime.engine.dialect.name == "sqlite" else 15, deadline=None,
              derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(ops, min_size=5, max_size=30))
    def sequence(steps):
        reset(centre_runtime)
        day = START
        for step in steps:
            day = date(2027, 7, 1) if step[0] == "interest" else day + timedelta(days=9)
            try:
                with centre_runtime.session() as db:
                    run(Books(db=db, runtime=centre_runtime, actor="clerk:1", today=day), step, day)
                applied[step[0]] = applied.get(step[0], 0) + 1
            except BusinessError as refusal:  # refused: nothing may have been written
                refused[step[0]] = refused.get(step[0], 0) + 1
                reasons.add(f"{step[0]}: {refusal}")
                assert str(refusal)
            with centre_runtime.session() as db:
                broken = check_ledgers(db)
            assert broken == [], f"after {step}: {[str(b) for b in broken]}"

    applied: dict[str, int] = {}
    refused: dict[str, int] = {}
    reasons: set[str] = set()
    sequence()
    # The sequences must really exercise the engine, not just be refused.
    for kind in ("open", "seal", "unseal", "base", "verify", "pay", "from_suspense", "supplement", "transfer_back",
                 "merge", "interest"):
        assert applied.get(kind), f"no {kind} was ever applied: applied {applied}, refused {sorted(reasons)}"
    print(f"applied {applied}, refused {refused}", *sorted(reasons), sep="\n")
