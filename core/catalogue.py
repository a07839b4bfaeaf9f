"""A centre's catalogue: its items, login methods, layouts, materials and menu.

Built once at start-up from the collected hooks and checked there, so that a plugin
mistake (a duplicate code, an unknown material, two plugins disagreeing) stops the
process with a message instead of surfacing in front of an operator.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, TypeVar

import pluggy

from core.centres import Centre, ConfigurationError
from core.contract import (
    ApprovalChain, BusinessItem, DepositPolicy, LoginMethod, MaterialType, MenuEntry, Theme,
    VoucherLayout,
)

T = TypeVar("T")


def _unique(kind: str, key: str, results: Iterable[list[T]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for result in results:
        for value in result or ():
            code = getattr(value, key)
            if code in found and found[code] != value:
                raise ConfigurationError(f"{kind} {code!r} is declared twice, differently")
            found[code] = value
    return found


def _merge_overrides(centre: Centre, item: BusinessItem, results: list[dict | None]) -> BusinessItem:
    changes: dict[str, object] = {}
    for result in results:
        for name, value in (result or {}).items():
            if name == "code":
                raise ConfigurationError(f"item {item.code!r}: an override cannot change the code")
            if name in changes and changes[name] != value:
                raise ConfigurationError(
                    f"centre {centre.name!r}, item {item.code!r}: two plugins set {name!r} to "
                    f"{changes[name]!r} and {value!r}")
            changes[name] = value
    try:
        return replace(item, **changes)
    except TypeError as error:
        raise ConfigurationError(f"item {item.code!r}: bad override: {error}") from None


@dataclass(frozen=True)
class Catalogue:
    items: dict[str, BusinessItem]
    login_methods: tuple[LoginMethod, ...]
    voucher_layouts: dict[str, VoucherLayout]
    material_types: dict[str, MaterialType]
    menu: tuple[MenuEntry, ...]
    theme: Theme


def sort_menu(entries: list[MenuEntry]) -> tuple[MenuEntry, ...]:
    """Entries in menu order: a group stands where its first entry (lowest ``order``)
    would, so a city numbering its items as its manual does gets the manual's menu."""
    first: dict[tuple[str, ...], tuple[int, str]] = {}
    for entry in entries:
        for depth in range(1, len(entry.path) + 1):
            prefix = entry.path[:depth]
            first[prefix] = min(first.get(prefix, (entry.order, entry.title)), (entry.order, entry.title))

    def key(entry: MenuEntry):
        groups = tuple((*first[entry.path[:depth]], entry.path[depth - 1]) for depth in range(1, len(entry.path) + 1))
        return (*groups, (entry.order, entry.title, ""))

    return tuple(sorted(entries, key=key))


def build_catalogue(centre: Centre, pm: pluggy.PluginManager) -> Catalogue:
    hook = pm.hook
    defined = _unique("business item", "code", hook.opengjj_business_items(centre=centre))
    enabled = hook.opengjj_enabled_items(centre=centre)
    codes = list(defined) if enabled is None else list(enabled)
    unknown = [code for code in codes if code not in defined]
    if unknown:
        raise ConfigurationError(f"centre {centre.name!r} enables undefined items: {', '.join(unknown)}")
    materials = _unique("material type", "code", hook.opengjj_material_types(centre=centre))
    layouts = _unique("voucher layout", "code", hook.opengjj_voucher_layouts(centre=centre))
    items: dict[str, BusinessItem] = {}
    for code in codes:
        item = _merge_overrides(centre, defined[code], hook.opengjj_item_overrides(centre=centre, item=defined[code]))
        chain = hook.opengjj_approval_chain(centre=centre, item=item)
        if not isinstance(chain, ApprovalChain):
            raise ConfigurationError(f"item {code!r}: the approval chain must be an ApprovalChain")
        item = replace(item, chain=chain)
        for kind, names, known in (("material type", item.materials, materials),
                                   ("voucher layout", item.vouchers, layouts)):
            missing = [name for name in names or () if name not in known]
            if missing:
                raise ConfigurationError(f"item {code!r} names undeclared {kind}s: {', '.join(missing)}")
        items[code] = item
    logins = _unique("login method", "name", hook.opengjj_login_methods(centre=centre))
    menu = [entry for result in hook.opengjj_menu(centre=centre, items=items) for entry in result or ()]
    return Catalogue(
        items=items,
        login_methods=tuple(sorted(logins.values(), key=lambda m: (m.order, m.name))),
        voucher_layouts=layouts,
        material_types=materials,
        menu=sort_menu(menu),
        theme=hook.opengjj_theme(centre=centre),
    )


def deposit_policy(centre: Centre, pm: pluggy.PluginManager, fund_year: int) -> DepositPolicy:
    policy = pm.hook.opengjj_deposit_policy(centre=centre, fund_year=fund_year)
    if not isinstance(policy, DepositPolicy):
        raise ConfigurationError(f"centre {centre.name!r}: no deposit policy for fund year {fund_year}")
    return policy
