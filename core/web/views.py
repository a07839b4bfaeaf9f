"""Centre-level pages that every centre has."""
from __future__ import annotations

from pyramid.view import view_config
from sqlalchemy import func, select, text

from core.models import Account, Unit


def menu_tree(entries) -> list[dict]:
    """Nest the flat, sorted menu entries under their group titles."""
    root: list[dict] = []
    for entry in entries:
        level = root
        for title in entry.path:
            group = next((g for g in level if g["title"] == title and "children" in g), None)
            if group is None:
                group = {"title": title, "children": []}
                level.append(group)
            level = group["children"]
        level.append({"title": entry.title, "item": entry.item, "url": entry.url})
    return root


@view_config(route_name="home", renderer="core.web:templates/home.pt")
def home(request):
    catalogue = request.registry.runtime.catalogue
    units = request.db.scalar(select(func.count()).select_from(Unit))
    accounts = request.db.scalar(select(func.count()).select_from(Account))
    return {
        "menu": menu_tree(catalogue.menu),
        "login_methods": catalogue.login_methods,
        "unit_count": units,
        "account_count": accounts,
    }


@view_config(route_name="health", renderer="json")
def health(request):
    request.db.execute(text("SELECT 1"))
    return {"centre": request.registry.runtime.centre.name, "database": "ok"}
