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


def _stale(runtime, db, application, voucher, layout) -> bool:
    """Whether a fixed print no longer says what the application says (a long list is not
    re-read on every page view: printing again tells)."""
    if voucher is None or voucher.status != "fixed" or voucher.content_sha256 is None:
        return False
    if voucher.row_count > service.job_threshold(runtime):
        return False
    return service.content(runtime, db, application, layout).digest != voucher.content_sha256


def panel(request, application, item) -> dict:
    """The vouchers the hall's application page lists: each layout, printed or not, whether
    it may be printed (again) now, and the superseded prints (已作废)."""
    runtime, db = request.registry.runtime, request.db
    printed = service.vouchers_of(db, application)
    printable = service.printable(runtime, application)
    view = lambda v: request.route_url("hall_materials_view", id=application.id, mid=v.material_id)
    rows = []
    for layout in service.layouts_for(item, runtime.catalogue):
        voucher = printed.get(layout.code)
        stale = printable and _stale(runtime, db, application, voucher, layout)
        rows.append({"code": layout.code, "title": layout.title, "voucher": voucher, "stale": stale,
                     "can_print": printable and (voucher is None or voucher.status == "failed" or stale),
                     "url": view(voucher) if voucher is not None and voucher.material_id else None,
                     "verify": request.route_url("voucher_verify", code=voucher.code) if voucher else None})
    superseded = [{"voucher": v, "url": view(v) if v.material_id else None,
                   "verify": request.route_url("voucher_verify", code=v.code)}
                  for v in service.superseded_of(db, application)]
    return {"vouchers": rows, "v_superseded": superseded, "v_printable": printable,
            "v_from_draft": service.print_from(runtime) == "draft"}


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
             renderer="core.web:templates/vouchers/verify.pt")
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
