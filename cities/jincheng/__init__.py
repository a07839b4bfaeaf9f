"""Jincheng (晋城, seed 000): how this centre differs from core."""
from core.contract import Theme
from core.hookspecs import hookimpl

COLOURS = {"primary": "#b22222", "primary-dark": "#7f1515", "accent": "#f0c040"}


@hookimpl
def opengjj_theme(centre):
    return Theme.bundled("jincheng", centre.title, COLOURS, templates=True)
