"""Business months ('YYYY-MM') and fund years (1 July – 30 June)."""
from __future__ import annotations

from datetime import date


def parse(month: str) -> tuple[int, int]:
    year, mon = month.split("-")
    return int(year), int(mon)


def of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add(month: str, n: int) -> str:
    year, mon = parse(month)
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def following(month: str | None) -> str | None:
    return add(month, 1) if month else None


def span(first: str, count: int) -> list[str]:
    return [add(first, i) for i in range(count)]


def between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty if last < first)."""
    (y1, m1), (y2, m2) = parse(first), parse(last)
    return span(first, (y2 - y1) * 12 + (m2 - m1) + 1) if (y2, m2) >= (y1, m1) else []


def fund_year(month: str) -> int:
    """The fund year a month belongs to, named by the year it starts (July)."""
    year, mon = parse(month)
    return year if mon >= 7 else year - 1


def fund_year_of(day: date) -> int:
    return day.year if day.month >= 7 else day.year - 1


def fund_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 7, 1), date(year + 1, 6, 30)
