"""Shaanxi provincial centre (陕西, seeds 003 and 001): how this centre differs from core.

Deposit policy differences (personal ratio = unit ratio, rounding of the total, three
months per verification, the monthly cap) are settings in config/shaanxi.ini.
"""
from cities.shaanxi.rules import opengjj_operation_rules
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#1d4e89", "primary-dark": "#12335a", "accent": "#c8a24a"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("shaanxi", centre.title, COLOURS)


__all__ = ["opengjj_operation_rules", "opengjj_theme"]
