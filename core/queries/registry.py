"""A centre's record queries, collected from ``opengjj_record_queries``, checked, and
titled and placed as the centre's settings say."""
from __future__ import annotations

import dataclasses
from typing import Iterable

import pluggy

from core.centres import Centre, ConfigurationError
from core.contract import MenuEntry
from core.queries.types import RecordQuery

#: a centre's own title, menu path and order of a query: ``query.<code>.<part>``
PLACEMENT = ("title", "menu", "order")


def disabled(centre: Centre) -> set[str]:
    """The codes the centre setting ``queries.disabled`` hides."""
    return set((centre.setting("queries.disabled") or "").replace(",", " ").split())


def _menu_path(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("/") if part.strip())


def placed(centre: Centre, query: RecordQuery) -> RecordQuery:
    """The query as this centre titles and places it.

    ``query.<code>.title`` replaces the title (menu, list, page, export, printout);
    ``query.<code>.menu`` the menu path, groups separated by ``/`` (empty: listed on the
    查询 page only, not in the menu); ``query.<code>.order`` the order within the group.
    """
    changes: dict = {}
    title = centre.setting(f"query.{query.code}.title")
    if title is not None and title.strip():
        changes["title"] = title.strip()
    menu = centre.setting(f"query.{query.code}.menu")
    if menu is not None:
        changes["menu_path"] = _menu_path(menu)
    order = centre.setting(f"query.{query.code}.order")
    if order is not None:
        try:
            changes["menu_order"] = int(order)
        except ValueError:
            raise ConfigurationError(f"centre {centre.name}: query.{query.code}.order must be a whole number, "
                                     f"not {order!r}") from None
    return dataclasses.replace(query, **changes) if changes else query


def _check_placement_settings(centre: Centre, known: Iterable[str]) -> None:
    """A ``query.*`` setting naming an unknown query or part is a typo: stop start-up."""
    known = set(known)
    for key in getattr(centre, "settings", {}) or {}:
        if not key.startswith("query."):
            continue
        code, _, part = key[len("query."):].rpartition(".")
        if part not in PLACEMENT:
            raise ConfigurationError(f"centre {centre.name}: unknown setting {key!r} "
                                     f"(query.<code>.title, .menu or .order)")
        if code not in known:
            raise ConfigurationError(f"centre {centre.name}: setting {key!r} names no record query")


def collect(centre: Centre, pm: pluggy.PluginManager) -> dict[str, RecordQuery]:
    """Every query of the centre by code, as the centre titles and places it, sorted by
    ``(menu_path, menu_order, code)``; a code declared twice, differently, stops
    start-up; ``queries.disabled`` (codes) leaves some out."""
    found: dict[str, RecordQuery] = {}
    for result in pm.hook.opengjj_record_queries(centre=centre):
        for query in result or ():
            if not isinstance(query, RecordQuery):
                raise ConfigurationError(f"opengjj_record_queries must return RecordQuery values, not {query!r}")
            known = found.get(query.code)
            if known is not None and known is not query and known != query:
                raise ConfigurationError(f"record query {query.code!r} is declared twice, differently")
            found[query.code] = query
    _check_placement_settings(centre, found)
    hidden = disabled(centre)
    ordered = sorted((placed(centre, q) for q in found.values() if q.code not in hidden),
                     key=lambda q: (q.menu_path, q.menu_order, q.code))
    return {q.code: q for q in ordered}


def menu_entries(queries: Iterable[RecordQuery], centre: Centre | None = None) -> list[MenuEntry]:
    """The hall's menu entries of these queries (``opengjj_menu`` returns them); with
    ``centre``, as that centre titles and places them (:func:`placed`)."""
    if centre is not None:
        queries = [placed(centre, q) for q in queries]
    return [MenuEntry(path=q.menu_path, title=q.title, url=f"hall/queries/{q.code}", order=q.menu_order)
            for q in queries if q.menu_path]
