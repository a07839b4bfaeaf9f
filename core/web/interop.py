"""互联互通 checks in the hall: ``GET /hall/interop/{check}``.

The item pages' buttons (the ``checks`` macro of ``hall/interop.pt``) fetch the answer
as an HTML fragment (``X-Requested-With: XMLHttpRequest`` or ``fragment=1``) and show
it in a panel; without JavaScript the same URL is a plain page. Every outcome reads
plainly: 查询成功 with the registered fields, 未查询到, 名称/姓名不一致, the field in
error (HTTP 400), or the service unavailable (HTTP 503). Each check asked is written
to the audit trail, ID numbers and personal names masked.
"""
from __future__ import annotations

import logging

from pyramid.events import BeforeRender
from pyramid.httpexceptions import HTTPNotFound
from pyramid.renderers import get_renderer, render_to_response
from pyramid.view import view_config

from core import interop
from core.contract import INTEROP_CHECKS
from core.web.display import mask_id
from core.web.security import HallRoot, audit

log = logging.getLogger(__name__)

TEMPLATE = "core.web:templates/hall/interop.pt"
FRAGMENT = "core.web:templates/hall/interop#result.pt"
PARAMS = ("credit_code", "name", "id_no")


def _mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _audited(check: str, params: dict[str, str], item_code: str | None) -> dict:
    """What the audit keeps of a check: enterprise data as asked (it is public),
    a person's ID number and name masked."""
    details: dict = {"check": check}
    if item_code:
        details["item"] = item_code
    if check == "population":
        details.update(id_no=mask_id(params.get("id_no")), name=_mask_name(params.get("name", "")))
    else:
        details.update({k: params[k] for k in ("credit_code", "name") if params.get(k)})
    return details


def _item(request):
    code = request.params.get("item")
    if not code:
        return None
    item = request.registry.runtime.catalogue.items.get(code)
    if item is None:
        raise HTTPNotFound()
    return item


@view_config(route_name="hall_interop", context=HallRoot, permission="hall", request_method="GET")
def interop_check(request):
    check = request.matchdict["check"]
    if check not in INTEROP_CHECKS:
        raise HTTPNotFound()
    item = _item(request)
    params = {k: (request.params.get(k) or "").strip() for k in PARAMS}
    fragment = request.is_xhr or request.params.get("fragment") == "1"
    values = {"check": check, "check_title": interop.CHECK_TITLES[check], "item": item, "asked": params,
              "result": None, "error": None, "unavailable": None, "interop_offered": (check,)}
    status = 200
    if fragment or any(params.values()):
        details = _audited(check, params, item.code if item else None)
        try:
            service = interop.lookup_service(request.registry.runtime)
            result = interop.ask(service, check, **{k: params[k] for k in interop.PARAMETERS[check]})
        except interop.InvalidQuery as error:
            status, values["error"], details["outcome"] = 400, error.message, "invalid"
            details["field"] = error.field
        except interop.ServiceUnavailable as error:
            log.warning("interop %s unavailable for %s: %s", check, request.registry.runtime.centre.name, error)
            status, values["unavailable"], details["outcome"] = 503, interop.UNAVAILABLE_MESSAGE, "unavailable"
        else:
            values["result"], details["outcome"] = result, result.outcome
        audit(request, f"interop.{check}", entity="interop", details=details)
    response = render_to_response(FRAGMENT if fragment else TEMPLATE, values, request=request)
    response.status_int = status
    response.cache_control = "no-store"  # personal data: never kept by a browser or proxy
    return response


def add_interop_macros(event: BeforeRender) -> None:
    """``interop`` in every template: item.pt uses ``interop.macros['checks']``
    (resolved through the registry, so a theme's hall/interop.pt replaces core's)."""
    request = event.get("request")
    if request is None or not hasattr(request.registry, "runtime"):
        return
    event.setdefault("interop", get_renderer(TEMPLATE, registry=request.registry).implementation())


def includeme(config) -> None:
    runtime = config.registry.runtime
    # A misspelled interop.backend stops start-up instead of failing at the first check.
    interop.backend_class(interop.backends.backend_name(runtime.centre))
    config.add_route("hall_interop", "/hall/interop/{check}", factory=HallRoot)
    config.add_subscriber(add_interop_macros, BeforeRender)
    config.scan("core.web.interop")
