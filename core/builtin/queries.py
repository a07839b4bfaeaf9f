"""Core's standard record queries, and their places in the hall's menu."""
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_record_queries(centre):
    from core.queries.standard import STANDARD_QUERIES

    return list(STANDARD_QUERIES)


@hookimpl(trylast=True)
def opengjj_menu(centre, items):
    from core.queries.registry import menu_entries
    from core.queries.standard import STANDARD_QUERIES

    disabled = set((centre.setting("queries.disabled") or "").replace(",", " ").split())
    return menu_entries(q for q in STANDARD_QUERIES if q.code not in disabled)
