"""A plugin with a typo in a hook name: start-up must refuse it."""
from core.hookspecs import hookimpl


@hookimpl
def opengjj_thme(centre):
    return None
