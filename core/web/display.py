"""How values are shown: masked IDs and phones, labels, money, the deposit chart."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from core.codes import AccountState, UnitState
from core.contract import ACTIONS, ROLES
from core.workflow import status_label

__all__ = ["mask_id", "mask_phone", "yuan", "Bar", "bar_chart", "labels"]


def mask_id(value: str | None) -> str:
    """1405021990…1234 → 140502********1234: lists show the region and the last four."""
    if not value:
        return ""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else value[:1] + "***"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else value[:2] + "****"


def yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{(value * 100).normalize():f}%"


def local_time(moment) -> str:
    from core.passwords import CHINA

    if moment is None:
        return ""
    if moment.tzinfo is None:
        from datetime import timezone
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


labels = {
    "status": status_label,
    "action": lambda code: ACTIONS.get(code, code),
    "role": lambda code: ROLES.get(code, code),
    "account_state": lambda code: dict(AccountState.choices()).get(code, code),
    "unit_state": lambda code: dict(UnitState.choices()).get(code, code),
}


@dataclass(frozen=True)
class Bar:
    month: str
    amount: Decimal
    headcount: int


def bar_chart(bars: Sequence[Bar], width: int = 720, height: int = 220) -> str:
    """An inline SVG: monthly amounts as bars, headcount as a line (no script needed)."""
    if not bars:
        return '<p class="empty">近12个月没有缴存记录</p>'
    top = max(b.amount for b in bars) or Decimal(1)
    most = max(b.headcount for b in bars) or 1
    step = width / len(bars)
    chart_h = height - 40
    parts = [f'<svg class="deposit-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="近12个月缴存金额与人数">']
    points = []
    for i, bar in enumerate(bars):
        h = float(bar.amount / top) * chart_h
        x = i * step + step * 0.2
        parts.append(f'<rect x="{x:.1f}" y="{chart_h - h + 10:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" '
                     f'class="bar"><title>{bar.month} 缴存 {yuan(bar.amount)} 元，{bar.headcount} 人</title></rect>')
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{height - 12}" text-anchor="middle" '
                     f'class="axis">{bar.month[2:]}</text>')
        points.append(f"{x + step * 0.3:.1f},{chart_h + 10 - bar.headcount / most * chart_h:.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" class="heads" fill="none"/>')
    parts.append("</svg>")
    return "".join(parts)
