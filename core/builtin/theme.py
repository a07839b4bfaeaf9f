"""Default theme: core's own templates and static files, the centre's title."""
from core.contract import Theme
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_theme(centre):
    return Theme(name="core", title=centre.title)
