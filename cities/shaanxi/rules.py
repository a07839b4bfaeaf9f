"""Shaanxi's business rules (seed 003 and its UKey variant, seed 001)."""
from core.hookspecs import hookimpl
from core.money.rules import deposits
from core.money.rules.accounts import age_limits, unseal_not_in_seal_month


@hookimpl
def opengjj_operation_rules(centre, db, operation):
    from core.builtin.policy import policy_from_settings

    return [
        # §4 开户 and §8 启封: under 16, or past 55 (women) / 60 (men), is counter business.
        *age_limits(operation),
        # §8: an account sealed this business month is not unsealed in the same month.
        *unseal_not_in_seal_month(operation),
        # §13.1 补缴: this fund year only, not after the unit's paid_to, within the monthly cap.
        *deposits.supplement_current_fund_year_only(operation),
        *deposits.supplement_not_after_paid_to(operation, db),
        *deposits.supplement_within_monthly_cap(operation, db, lambda year: policy_from_settings(centre, year)),
    ]
