"""The SMS gateway interface and how a deployment picks its backend.

A backend is named by ``sms.backend`` (a centre's setting) or ``opengjj.sms.backend``
(the app's): ``outbox``, ``http`` or the dotted name of a factory. A factory is called
once per request, ``factory(request)``, and returns an object with ``send(phone, text)``.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from pyramid.path import DottedNameResolver

from core.centres import ConfigurationError

BUILTIN = {
    "outbox": "core.sms.outbox.outbox_gateway",
    "http": "core.sms.http.http_gateway",
}
ENVIRONMENT = {"token": "OPENGJJ_SMS_TOKEN"}  # secrets may come from the environment


class SmsGateway(Protocol):
    """What every backend offers."""

    def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` now, or raise :class:`SmsError`."""


class SmsError(RuntimeError):
    """The gateway could not take the message (the hall says: try again later)."""


GatewayFactory = Callable[..., SmsGateway]


def sms_setting(registry, key: str, default: str | None = None) -> str | None:
    """``sms.<key>`` of the centre, else ``opengjj.sms.<key>`` of the app, else the
    environment (``OPENGJJ_SMS_TOKEN`` ...), else ``default``."""
    centre = registry.runtime.centre
    return (centre.setting(f"sms.{key}") or registry.settings.get(f"opengjj.sms.{key}")
            or (os.environ.get(ENVIRONMENT[key]) if key in ENVIRONMENT else None) or default)


def backend_name(registry) -> str | None:
    return sms_setting(registry, "backend")


def resolve_backend(name: str) -> GatewayFactory:
    try:
        factory = DottedNameResolver().resolve(BUILTIN.get(name, name))
    except (ImportError, ValueError) as error:
        raise ConfigurationError(
            f"opengjj.sms.backend = {name!r}: neither {', '.join(BUILTIN)} nor an importable "
            f"dotted name ({error})") from None
    if not callable(factory):
        raise ConfigurationError(f"opengjj.sms.backend = {name!r} is not callable")
    return factory


class NoGateway:
    """No backend configured: sending fails loudly rather than pretending."""

    def send(self, phone: str, text: str) -> None:
        raise SmsError("no SMS backend is configured (opengjj.sms.backend)")


def no_gateway(request) -> SmsGateway:
    return NoGateway()
