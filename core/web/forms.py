"""deform forms rendered per centre.

deform's default renderer is process-wide; each centre gets its own
``ZPTRendererFactory`` whose search path starts with the theme's ``deform/`` folder
(when it has one), then core's overrides (Chinese messages, required fields marked *,
greyed read-only fields), then deform's own templates.
"""
from __future__ import annotations

import os
from typing import Any, Iterable

import colander
import deform
import peppercorn
from pyramid.path import AssetResolver

from core.contract import BusinessItem
from core.models import Unit
from core.workflow import forms

CORE_DEFORM = "core.web:templates/deform/"


def _folder(spec: str) -> str | None:
    path = AssetResolver().resolve(spec).abspath()
    return path if os.path.isdir(path) else None


def make_renderer(theme) -> deform.ZPTRendererFactory:
    search = [_folder(theme.templates + "deform/")] if theme.templates else []
    search += [_folder(CORE_DEFORM), _folder("deform:templates/")]
    return deform.ZPTRendererFactory([p for p in search if p], translator=None)


def form(request, factory, buttons: Iterable[tuple[str, str]], *, unit: Unit | None = None,
         formid: str = "deform") -> deform.Form:
    """A deform form of ``factory``'s schema bound to this request and centre."""
    runtime = request.registry.runtime
    schema = forms.bind(factory, request=request, centre=runtime.centre, db=request.db, unit=unit)
    return deform.Form(schema, formid=formid, renderer=request.registry.deform_renderer,
                       buttons=[deform.Button(name, title) for name, title in buttons])


def readonly_names(form_: deform.Form) -> set[str]:
    return {child.name for child in form_.children if getattr(child.widget, "readonly", False)}


def posted(request, form_: deform.Form, fixed: dict | None = None) -> dict:
    """The cstruct the operator posted; greyed fields keep their ``fixed`` values."""
    pstruct = peppercorn.parse(list(request.POST.items()))
    for name in readonly_names(form_):
        if fixed is not None and name in fixed:
            pstruct[name] = fixed[name]
    try:
        return form_.widget.deserialize(form_, pstruct) or {}
    except colander.Invalid:
        return {child.name: pstruct.get(child.name, "") for child in form_.children}


def validate(form_: deform.Form, cstruct: dict) -> Any:
    """Validate a cstruct; on failure the form keeps the errors for rendering."""
    form_.cstruct = cstruct
    try:
        return form_.schema.deserialize(cstruct)
    except colander.Invalid as error:
        form_.widget.handle_error(form_, error)
        raise deform.ValidationFailure(form_, cstruct, error) from None


def show_errors(form_: deform.Form, fields: dict[str, str]) -> list[str]:
    """Put the engine's field messages beside their fields; return those with no field."""
    elsewhere = []
    for name, message in fields.items():
        child = next((c for c in form_.children if c.name == name), None)
        if child is None:
            elsewhere.append(message)
        else:
            child.error = colander.Invalid(child.schema, message)
            form_.error = form_.error or colander.Invalid(form_.schema, "")
    return elsewhere


def render(request, form_: deform.Form, cstruct: dict | None = None, hidden: Iterable[tuple[str, Any]] = ()) -> str:
    if cstruct is not None:
        form_.cstruct = cstruct
    return form_.render(csrf_token=request.session.get_csrf_token(), hidden_fields=list(hidden))


def item_initial(request, item: BusinessItem, unit: Unit) -> dict:
    """The serialized starting values of an item's form for this unit."""
    if item.initial is None or item.schema is None:
        return {}
    runtime = request.registry.runtime
    return forms.serialize(item.schema, item.initial(request.db, unit), request=request, centre=runtime.centre,
                           db=request.db, unit=unit)


def includeme(config) -> None:
    config.registry.deform_renderer = make_renderer(config.registry.runtime.catalogue.theme)
    config.add_static_view("deform", "deform:static/")
