"""Default deposit policy: read from the centre's ``deposit.*`` settings."""
from __future__ import annotations

from decimal import Decimal

from core.contract import DepositPolicy
from core.hookspecs import hookimpl

DEFAULTS = {
    "base_floor": "1900",
    "base_cap": "30000",
    "unit_ratio_min": "0.05",
    "unit_ratio_max": "0.12",
    "personal_ratio_min": "0.05",
    "personal_ratio_max": "0.12",
    "ratio_step": "0.01",
}


def policy_from_settings(centre, fund_year: int) -> DepositPolicy:
    """Settings may be per fund year: ``deposit.2026.base_cap`` beats ``deposit.base_cap``."""

    def get(key: str, default: str | None = None) -> str | None:
        return centre.setting(f"deposit.{fund_year}.{key}", centre.setting(f"deposit.{key}", default))

    cap = get("monthly_cap")
    max_months = get("max_months_per_verification")
    return DepositPolicy(
        **{key: Decimal(get(key, value)) for key, value in DEFAULTS.items()},
        personal_ratio_rule=get("personal_ratio_rule", "free"),
        rounding=get("rounding", "half_up_fen"),
        round_parts=get("round_parts", "each"),
        monthly_cap=Decimal(cap) if cap else None,
        ratio_change_applies=get("ratio_change_applies", "immediately"),
        max_months_per_verification=int(max_months) if max_months else None,
    )


@hookimpl(trylast=True)
def opengjj_deposit_policy(centre, fund_year):
    return policy_from_settings(centre, fund_year)
