"""The landing page of a process serving several centres: a link to each."""
from __future__ import annotations

from typing import Mapping

from pyramid.config import Configurator

from core.centres import Centre


def landing(request):
    return {"centres": request.registry.centres}


def make_portal_app(centres: list[Centre], settings: Mapping[str, str]):
    config = Configurator(settings=dict(settings))
    config.registry.centres = centres
    config.include("pyramid_chameleon")
    config.add_static_view("static", "core.web:static/")
    config.add_route("landing", "/")
    config.add_view(landing, route_name="landing", renderer="core.web:templates/landing.pt")
    return config.make_wsgi_app()
