"""Core's standard items, and the defaults: every defined item enabled, its own chain, its
own menu place."""
from core.centres import ConfigurationError
from core.contract import (
    BACKGROUND_JOB, FIRST_REVIEW, SECOND_REVIEW, VOUCHER_PRINT, ApprovalChain, MenuEntry,
)
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_business_items(centre):
    from core.items.library import standard_items

    return list(standard_items())


@hookimpl(trylast=True)
def opengjj_enabled_items(centre):
    return None  # no opinion: the catalogue enables every defined item


STEPS = {step.role: step for step in (FIRST_REVIEW, SECOND_REVIEW, VOUCHER_PRINT, BACKGROUND_JOB)}


def chain_from_setting(value: str) -> ApprovalChain:
    """``chain.<item> = first_review second_review unit_voucher_print`` (``instant`` for none)."""
    roles = value.split()
    if roles == ["instant"]:
        return ApprovalChain()
    unknown = [r for r in roles if r not in STEPS]
    if unknown or not roles:
        raise ConfigurationError(f"unknown chain steps {unknown or value!r}; use instant or {', '.join(STEPS)}")
    return ApprovalChain(tuple(STEPS[r] for r in roles))


@hookimpl(trylast=True)
def opengjj_approval_chain(centre, item):
    """The chain the centre's settings declare for the item, else the item's own."""
    declared = centre.setting(f"chain.{item.code}")
    return chain_from_setting(declared) if declared else item.chain


@hookimpl(trylast=True)
def opengjj_menu(centre, items):
    return [
        MenuEntry(path=item.menu_path, title=item.title, item=item.code, order=item.order)
        for item in items.values() if item.menu_path
    ]
