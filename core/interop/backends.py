"""Which backend a centre uses: the ``interop.backend`` centre setting.

``registry`` (default) answers from the centre's ``interop_records`` (development and
demo); ``unavailable`` always raises :class:`ServiceUnavailable` (a centre not connected
to the platform, or a test of that state); any other value is the dotted name of a
class, ``pkg.module:Class``, constructed with the centre.
"""
from __future__ import annotations

from typing import Callable

from pyramid.path import DottedNameResolver

from core.centres import Centre, ConfigurationError
from core.interop.service import LookupResult, LookupService, ServiceUnavailable

SETTING = "interop.backend"
DEFAULT = "registry"
BUILTIN = {
    "registry": "core.interop.registry:RegistryLookup",
    "unavailable": "core.interop.backends:UnavailableLookup",
}


class UnavailableLookup:
    """``interop.backend = unavailable``: every check says the service is unavailable."""

    def __init__(self, centre: Centre):
        self.centre = centre

    def _refuse(self) -> LookupResult:
        raise ServiceUnavailable(f"centre {self.centre.name!r} has no 互联互通 platform ({SETTING} = unavailable)")

    def enterprise(self, credit_code: str | None = None, name: str | None = None) -> LookupResult:
        return self._refuse()

    def credit_code(self, credit_code: str, name: str) -> LookupResult:
        return self._refuse()

    def population(self, id_no: str, name: str | None = None) -> LookupResult:
        return self._refuse()


def backend_class(name: str) -> Callable[[Centre], LookupService]:
    """The class named by ``interop.backend``; :class:`ConfigurationError` when it is
    neither a built-in backend nor an importable callable."""
    try:
        factory = DottedNameResolver().resolve(BUILTIN.get(name, name))
    except (ImportError, ValueError, AttributeError) as error:
        raise ConfigurationError(
            f"{SETTING} = {name!r}: neither {', '.join(BUILTIN)} nor an importable dotted name "
            f"pkg.module:Class ({error})") from None
    if not callable(factory):
        raise ConfigurationError(f"{SETTING} = {name!r} is not a class or factory")
    return factory


def backend_name(centre: Centre) -> str:
    return (centre.setting(SETTING) or DEFAULT).strip()


def from_settings(centre: Centre) -> LookupService:
    """The backend the centre's settings name, constructed with the centre."""
    return backend_class(backend_name(centre))(centre)
