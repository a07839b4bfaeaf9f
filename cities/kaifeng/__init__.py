"""Kaifeng (开封, seed 004): how this centre differs from core."""
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#8a5a19", "primary-dark": "#5e3d10", "accent": "#d9b26f"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("kaifeng", centre.title, COLOURS)
