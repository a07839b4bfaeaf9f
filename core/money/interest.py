"""Yearly interest (年终结息) and the statements of a fund year (结息对账单, 年度对账).

The convention: daily products (积数)
-------------------------------------
Fund year ``Y`` runs from Y-07-01 to (Y+1)-06-30; interest is settled at its last day,
(Y+1)-06-30 (the *settlement day*), and credited on that day. For every account::

    product  = opening × days_in_year
             + Σ (amount + interest) × ((settlement_day - booked_on).days + 1)
                 over the account's lines booked within the fund year
    interest = product × rate / basis_days, rounded half-up (away from zero) to the fen

where ``opening`` is the sum of the account's lines booked on or before Y-06-30 (so the
previous year's interest, credited on Y-06-30, earns interest in year Y),
``days_in_year`` is 365 (366 when the year contains 29 February), ``rate`` is the
centre's setting ``interest.rate`` (default 0.015) and ``basis_days`` its
``interest.basis_days`` (default 360). A line booked on the settlement day counts one
day; a line booked on 1 July counts the whole year, like the opening balance. Lines
booked after the settlement day (the run may happen a few days later) do not count.

Worked example, fund year 2025 (2025-07-01 .. 2026-06-30, 365 days), rate 1.5 %,
basis 360: opening balance 10,000.00 on 2025-06-30, deposits of 1,000.00 on 2025-07-15
(351 days to 2026-06-30 inclusive) and on 2026-01-15 (167 days)::

    product  = 10,000.00 × 365 + 1,000.00 × 351 + 1,000.00 × 167 = 4,168,000.00
    interest = 4,168,000.00 × 0.015 / 360 = 173.6666…  →  173.67

The arithmetic is exact on both databases: the product is an integer number of
fen·days and the division is an integer division with explicit half-up rounding
(SQLite keeps money as integer fen; PostgreSQL's NUMERIC is scaled by 100).

Which accounts
--------------
Every account not closed (states 03, 04, 05 are closed: their interest is paid by the
closing business, 销户结息) whose interest is not zero gets one ``account`` line
(business type 09, principal 0, interest = the interest, ``balance_after`` = its balance
after the credit), booked on the settlement day; the interest goes to the account's
current unit, which gets one ``unit`` line with the total of its accounts. All lines of
one run share one flow number, recorded on the :class:`InterestSettlement`.

A fund year is settled once: the settlement row (unique ``fund_year``) is written
first, so a second run — even a concurrent one — fails with "该年度已结息". On
PostgreSQL the run locks ``accounts`` and ``units`` against writes (SHARE ROW
EXCLUSIVE) for its duration, so no posting can slip between the computation and the
credit; on SQLite the database has one writer anyway.

The run is set-based whatever the size of the centre: the interest of every account is
computed by one aggregate into a temporary table, then one UPDATE of the accounts, one
INSERT of their lines (reading each balance after the credit), one UPDATE of the units
and one INSERT of the units' lines. On PostgreSQL it raises ``work_mem`` for its
own transaction (``SET LOCAL``) so that the aggregate and the sorts stay in memory.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Numeric

from core.codes import AccountState, CollectionType
from core.db import mark_changed
from core.db.meta import Money
from core.models import Account, InterestSettlement, LedgerEntry, Person, Unit
from core.models._columns import utcnow
from core.money import months
from core.money.errors import BusinessError
from core.money.ledger import ZERO, new_flow_no

DEFAULT_RATE = Decimal("0.015")
DEFAULT_BASIS_DAYS = 360
CLOSED_STATES = (AccountState.CLOSED_MERGED.value, AccountState.CLOSED_TRANSFERRED_OUT.value,
                 AccountState.CLOSED_WITHDRAWN.value)
RATE_SCALE = 10_000  # Ratio() keeps four decimals
FEN = Decimal("0.01")


# --- dialect-neutral SQL pieces ---------------------------------------------------------

class days_between(FunctionElement):
    """``(later - earlier)`` in whole days, for two DATE expressions."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


@compiles(days_between)
def _days_between_default(element, compiler, **kw):  # PostgreSQL: date - date is an integer
    later, earlier = list(element.clauses)
    return f"(({compiler.process(later, **kw)}) - ({compiler.process(earlier, **kw)}))"


class in_fen(FunctionElement):
    """A Money value as an integral number of fen (SQLite already stores fen; elsewhere × 100 as BIGINT)."""

    type = Numeric()
    inherit_cache = True
    name = "in_fen"


@compiles(in_fen, "sqlite")
def _as_stored_sqlite(element, compiler, **kw):  # SQLite stores money as fen already: nothing to convert
    (value,) = list(element.clauses)
    return f"({compiler.process(value, **kw)})"


@compiles(in_fen)
def _in_fen_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"CAST(({compiler.process(value, **kw)}) * 100 AS BIGINT)"


class from_fen(FunctionElement):
    """An integral number of fen back into a Money value (the column's storage form)."""

    type = Money()
    inherit_cache = True
    name = "from_fen"


compiles(from_fen, "sqlite")(_as_stored_sqlite)


@compiles(from_fen)
def _from_fen_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"CAST(CAST(({compiler.process(value, **kw)}) AS NUMERIC) / 100 AS NUMERIC(18, 2))"


class int_div(FunctionElement):
    """Integer division truncating toward zero, of two integral values."""

    type = Numeric()
    inherit_cache = True
    name = "int_div"


@compiles(int_div, "sqlite")
def _int_div_sqlite(element, compiler, **kw):  # both operands are INTEGER: SQLite truncates
    numerator, denominator = list(element.clauses)
    return f"(({compiler.process(numerator, **kw)}) / ({compiler.process(denominator, **kw)}))"


@compiles(int_div)
def _int_div_default(element, compiler, **kw):
    numerator, denominator = list(element.clauses)
    return f"div(({compiler.process(numerator, **kw)}), ({compiler.process(denominator, **kw)}))"


def half_up_div(numerator: ColumnElement, denominator: int) -> ColumnElement:
    """round(numerator / denominator) half away from zero, exactly, for integral values and
    a positive integer denominator."""
    d = literal(denominator, Integer())
    return case((numerator >= 0, int_div(numerator * 2 + d, d * 2)),
                else_=-int_div(-numerator * 2 + d, d * 2))


def interest_of(product: Decimal, rate: Decimal, basis_days: int) -> Decimal:
    """The convention in Python: a product in yuan·days to interest in yuan (half-up)."""
    return (product * rate / basis_days).quantize(FEN, rounding=ROUND_HALF_UP)


# --- settlement -------------------------------------------------------------------------

def _rate(books, rate: Decimal | None) -> Decimal:
    value = rate if rate is not None else books.centre.setting("interest.rate")
    try:
        value = Decimal(str(value)) if value is not None else DEFAULT_RATE
    except InvalidOperation:
        raise BusinessError(f"结息利率无效：{value}", field="rate") from None
    if value < 0 or value >= 1 or value != value.quantize(Decimal(1).scaleb(-4)):
        raise BusinessError(f"结息利率无效：{value}", field="rate")
    return value.quantize(Decimal("0.0001"))


def _basis_days(books, basis_days: int | None) -> int:
    value = basis_days if basis_days is not None else books.centre.setting("interest.basis_days")
    try:
        value = int(value) if value is not None else DEFAULT_BASIS_DAYS
    except (TypeError, ValueError):
        raise BusinessError(f"计息基准天数无效：{value}", field="basis_days") from None
    if value not in (360, 365, 366):
        raise BusinessError(f"计息基准天数无效：{value}", field="basis_days")
    return value


def summary_of(fund_year: int) -> str:
    return f"{fund_year}年度结息"


def settle(books, fund_year: int, *, rate: Decimal | None = None,
           basis_days: int | None = None) -> InterestSettlement:
    """Credit the fund year's interest to every account (see the module docstring).

    Refuses a fund year whose settlement day has not come (``books.today`` before
    (Y+1)-06-30) or that is already settled. Returns the settlement row, with the number
    of accounts credited and the total interest.
    """
    db = books.db
    start, end = months.fund_year_bounds(fund_year)
    if books.today < end:
        raise BusinessError(f"{fund_year}年度的结息日为{end.isoformat()}，尚未到期", field="fund_year")
    rate, basis_days = _rate(books, rate), _basis_days(books, basis_days)
    books.check("interest", fund_year=fund_year, rate=rate, basis_days=basis_days, settled_on=end)

    db.flush()
    connection = db.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # No posting may change a balance between the computation and the credit.
        db.execute(text("LOCK TABLE accounts, units IN SHARE ROW EXCLUSIVE MODE"))
    if db.scalar(select(InterestSettlement.id).where(InterestSettlement.fund_year == fund_year)) is not None:
        raise BusinessError("该年度已结息", field="fund_year")
    flow_no = new_flow_no(db, end)
    settlement = InterestSettlement(fund_year=fund_year, settled_on=end, rate=rate, basis_days=basis_days,
                                    accounts=0, total_interest=ZERO, flow_no=flow_no, actor=books.actor)
    try:
        with db.begin_nested():
            db.add(settlement)
            db.flush()
    except IntegrityError:
        raise BusinessError("该年度已结息", field="fund_year") from None

    days_in_year = (end - start).days + 1
    summary = summary_of(fund_year)
    end_date = literal(end, Date())
    le, accounts, units = LedgerEntry.__table__, Account.__table__, Unit.__table__

    # 1. Each account's interest, computed once into a temporary table.
    days = case((le.c.booked_on < start, literal(days_in_year, Integer())),
                else_=days_between(end_date, le.c.booked_on) + 1)
    products = (select(le.c.account_id.label("account_id"),
                       func.sum(in_fen(le.c.amount + le.c.interest) * days).label("product"))
                .where(le.c.kind == "account", le.c.booked_on <= end)
                .group_by(le.c.account_id).subquery("products"))
    owed = (select(products.c.account_id.label("account_id"),
                   half_up_div(products.c.product * int(rate * RATE_SCALE), RATE_SCALE * basis_days).label("fen"))
            .subquery("owed"))
    run = _run_table()
    if postgresql:  # a batch run: let the aggregates and sorts work in memory
        db.execute(text("SET LOCAL work_mem = '256MB'"))
    run.create(connection)
    db.execute(insert(run).from_select(
        ["account_id", "unit_id", "fen"],
        select(owed.c.account_id, accounts.c.unit_id, owed.c.fen)
        .join(accounts, accounts.c.id == owed.c.account_id)
        .where(owed.c.fen != 0, accounts.c.state.not_in(CLOSED_STATES))))
    if postgresql:
        db.execute(text(f"ANALYZE {run.name}"))

    # 2. The accounts, then their lines, each line with the balance after the credit.
    credited = update(accounts).where(accounts.c.id == run.c.account_id).values(
        balance=from_fen(in_fen(accounts.c.balance) + run.c.fen))
    line_columns = ["flow_no", "kind", "unit_id", "account_id", "business_type", "summary", "amount",
                    "interest", "balance_after", "month", "booked_on", "application_id", "created_at"]
    now = literal(utcnow(), DateTime(timezone=True))

    def account_lines(source):
        return select(literal(flow_no), literal("account"), source.c.unit_id, source.c.account_id,
                      literal(CollectionType.INTEREST.value), literal(summary), literal(ZERO, Money()),
                      from_fen(source.c.fen), source.c.balance, literal(None, String()), end_date,
                      literal(books.application_id, Integer()), now)

    db.execute(credited)
    source = (select(run.c.account_id, run.c.unit_id, run.c.fen, accounts.c.balance)
              .join(accounts, accounts.c.id == run.c.account_id).subquery("credited"))
    db.execute(insert(LedgerEntry).from_select(line_columns, account_lines(source).order_by(source.c.account_id)))

    # 3. The same for the units, with their accounts' totals.
    totals = select(run.c.unit_id.label("unit_id"), func.sum(run.c.fen).label("fen")).group_by(run.c.unit_id)
    totals = totals.subquery("totals")
    db.execute(update(units).where(units.c.id == totals.c.unit_id)
               .values(balance=from_fen(in_fen(units.c.balance) + totals.c.fen)))
    db.execute(insert(LedgerEntry).from_select(
        line_columns,
        select(literal(flow_no), literal("unit"), totals.c.unit_id, literal(None, Integer()),
               literal(CollectionType.INTEREST.value), literal(summary), literal(ZERO, Money()),
               from_fen(totals.c.fen), units.c.balance, literal(None, String()), end_date,
               literal(books.application_id, Integer()), now)
        .join(units, units.c.id == totals.c.unit_id)
        .order_by(totals.c.unit_id)))

    count, total = db.execute(select(func.count(), func.coalesce(func.sum(run.c.fen), 0))).one()
    run.drop(connection)
    mark_changed(db)
    db.expire_all()  # the ORM's copies of accounts and units are stale now
    settlement = db.get(InterestSettlement, settlement.id)
    settlement.accounts = count
    settlement.total_interest = Decimal(int(total)).scaleb(-2).quantize(FEN)
    db.flush()
    return settlement


def _run_table() -> Table:
    """The temporary table of one run: each credited account, its unit and its interest in
    fen (dropped at the end of the run, and by PostgreSQL at the commit in any case)."""
    return Table("interest_run", MetaData(),
                 Column("account_id", Integer, nullable=False),
                 Column("unit_id", Integer, nullable=False),
                 Column("fen", BigInteger, nullable=False),
                 prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


# --- statements -------------------------------------------------------------------------

def _settlement(db, fund_year: int) -> InterestSettlement | None:
    return db.scalars(select(InterestSettlement).where(InterestSettlement.fund_year == fund_year)).one_or_none()


def _opening(db, where, start: date) -> Decimal:
    le = LedgerEntry
    total = db.scalar(select(func.coalesce(func.sum(le.amount + le.interest), 0).cast(Money()))
                      .where(*where, le.booked_on < start))
    return Decimal(total)


def _line(entry: LedgerEntry, balance: Decimal) -> dict:
    return {"date": entry.booked_on, "flow_no": entry.flow_no, "business_type": entry.business_type,
            "summary": entry.summary, "month": entry.month, "amount": entry.amount,
            "interest": entry.interest, "balance": balance}


def account_statement(books, account_id: int, fund_year: int) -> dict:
    """结息对账单 of one account for one fund year.

    ``opening_balance`` is the balance at the end of Y-06-30; ``lines`` are the lines
    booked within the fund year in date order, each with the running ``balance``;
    ``deposits`` is the net principal of those lines (deposits less any withdrawals or
    transfers out), ``interest`` their interest (the year-end credit, booked on the
    settlement day, and any other interest), so that
    ``opening_balance + deposits + interest == closing_balance``. ``settled_interest``
    is the interest of the year's settlement run (None before the run).
    """
    db = books.db
    account = db.get(Account, account_id)
    if account is None:
        raise BusinessError("个人账户不存在", field="account_no")
    start, end = months.fund_year_bounds(fund_year)
    where = (LedgerEntry.kind == "account", LedgerEntry.account_id == account_id)
    opening = _opening(db, where, start)
    entries = db.scalars(select(LedgerEntry).where(*where, LedgerEntry.booked_on >= start,
                                                   LedgerEntry.booked_on <= end)
                         .order_by(LedgerEntry.booked_on, LedgerEntry.id)).all()
    balance, lines = opening, []
    for entry in entries:
        balance += entry.amount + entry.interest
        lines.append(_line(entry, balance))
    settlement = _settlement(db, fund_year)
    settled = None
    if settlement is not None:
        settled = sum((e.interest for e in entries if e.flow_no == settlement.flow_no), ZERO)
    person = db.get(Person, account.person_id)
    unit = db.get(Unit, account.unit_id)
    return {
        "fund_year": fund_year, "period": (start, end),
        "account_id": account.id, "account_no": account.account_no, "name": person.name,
        "unit_id": unit.id, "unit_no": unit.unit_no, "unit_name": unit.name,
        "opening_balance": opening, "lines": lines,
        "deposits": sum((e.amount for e in entries), ZERO),
        "interest": sum((e.interest for e in entries), ZERO),
        "settled_interest": settled,
        "rate": settlement.rate if settlement else None,
        "closing_balance": balance,
    }


def unit_statement(books, unit_id: int, fund_year: int) -> dict:
    """结息对账单 of one unit: its own ledger's opening, deposits (net principal),
    interest and closing for the fund year, and one row per account with the same four
    figures from the account lines booked under this unit (accounts with neither an
    opening balance nor a line in the year are left out). ``headcount`` is the number of
    rows. The unit's figures include its suspense (暂存款), the rows do not: the
    difference is ``suspense_opening`` / ``suspense_closing``.
    """
    db = books.db
    unit = db.get(Unit, unit_id)
    if unit is None:
        raise BusinessError("单位不存在", field="unit_id")
    start, end = months.fund_year_bounds(fund_year)
    le = LedgerEntry
    before = le.booked_on < start
    within = and_(le.booked_on >= start, le.booked_on <= end)

    def sums(kind, key=None):
        columns = [func.coalesce(func.sum(case((before, le.amount + le.interest), else_=0)), 0).cast(Money()),
                   func.coalesce(func.sum(case((within, le.amount), else_=0)), 0).cast(Money()),
                   func.coalesce(func.sum(case((within, le.interest), else_=0)), 0).cast(Money()),
                   func.count().filter(within)]
        query = select(*([key] if key is not None else []), *columns).where(
            le.kind == kind, le.unit_id == unit_id, le.booked_on <= end)
        return query.group_by(key) if key is not None else query

    opening, deposits, interest, _ = db.execute(sums("unit")).one()
    suspense_opening, suspense_moves, _, _ = db.execute(sums("suspense")).one()
    per_account = sums("account", le.account_id).subquery("per_account")
    c = per_account.c
    opening_col, deposits_col, interest_col, count_col = list(c)[1:]
    rows = []
    query = (select(Account.id, Account.account_no, Person.name, Account.state, opening_col, deposits_col,
                    interest_col, count_col)
             .join(per_account, c.account_id == Account.id).join(Person, Person.id == Account.person_id)
             .order_by(Account.account_no))
    for aid, number, name, state, a_open, a_dep, a_int, n in db.execute(query):
        a_open, a_dep, a_int = Decimal(a_open), Decimal(a_dep), Decimal(a_int)
        if a_open == 0 and not n:
            continue
        rows.append({"account_id": aid, "account_no": number, "name": name, "state": state,
                     "opening_balance": a_open, "deposits": a_dep, "interest": a_int,
                     "closing_balance": a_open + a_dep + a_int})
    opening, deposits, interest = Decimal(opening), Decimal(deposits), Decimal(interest)
    suspense_opening = Decimal(suspense_opening)
    return {
        "fund_year": fund_year, "period": (start, end),
        "unit_id": unit.id, "unit_no": unit.unit_no, "unit_name": unit.name,
        "opening_balance": opening, "deposits": deposits, "interest": interest,
        "closing_balance": opening + deposits + interest,
        "suspense_opening": suspense_opening, "suspense_closing": suspense_opening + Decimal(suspense_moves),
        "headcount": len(rows), "rows": rows,
    }


def yearly_personal_statement(books, account_id: int, fund_year: int) -> dict:
    """年度对账 of one account: the deposit months of the fund year that were paid and
    the amounts by month (principal of the lines booked for each month, whenever booked
    up to the settlement day), the months of the year left unpaid, the interest of the
    year and the balances."""
    db = books.db
    statement = account_statement(books, account_id, fund_year)
    start, end = months.fund_year_bounds(fund_year)
    year_months = months.between(months.of(start), months.of(end))
    rows = db.execute(select(LedgerEntry.month, func.sum(LedgerEntry.amount).cast(Money()))
                      .where(LedgerEntry.kind == "account", LedgerEntry.account_id == account_id,
                             LedgerEntry.month.in_(year_months), LedgerEntry.booked_on <= end)
                      .group_by(LedgerEntry.month).order_by(LedgerEntry.month)).all()
    by_month = {m: Decimal(a) for m, a in rows if Decimal(a) != 0}
    paid = [m for m in year_months if by_month.get(m, ZERO) > 0]
    account = db.get(Account, account_id)
    return {
        "fund_year": fund_year, "period": (start, end),
        "account_id": account_id, "account_no": statement["account_no"], "name": statement["name"],
        "unit_no": statement["unit_no"], "unit_name": statement["unit_name"],
        "monthly_amount": account.monthly_amount, "paid_to": account.paid_to,
        "months_paid": paid, "months_unpaid": [m for m in year_months if m not in paid],
        "amounts_by_month": by_month, "deposits_total": sum(by_month.values(), ZERO),
        "opening_balance": statement["opening_balance"], "interest": statement["interest"],
        "settled_interest": statement["settled_interest"], "closing_balance": statement["closing_balance"],
        "balance": account.balance,
    }
