"""Route each request to its centre's app by Host header or path prefix."""
from __future__ import annotations

from typing import Callable, Iterable

from core.centres import Centre

WSGIApp = Callable


class CentreDispatcher:
    """A WSGI app that moves the centre's prefix from PATH_INFO to SCRIPT_NAME.

    Host-bound centres are tried before host-less ones, longer prefixes before shorter;
    anything no centre claims goes to the portal (the landing page).
    """

    def __init__(self, apps: Iterable[tuple[Centre, WSGIApp]], portal: WSGIApp):
        self.mounts = sorted(
            ((centre.host, centre.prefix, centre, app) for centre, app in apps),
            key=lambda m: (m[0] is None, -len(m[1])),
        )
        self.portal = portal
        self.runtimes: dict = {}

    def match(self, host: str, path: str) -> tuple[Centre, WSGIApp] | None:
        for mount_host, prefix, centre, app in self.mounts:
            if mount_host is not None and mount_host != host:
                continue
            if not prefix or path == prefix or path.startswith(prefix + "/"):
                return centre, app
        return None

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", environ.get("SERVER_NAME", "")).rsplit(":", 1)[0].lower()
        path = environ.get("PATH_INFO", "") or "/"
        found = self.match(host, path)
        if found is None:
            return self.portal(environ, start_response)
        centre, app = found
        if centre.prefix and path == centre.prefix:
            location = environ.get("SCRIPT_NAME", "") + centre.prefix + "/"
            start_response("301 Moved Permanently", [("Location", location), ("Content-Length", "0")])
            return [b""]
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + centre.prefix
        environ["PATH_INFO"] = path[len(centre.prefix):]
        environ["opengjj.centre"] = centre.name
        return app(environ, start_response)
