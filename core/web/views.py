"""Centre-level pages that every centre has."""
from __future__ import annotations

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import forbidden_view_config, notfound_view_config, view_config
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


@view_config(route_name="home", renderer="core.web:templates/home.pt", permission="view")
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


@view_config(route_name="health", renderer="json", permission="view")
def health(request):
    request.db.execute(text("SELECT 1"))
    return {"centre": request.registry.runtime.centre.name, "database": "ok"}


@forbidden_view_config(renderer="core.web:templates/message.pt")
def forbidden(request):
    """Anonymous: to the login page of the face asked for. Signed in: 403, said plainly."""
    if request.user is None and request.method == "GET":
        counter = request.path_info.startswith("/counter")
        return HTTPSeeOther(request.route_url("counter_login" if counter else "login"))
    request.response.status = 403
    if request.user is None:
        return {"title": "登录已失效", "text": "请重新登录后再操作。"}
    return {"title": "无权访问", "text": "您没有办理此项业务或查看此页面的权限。"}


@view_config(context=BadCSRFToken, renderer="core.web:templates/message.pt", permission=NO_PERMISSION_REQUIRED)
def bad_csrf(request):
    request.response.status = 400
    return {"title": "页面已过期", "text": "页面已过期或来源不明（CSRF 校验未通过），请刷新页面后重试。"}


@notfound_view_config(renderer="core.web:templates/message.pt")
def not_found(request):
    request.response.status = 404
    return {"title": "页面不存在", "text": "您访问的页面不存在，或不属于本单位。"}
