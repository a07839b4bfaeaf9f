"""Jincheng (晋城, seed 000): how this centre differs from core.

- the sixteen task items of its manual, their titles, menu and counter chains
  (:mod:`cities.jincheng.items`);
- its look (:mod:`themes.jincheng`);
- settings in config/jincheng.ini: login by the operator's ID number, password reset by
  SMS, vouchers printed and fixed before submission, record query titles.
"""
from cities.jincheng import items
from cities.jincheng.demo import opengjj_demo_data
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#b22222", "primary-dark": "#7f1515", "accent": "#f0c040"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("jincheng", centre.title, COLOURS, templates=True)


@hookimpl
def opengjj_enabled_items(centre):
    return [item.code for item in items.ITEMS]


@hookimpl
def opengjj_item_overrides(centre, item):
    return items.overrides(item.code)


@hookimpl
def opengjj_approval_chain(centre, item):
    found = items.BY_CODE.get(item.code)
    return found.chain if found else None


__all__ = ["opengjj_approval_chain", "opengjj_demo_data", "opengjj_enabled_items", "opengjj_item_overrides",
           "opengjj_theme"]
