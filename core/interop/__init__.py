"""互联互通: look-ups against other government registries (enterprise, credit code, population).

The service is pluggable: :func:`lookup_service` asks the ``opengjj_lookup_service``
hook, whose core default (trylast) builds the backend named by the centre setting
``interop.backend`` (``registry``, ``unavailable`` or ``pkg.module:Class``). A province
platform plugin answers the hook with its own :class:`LookupService`. See docs/interop.md.
"""
from __future__ import annotations

from core.interop.backends import UnavailableLookup, backend_class, from_settings
from core.interop.checks import PARAMETERS, InvalidQuery, ask, clean
from core.interop.registry import RegistryLookup
from core.interop.service import (
    CHECK_TITLES, FOUND, MISMATCH, NOT_FOUND, UNAVAILABLE_MESSAGE, Enterprise, LookupResult, LookupService,
    RecordLookup, Resident, ServiceUnavailable, same_name,
)

__all__ = [
    "CHECK_TITLES", "FOUND", "MISMATCH", "NOT_FOUND", "PARAMETERS", "UNAVAILABLE_MESSAGE", "Enterprise",
    "InvalidQuery", "LookupResult", "LookupService", "RecordLookup", "RegistryLookup", "Resident",
    "ServiceUnavailable", "UnavailableLookup", "ask", "backend_class", "clean", "from_settings", "lookup_service",
    "same_name",
]


def lookup_service(runtime) -> LookupService:
    """The centre's look-up service, as its plugins choose (asked on every check, so a
    backend is cheap to construct; keep connections at module level)."""
    service = runtime.hook.opengjj_lookup_service(centre=runtime.centre)
    return service if service is not None else UnavailableLookup(runtime.centre)
