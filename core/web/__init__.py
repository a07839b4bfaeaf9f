"""The centre's web face: routes, theme wiring and the renderer globals."""
from __future__ import annotations

from pyramid.events import BeforeRender
from pyramid.renderers import get_renderer

LAYOUT = "core.web:templates/layout.pt"
FOOTER = "core.web:templates/footer.pt"


def add_renderer_globals(event: BeforeRender) -> None:
    request = event.get("request")
    if request is None or not hasattr(request.registry, "runtime"):
        return
    runtime = request.registry.runtime
    # Resolved through the registry so a theme's layout.pt or footer.pt replaces core's.
    event.setdefault("layout", get_renderer(LAYOUT, registry=request.registry).implementation())
    event.setdefault("footer", get_renderer(FOOTER, registry=request.registry).implementation())
    event.setdefault("centre", runtime.centre)
    event.setdefault("theme", runtime.catalogue.theme)


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
    config.add_route("home", "/")
    config.add_route("health", "/_health")
    config.scan("core.web.views")
