"""The centre's web face: routes, theme wiring and the renderer globals."""
from __future__ import annotations

from pyramid.events import BeforeRender
from pyramid.renderers import get_renderer

from core.web import display
from core.web.security import Public, SignedIn

LAYOUT = "core.web:templates/layout.pt"
FOOTER = "core.web:templates/footer.pt"
HEADER = "core.web:templates/header.pt"
PARTS = "core.web:templates/application_parts.pt"


def add_renderer_globals(event: BeforeRender) -> None:
    request = event.get("request")
    if request is None or not hasattr(request.registry, "runtime"):
        return
    runtime = request.registry.runtime
    # Resolved through the registry so a theme's layout.pt or footer.pt replaces core's.
    event.setdefault("layout", get_renderer(LAYOUT, registry=request.registry).implementation())
    # resolved through the centre's registry so a theme's header.pt / footer.pt replaces core's
    event.setdefault("header", get_renderer(HEADER, registry=request.registry).implementation())
    event.setdefault("footer", get_renderer(FOOTER, registry=request.registry).implementation())
    event.setdefault("parts", get_renderer(PARTS, registry=request.registry).implementation())
    event.setdefault("centre", runtime.centre)
    event.setdefault("theme", runtime.catalogue.theme)
    event.setdefault("user", request.user)
    event.setdefault("flash", request.session.pop_flash())
    event.setdefault("csrf_token", request.session.get_csrf_token())
    event.setdefault("show", display)


def includeme(config) -> None:
    runtime = config.registry.runtime
    theme = runtime.catalogue.theme
    config.add_static_view("static", "core.web:static/")
    if theme.static:
        config.add_static_view("theme", theme.static)
    if theme.templates:
        # Overrides are looked up in this centre's registry only (pyramid resolves
        # them through the current registry), so other centres keep their own look.
        config.override_asset(to_override="core.web:templates/", override_with=theme.templates)
    config.add_subscriber(add_renderer_globals, BeforeRender)
    config.include("core.web.security")  # sessions, identity, ACLs, CSRF
    config.include("core.web.forms")  # deform with this centre's templates
    config.add_route("home", "/", factory=Public)
    config.add_route("health", "/_health", factory=Public)
    config.add_route("login", "/login", factory=Public)
    config.add_route("counter_login", "/counter/login", factory=Public)
    config.add_route("logout", "/logout", factory=Public)
    config.add_route("password", "/password", factory=SignedIn)
    config.scan("core.web.views")
    config.scan("core.web.auth")
    config.include("core.web.hall")
    config.include("core.web.counter")
    config.include("core.web.registration")  # 自主开户: a new unit applies, the counter approves
    config.include("core.web.queries")  # record queries: filters, totals, export, print, share
    config.include("core.web.materials")  # 电子档案: upload, 高拍仪, view, delete; counter view
    config.include("core.web.vouchers")  # 凭证: print and 固化, public verification /v/{code}
    config.include("core.web.interop")  # 互联互通: enterprise, credit code and population checks
