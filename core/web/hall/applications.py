"""An application in the hall: its flow chart and opinions, end process, voucher
print, the progress of a background run and its error file; 交易进度 / 交易结果查询."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import get_renderer
from pyramid.view import view_config
from sqlalchemy import func, select

from core.codes import ApplicationStatus as S
from core.models import Application
from core.money.errors import BusinessError
from core.passwords import CHINA
from core.web import materials as material_pages
from core.web import vouchers as voucher_pages
from core.web.applications import attempt, describe
from core.web.display import local_time
from core.web.security import ApplicationContext, HallRoot
from core.workflow import Workflow, available_actions, status_label

PAGE = 20
#: the e-archive (materials, camera, vouchers) section, themable like any template
ARCHIVE = "core.web:templates/materials/panel.pt"


@view_config(route_name="hall_application", context=ApplicationContext, permission="view",
             renderer="core.web:templates/hall/application.pt")
def detail(request):
    context = request.context
    if context.item is None:
        raise HTTPNotFound()
    actions = available_actions(context.item, context.application, request.actor)
    return {**_page(request), "actions": actions, "submitted": "submitted" in request.params, "errors": []}


def _page(request) -> dict:
    """The application as the hall shows it, with its e-archive and vouchers."""
    application, item = request.context.application, request.context.item
    page = describe(request, application, item, masked=True)
    if not _archive_enabled(request):
        return {**page, "archive": None}
    archive = get_renderer(ARCHIVE, registry=request.registry).implementation()
    return {**page, "archive": archive, **material_pages.panel(request, application, item),
            **voucher_pages.panel(request, application, item)}


def _archive_enabled(request) -> bool:
    """Whether core.web.materials and core.web.vouchers are included (their routes exist)."""
    introspector = request.registry.introspector
    return all(introspector.get("routes", name) is not None for name in ("hall_materials_view", "hall_vouchers_print"))


@view_config(route_name="hall_application_act", context=ApplicationContext, permission="edit",
             request_method="POST", renderer="core.web:templates/hall/application.pt")
def act(request):
    context = request.context
    action = request.matchdict["action"]
    workflow = Workflow(request.registry.runtime, request.db, request.actor, request.tm)
    version = request.POST.get("version", "")
    version = int(version) if version.isdigit() else None
    if action not in ("end_process", "print"):
        raise HTTPNotFound()
    try:
        with attempt(request):
            if action == "end_process":
                workflow.end_process(context.application.id, version=version, opinion=request.POST.get("opinion"))
                request.session.flash("流程已结束，可重新发起申请")
            else:
                workflow.print_voucher(context.application.id, version=version)
                # the vouchers are rendered and fixed (固化) as the step completes
                if _archive_enabled(request):
                    voucher_pages.issue_all(request, context.application)
                request.session.flash("凭证已打印，业务办结")
    except BusinessError as error:
        return {**_page(request),
                "actions": available_actions(context.item, context.application, request.actor),
                "submitted": False, "errors": [error.for_people]}
    return HTTPSeeOther(request.route_url("hall_application", id=context.application.id))


@view_config(route_name="hall_application_status", context=ApplicationContext, permission="view", renderer="json")
def status(request):
    """What the progress bar polls."""
    application = request.context.application
    state = request.registry.runtime.jobs.state(application.job_id) if application.job_id else None
    done = application.status not in (S.IN_PROGRESS, S.SUBMITTED) or state is None or state.done
    return {"status": application.status, "label": status_label(application.status),
            "progress": 100 if done else state.progress, "message": state.message if state else "",
            "error": application.error, "done": done}


def _day(value: str | None, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), CHINA).astimezone(UTC)


@view_config(route_name="hall_jobs", context=HallRoot, permission="hall", renderer="core.web:templates/hall/jobs.pt")
def jobs(request):
    """交易进度查询 (what is still being processed) and 交易结果查询 (what came of it):
    filters by item, review flag and time, every one optional."""
    results = request.matchdict["which"] == "results"
    params = request.params
    query = select(Application).where(Application.unit_id == request.user.unit_id, Application.status != S.DRAFT)
    query = query.where(Application.status.in_([S.COMPLETED, S.EXCEPTION, S.REVOKED, S.ENDED]) if results
                        else Application.status.in_([S.SUBMITTED, S.IN_PROGRESS, S.RETURNED, S.EXCEPTION]))
    if params.get("item"):
        query = query.where(Application.item_code == params["item"])
    if params.get("reviewed") in ("yes", "no"):
        query = query.where(Application.needs_review.is_(params["reviewed"] == "yes"))
    if (start := _day(params.get("from"))) is not None:
        query = query.where(Application.submitted_at >= start)
    if (end := _day(params.get("to"), end=True)) is not None:
        query = query.where(Application.submitted_at < end)
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    total = request.db.scalar(select(func.count()).select_from(query.subquery()))
    rows = request.db.scalars(query.order_by(Application.id.desc()).offset((page - 1) * PAGE).limit(PAGE))
    items = request.registry.runtime.catalogue.items
    return {"results": results, "items": items, "params": params, "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1), "total": total,
            "rows": [{"application": a, "title": items[a.item_code].title if a.item_code in items else a.item_code,
                      "status": status_label(a.status), "when": local_time(a.submitted_at),
                      "finished": local_time(a.completed_at)} for a in rows]}
