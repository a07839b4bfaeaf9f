"""The WSGI application: one Pyramid app per centre behind a dispatcher.

Each centre gets its own Configurator and registry, so routes, asset overrides (the
theme) and plugin ``includeme``'s of one centre never leak into another, even in one
process. The dispatcher picks the centre from the Host header or the path prefix.
"""
from __future__ import annotations

from typing import Mapping

from pyramid.config import Configurator

from core.centres import ConfigurationError
from core.plugins import plugin_modules
from core.runtime import CentreRuntime, build_runtimes
from core.settings import with_environment
from core.web.dispatch import CentreDispatcher
from core.web.portal import make_portal_app


def make_centre_app(runtime: CentreRuntime, settings: Mapping[str, str]):
    config = Configurator(settings={**settings, "tm.manager_hook": "pyramid_tm.explicit_manager"})
    config.registry.runtime = runtime
    runtime.registry = config.registry
    # Features one by one, like warehouse's configure():
    config.include("pyramid_tm")  # one transaction per request
    config.include("pyramid_chameleon")  # .pt templates, themable through asset overrides
    config.include("core.db")  # request.db joined to the request's transaction
    config.include("core.jobs")  # request.jobs: enqueue after commit
    config.include("core.sms")  # request.sms: the SMS gateway (opengjj.sms.backend) and one-time codes
    config.include("core.web")  # centre pages, theme, static assets
    # Plugins wire their views once core's configuration is committed (Kinto's habit), so
    # core's routes and request methods exist when their includeme runs.
    config.commit()
    for module in plugin_modules(runtime.pm):
        if hasattr(module, "includeme"):
            _include_without_overriding(config, module)
    return config.make_wsgi_app()


WATCHED = ("routes", "views", "static views")


def _include_without_overriding(config: Configurator, module) -> None:
    """Include a plugin; refuse it if it replaced a route or view already configured.

    After a commit Pyramid lets a later registration with the same discriminator win
    silently; a plugin taking over a core page (or another plugin's) must be loud.
    """
    introspector = config.registry.introspector
    before = {(category, entry["introspectable"].discriminator): entry["introspectable"]
              for category in WATCHED for entry in introspector.get_category(category)}
    config.include(module)
    config.commit()
    replaced = [f"{category} {discriminator!r}" for (category, discriminator), intr in before.items()
                if introspector.get(category, discriminator) is not intr]
    if replaced:
        raise ConfigurationError(
            f"plugin {module.__name__} replaces what is already configured: {', '.join(replaced)}. "
            f"Name a plugin's routes after the plugin; change a core page's look through the theme.")


def make_app(settings: Mapping[str, str]) -> CentreDispatcher:
    settings = with_environment(settings)
    runtimes = build_runtimes(settings)
    apps = [(r.centre, make_centre_app(r, settings)) for r in runtimes]
    dispatcher = CentreDispatcher(apps, make_portal_app([r.centre for r in runtimes], settings))
    dispatcher.runtimes = {r.centre.name: r for r in runtimes}
    return dispatcher


def main(global_config: Mapping[str, str], **settings: str) -> CentreDispatcher:
    """Paste entry point (``use = egg:opengjj``)."""
    return make_app(settings)
