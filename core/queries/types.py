"""The value types of a record query (记录查询): its filters, its columns, the query itself.

Plain frozen dataclasses, like :mod:`core.contract`, so a plugin builds them without the
web layer. A query reads its rows either from ``source`` (a SQLAlchemy ``Select`` the
framework filters, orders, counts, sums and pages in SQL) or from ``compute`` (a
statement worked out by the money engine, for the few queries that are not one select).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

FILTER_KINDS = ("text", "select", "date_range", "month_range", "year")
MATCHES = ("equals", "contains", "prefix")
COLUMN_KINDS = ("text", "money", "int", "date", "datetime", "month", "ratio", "code")
MASKS = (None, "id", "phone")


@dataclass(frozen=True)
class QueryFilter:
    """One condition of a query's form; every condition is optional and they combine (AND).

    ``column`` names the result column it filters (any label of the source's select,
    shown or not); None: the source reads the value itself (``year`` filters).
    ``date_range`` and ``month_range`` read ``<name>_from`` and ``<name>_to``.
    """

    name: str
    title: str
    kind: str = "text"
    column: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    match: str = "equals"
    #: "id" or "phone": the value is masked where the conditions are repeated in words
    masked: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FILTER_KINDS:
            raise ValueError(f"filter {self.name!r}: kind must be one of {FILTER_KINDS}")
        if self.match not in MATCHES:
            raise ValueError(f"filter {self.name!r}: match must be one of {MATCHES}")
        if self.kind == "select" and not self.choices:
            raise ValueError(f"filter {self.name!r}: a select needs choices")

    @property
    def params(self) -> tuple[str, ...]:
        """The request parameters this filter reads."""
        if self.kind in ("date_range", "month_range"):
            return (f"{self.name}_from", f"{self.name}_to")
        return (self.name,)


@dataclass(frozen=True)
class QueryColumn:
    """One column of the result. ``masked`` ("id" or "phone") masks it everywhere it is
    shown, exported, printed or shared; ``labels`` turn codes into words; ``compute``
    derives the value from the whole row (only for shown rows, never in SQL)."""

    name: str
    title: str
    kind: str = "text"
    masked: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    compute: Callable[[Mapping[str, Any]], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"column {self.name!r}: kind must be one of {COLUMN_KINDS}")
        if self.masked not in MASKS:
            raise ValueError(f"column {self.name!r}: masked must be one of {MASKS}")


@dataclass(frozen=True)
class Link:
    """Where a row's 查看详情 leads: another query (by code) with these filter values."""

    query: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RecordQuery:
    """A record query of the hall (单位缴存流水, 缴存人清册, 变更记录 ...).

    - ``source(unit_id, values)`` returns a ``Select`` whose labelled columns include
      ``unit_id``: the framework always adds ``unit_id = <the operator's unit>``, so a
      query can never show another unit's rows, whatever its source forgets;
    - ``compute(db, runtime, unit_id, values)`` instead returns a
      :class:`Computed` (rows and summary lines) for statements the money engine builds;
    - ``order`` names the sort columns (``"-booked_on"`` descending); ``totals`` the
      columns summed over *all* matching rows (not just the page);
    - ``detail(row)`` gives the row's 查看详情 :class:`Link` (or None); a row whose
      ``application_id`` is set also links to 查看已办任务 (the application in the hall).
    """

    code: str
    title: str
    columns: tuple[QueryColumn, ...]
    filters: tuple[QueryFilter, ...] = ()
    menu_path: tuple[str, ...] = ("查询",)
    order: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()
    source: Callable[[int, Mapping[str, str]], Any] | None = field(default=None, compare=False)
    compute: Callable[..., "Computed"] | None = field(default=None, compare=False)
    detail: Callable[[Mapping[str, Any]], Link | None] | None = field(default=None, compare=False)
    description: str = ""
    menu_order: int = 100

    def __post_init__(self) -> None:
        if (self.source is None) == (self.compute is None):
            raise ValueError(f"query {self.code!r}: give exactly one of source and compute")
        names = [c.name for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"query {self.code!r}: two columns share a name")
        unknown = [t for t in self.totals if t not in names]
        if unknown:
            raise ValueError(f"query {self.code!r}: totals of unknown columns {unknown}")
        filters = [f.name for f in self.filters]
        if len(filters) != len(set(filters)):
            raise ValueError(f"query {self.code!r}: two filters share a name")

    def column(self, name: str) -> QueryColumn:
        return next(c for c in self.columns if c.name == name)

    def filter(self, name: str) -> QueryFilter | None:
        return next((f for f in self.filters if f.name == name), None)


@dataclass(frozen=True)
class Computed:
    """What a ``compute`` query returns: every row (dicts keyed by column name), and
    summary lines (title, text) shown above the table."""

    rows: list[dict[str, Any]]
    summary: tuple[tuple[str, str], ...] = ()
