"""Shaanxi provincial centre (陕西, seeds 003 and 001): how this centre differs from core."""
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#1d4e89", "primary-dark": "#12335a", "accent": "#c8a24a"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("shaanxi", centre.title, COLOURS)
