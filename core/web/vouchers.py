"""Vouchers on the web: print (render and fix) in the hall, and the public verification
page ``/v/{code}`` that the QR code printed on every voucher leads to."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from core.money.errors import BusinessError
from core.vouchers import service
from core.web.applications import attempt
from core.web.security import ApplicationContext, Public, audit


def verify_url(request):
    return lambda code: request.route_url("voucher_verify", code=code)


def issue_all(request, application):
    """Print every voucher of a completed application (the unit_voucher_print step)."""
    return service.issue_all(request.registry.runtime, request.db, application, verify_url(request), tm=request.tm)


def panel(request, application, item) -> dict:
    """The vouchers the hall's application page lists: each layout, printed or not."""
    runtime = request.registry.runtime
    printed = service.vouchers_of(request.db, application)
    rows = []
    for layout in service.layouts_for(item, runtime.catalogue):
        voucher = printed.get(layout.code)
        rows.append({"code": layout.code, "title": layout.title, "voucher": voucher,
                     "url": request.route_url("hall_materials_view", id=application.id, mid=voucher.material_id)
                     if voucher is not None and voucher.material_id else None,
                     "verify": request.route_url("voucher_verify", code=voucher.code) if voucher else None})
    return {"v_rows": rows, "v_printable": service.printable(application)}


@view_config(route_name="hall_vouchers_print", context=ApplicationContext, permission="edit", request_method="POST")
def print_voucher(request):
    context = request.context
    if context.item is None:
        raise HTTPNotFound()
    try:
        with attempt(request):
            voucher = service.issue(request.registry.runtime, request.db, context.application,
                                    request.matchdict["layout"], verify_url(request), tm=request.tm)
            audit(request, "voucher.print", entity="application", entity_id=context.application.id,
                  unit_id=context.application.unit_id, details={"voucher": voucher.code, "layout": voucher.layout})
    except BusinessError as error:
        request.session.flash(f"打印失败：{error.for_people}")
    else:
        request.session.flash(f"{voucher.title}已生成并固化" if voucher.status == "fixed"
                              else f"{voucher.title}正在后台生成（{voucher.row_count} 行），稍后刷新查看")
    return HTTPSeeOther(request.route_url("hall_application", id=context.application.id, _anchor="vouchers"))


@view_config(route_name="voucher_verify", context=Public, permission="view",
             renderer="core.web:templates/materials/verify.pt")
def verify(request):
    found = service.verify(request.registry.runtime, request.db, request.matchdict["code"])
    if found is None:
        request.response.status = 404
    unit = found.unit if found else None
    return {"found": found, "code": request.matchdict["code"],
            "unit_name": unit.name if unit else "", "unit_no": unit.unit_no if unit else ""}


def includeme(config) -> None:
    config.add_route("hall_vouchers_print", "/hall/applications/{id}/vouchers/{layout}/print",
                     factory=ApplicationContext)
    config.add_route("voucher_verify", "/v/{code}", factory=Public)
    config.scan("core.web.vouchers")
