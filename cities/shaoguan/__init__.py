"""Shaoguan (韶关, seed 002): how this centre differs from core."""
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#0a7e62", "primary-dark": "#075a46", "accent": "#f5a623"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("shaoguan", centre.title, COLOURS)
