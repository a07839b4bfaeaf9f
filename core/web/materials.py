"""Materials (电子档案) on the web: upload (a file or a 高拍仪 photo), view and delete in
the hall; view at the counter. The hall's application page shows them through
:func:`panel`.

Files are served with their checked content type, ``Content-Disposition: inline`` and
``X-Content-Type-Options: nosniff``; only the application's unit and the centre's
clerks reach them (the :class:`ApplicationContext` ACL).
"""
from __future__ import annotations

from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from core.materials import service
from core.materials.checks import max_bytes
from core.money.errors import BusinessError
from core.web.applications import attempt
from core.web.security import ApplicationContext, audit

DEFAULT_AGENT = "http://127.0.0.1:17171"


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def superseded_materials(db, application) -> set[int]:
    """Materials holding superseded voucher prints (shown as 已作废, kept for the record)."""
    from core.vouchers.service import superseded_of

    return {voucher.material_id for voucher in superseded_of(db, application) if voucher.material_id}


def panel(request, application, item) -> dict:
    """What the hall's application page shows of the e-archive: the slots with their
    materials, whether they can change, the camera agent's address."""
    runtime = request.registry.runtime
    slots = service.slots(item, runtime.catalogue)
    known = {slot.code for slot in slots}
    view = lambda m: request.route_url("hall_materials_view", id=application.id, mid=m.id)
    rows = [{"code": slot.code, "title": slot.title, "required": slot.required, "max_count": slot.max_count,
             "materials": [{"m": m, "url": view(m), "size": _size(m.size)}
                           for m in application.materials if m.material_type == slot.code]} for slot in slots]
    types = runtime.catalogue.material_types
    extra = [{"m": m, "url": view(m), "size": _size(m.size),
              "title": types[m.material_type].title if m.material_type in types else m.material_type}
             for m in application.materials if m.material_type not in known]
    editable = application.status in service.EDITABLE
    return {"m_slots": rows, "m_extra": extra, "m_editable": editable,
            "m_superseded": superseded_materials(request.db, application),
            "m_missing": service.missing_required(item, application, runtime.catalogue),
            "m_agent": (service.setting(runtime, "materials.camera_agent_url") or DEFAULT_AGENT).rstrip("/"),
            "m_limit": _size(max_bytes({"opengjj.materials.max_bytes":
                                        service.setting(runtime, "opengjj.materials.max_bytes") or ""}))}


def _audited(request, action: str, verb: str, change):
    """Run ``change()`` (returning the material) all or nothing, audit it, say how it went."""
    application = request.context.application
    try:
        with attempt(request):
            material = change()
            audit(request, f"material.{action}", entity="application", entity_id=application.id,
                  unit_id=application.unit_id,
                  details={"material": material.id, "type": material.material_type, "sha256": material.sha256})
    except BusinessError as error:
        request.session.flash(f"{verb}失败：{error.for_people}")
        return _back(request)
    request.session.flash(f"已{verb}：{material.filename}")
    return _back(request)


def _back(request):
    return HTTPSeeOther(request.route_url("hall_application", id=request.context.application.id,
                                          _anchor="materials"))


@view_config(route_name="hall_materials_upload", context=ApplicationContext, permission="edit",
             request_method="POST")
def upload(request):
    context = request.context
    if context.item is None:
        raise HTTPNotFound()
    field = request.POST.get("file")
    if field is None or not hasattr(field, "file"):
        request.session.flash("请选择要上传的文件")
        return _back(request)
    runtime = request.registry.runtime
    limit = max_bytes({"opengjj.materials.max_bytes": service.setting(runtime, "opengjj.materials.max_bytes") or ""})
    data = field.file.read(limit + 1)
    return _audited(request, "upload", "上传", lambda: service.attach(
        request.db, runtime, context.item, context.application, request.POST.get("material_type", ""),
        field.filename or "", data))


@view_config(route_name="hall_materials_delete", context=ApplicationContext, permission="edit",
             request_method="POST")
def delete(request):
    context = request.context
    mid = request.matchdict["mid"]
    return _audited(request, "delete", "删除", lambda: service.delete(
        request.db, context.application, int(mid) if mid.isdigit() else -1))


def serve(request) -> Response:
    """The stored bytes of one of the context application's materials, inline."""
    mid = request.matchdict["mid"]
    material = next((m for m in request.context.application.materials if str(m.id) == mid), None)
    if material is None:
        raise HTTPNotFound()
    try:
        body = service.storage_for(request.registry.runtime).get(material.sha256)
    except KeyError:
        raise HTTPNotFound() from None
    response = Response(body=body, content_type=material.content_type)
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(material.filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0, no-store"
    response.headers["X-Material-SHA256"] = material.sha256
    return response


@view_config(route_name="hall_materials_view", context=ApplicationContext, permission="view")
def hall_view(request):
    return serve(request)


@view_config(route_name="counter_materials_view", context=ApplicationContext, permission="inspect")
def counter_view(request):
    return serve(request)


def includeme(config) -> None:
    config.add_route("hall_materials_upload", "/hall/applications/{id}/materials", factory=ApplicationContext)
    config.add_route("hall_materials_view", "/hall/applications/{id}/materials/{mid}", factory=ApplicationContext)
    config.add_route("hall_materials_delete", "/hall/applications/{id}/materials/{mid}/delete",
                     factory=ApplicationContext)
    config.add_route("counter_materials_view", "/counter/applications/{id}/materials/{mid}",
                     factory=ApplicationContext)
    config.scan("core.web.materials")
