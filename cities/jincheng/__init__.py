"""Jincheng (晋城, seed 000): how this centre differs from core."""
from core.contract import Theme
from core.hookspecs import hookimpl


@hookimpl
def opengjj_theme(centre):
    return Theme(
        name="jincheng",
        title=centre.title,
        templates="themes.jincheng:templates/",
        static="themes.jincheng:static/",
        colours={"primary": "#b22222", "primary-dark": "#7f1515", "accent": "#f0c040"},
    )
