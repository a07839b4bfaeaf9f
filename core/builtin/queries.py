"""Core's record queries, and their places in the hall's menu (as the centre's
``query.<code>.title`` / ``.menu`` / ``.order`` settings place them)."""
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_record_queries(centre):
    from core.queries.catalogue import CORE_QUERIES

    return list(CORE_QUERIES)


@hookimpl(trylast=True)
def opengjj_menu(centre, items):
    from core.queries.catalogue import CORE_QUERIES
    from core.queries.registry import disabled, menu_entries

    hidden = disabled(centre)
    return menu_entries((q for q in CORE_QUERIES if q.code not in hidden), centre=centre)
