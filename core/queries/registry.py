"""A centre's record queries, collected from ``opengjj_record_queries`` and checked."""
from __future__ import annotations

import pluggy

from core.centres import Centre, ConfigurationError
from core.contract import MenuEntry
from core.queries.types import RecordQuery


def collect(centre: Centre, pm: pluggy.PluginManager) -> dict[str, RecordQuery]:
    """Every query of the centre by code, sorted by ``(menu_path, menu_order, code)``;
    a code declared twice, differently, stops start-up; ``queries.disabled`` (codes)
    leaves some out."""
    found: dict[str, RecordQuery] = {}
    for result in pm.hook.opengjj_record_queries(centre=centre):
        for query in result or ():
            if not isinstance(query, RecordQuery):
                raise ConfigurationError(f"opengjj_record_queries must return RecordQuery values, not {query!r}")
            known = found.get(query.code)
            if known is not None and known is not query and known != query:
                raise ConfigurationError(f"record query {query.code!r} is declared twice, differently")
            found[query.code] = query
    disabled = set((centre.setting("queries.disabled") or "").replace(",", " ").split())
    ordered = sorted((q for q in found.values() if q.code not in disabled),
                     key=lambda q: (q.menu_path, q.menu_order, q.code))
    return {q.code: q for q in ordered}


def menu_entries(queries) -> list[MenuEntry]:
    """The hall's menu entries of these queries (``opengjj_menu`` returns them)."""
    return [MenuEntry(path=q.menu_path, title=q.title, url=f"hall/queries/{q.code}", order=q.menu_order)
            for q in queries if q.menu_path]
