"""Shaanxi's business rules (seed 003 and its UKey variant, seed 001)."""
from core.hookspecs import hookimpl
from core.money.rules.accounts import age_limits, unseal_not_in_seal_month


@hookimpl
def opengjj_operation_rules(centre, db, operation):
    # §4 开户 and §8 启封: under 16, or past 55 (women) / 60 (men), is counter business;
    # §8: an account sealed this business month is not unsealed in the same month.
    return [*age_limits(operation), *unseal_not_in_seal_month(operation)]
