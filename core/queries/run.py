"""Running a record query: the filter values, one page, the count and the totals.

Set-based: a page is one ``SELECT … LIMIT/OFFSET``, the count and every total one
aggregate over the same filtered rows; rows are never all loaded to be counted or summed.
Exports stream the rows in batches (:func:`stream`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterator, Mapping

from sqlalchemy import DateTime, func, select
from sqlalchemy.orm import Session

from core.queries.types import Computed, QueryFilter, RecordQuery

PER_PAGE = 20
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CHINA = timezone(timedelta(hours=8))


@dataclass
class Result:
    """One page of a query's rows, the count and totals of all matching rows."""

    query: RecordQuery
    values: dict[str, str]
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    totals: dict[str, Decimal] = field(default_factory=dict)
    summary: tuple[tuple[str, str], ...] = ()

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def _valid(f: QueryFilter, param: str, value: str) -> bool:
    if f.kind == "select":
        return value in {code for code, _ in f.choices}
    if f.kind == "date_range":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if f.kind == "month_range":
        return bool(MONTH.match(value))
    if f.kind == "year":
        return value.isdigit() and 1990 <= int(value) <= 2200
    return len(value) <= 100


def clean(query: RecordQuery, params: Mapping[str, Any]) -> dict[str, str]:
    """The query's filter values found in ``params``: known names only, stripped, the
    empty and the malformed left out (a condition left empty does not filter)."""
    values: dict[str, str] = {}
    for f in query.filters:
        for param in f.params:
            raw = params.get(param)
            value = str(raw).strip() if raw is not None else ""
            if value and _valid(f, param, value):
                values[param] = value
    return values


def _day_bound(value: str, column, end: bool):
    day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
    if isinstance(column.type, DateTime):
        # stored in UTC; the operator's days are China's days
        return datetime.combine(day, time(), CHINA).astimezone(timezone.utc)
    return day


def conditions(query: RecordQuery, columns, values: Mapping[str, str]) -> list:
    """The WHERE conditions of the filled filters, on ``columns`` (a subquery's ``.c``)."""
    found = []
    for f in query.filters:
        if f.column is None:
            continue
        column = columns[f.column]
        if f.kind in ("date_range", "month_range"):
            low, high = values.get(f"{f.name}_from"), values.get(f"{f.name}_to")
            if f.kind == "date_range":
                if low:
                    found.append(column >= _day_bound(low, column, end=False))
                if high:
                    found.append(column < _day_bound(high, column, end=True))
            else:
                if low:
                    found.append(column >= low)
                if high:
                    found.append(column <= high)
            continue
        value = values.get(f.name)
        if not value:
            continue
        if f.match == "contains":
            found.append(column.contains(value, autoescape=True))
        elif f.match == "prefix":
            found.append(column.startswith(value, autoescape=True))
        else:
            found.append(column == value)
    return found


def _ordering(query: RecordQuery, columns) -> list:
    order = []
    for name in query.order:
        column = columns[name.lstrip("-")]
        order.append(column.desc() if name.startswith("-") else column.asc())
    return order


def filtered(query: RecordQuery, unit_id: int, values: Mapping[str, str]):
    """The query's rows of this unit matching ``values``, ordered: a ``Select``."""
    base = query.source(unit_id, values).subquery("q")
    # Always, whatever the source says: only the operator's own unit.
    where = [base.c.unit_id == unit_id, *conditions(query, base.c, values)]
    return base, where


def _matches_computed(query: RecordQuery, row: Mapping[str, Any], values: Mapping[str, str]) -> bool:
    for f in query.filters:
        if f.column is None:
            continue
        cell = row.get(f.column)
        if f.kind in ("date_range", "month_range"):
            low, high = values.get(f"{f.name}_from"), values.get(f"{f.name}_to")
            text = cell.isoformat()[:10] if isinstance(cell, (date, datetime)) else str(cell or "")
            if (low and text < low) or (high and text > high):
                return False
            continue
        value = values.get(f.name)
        if not value:
            continue
        text = str(cell or "")
        if not (value in text if f.match == "contains" else
                text.startswith(value) if f.match == "prefix" else text == value):
            return False
    return True


def _computed(db: Session, runtime, query: RecordQuery, unit_id: int, values: Mapping[str, str]) -> Computed:
    computed = query.compute(db, runtime, unit_id, values)
    rows = [row for row in computed.rows if _matches_computed(query, row, values)]
    return Computed(rows=rows, summary=computed.summary)


def run(db: Session, runtime, query: RecordQuery, unit_id: int, values: Mapping[str, str],
        page: int = 1, per_page: int = PER_PAGE) -> Result:
    """One page of the query for this unit, with the count and totals of all matching rows."""
    page = max(page, 1)
    values = dict(values)
    if query.compute is not None:
        computed = _computed(db, runtime, query, unit_id, values)
        totals = {name: sum((Decimal(r.get(name) or 0) for r in computed.rows), Decimal("0.00"))
                  for name in query.totals}
        start = (page - 1) * per_page
        return Result(query, values, computed.rows[start:start + per_page], len(computed.rows), page,
                      per_page, totals, computed.summary)
    base, where = filtered(query, unit_id, values)
    aggregates = [func.count()] + [func.sum(base.c[name]) for name in query.totals]
    count, *sums = db.execute(select(*aggregates).select_from(base).where(*where)).one()
    totals = {name: (value if value is not None else Decimal("0.00")) for name, value in zip(query.totals, sums)}
    pages = max((count + per_page - 1) // per_page, 1)
    page = min(page, pages)
    rows = db.execute(select(base).where(*where).order_by(*_ordering(query, base.c))
                      .offset((page - 1) * per_page).limit(per_page)).mappings().all()
    return Result(query, values, [dict(r) for r in rows], count, page, per_page, totals)


def stream(db: Session, runtime, query: RecordQuery, unit_id: int, values: Mapping[str, str],
           limit: int | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching row in order (at most ``limit``), fetched ``batch`` rows at a time."""
    if query.compute is not None:
        rows = _computed(db, runtime, query, unit_id, values).rows
        yield from (rows if limit is None else rows[:limit])
        return
    base, where = filtered(query, unit_id, values)
    statement = select(base).where(*where).order_by(*_ordering(query, base.c))
    if limit is not None:
        statement = statement.limit(limit)
    result = db.execute(statement.execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)
