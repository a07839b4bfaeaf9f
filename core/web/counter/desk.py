"""The counter desk: a queue per role with counts, the review page, the actions."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import func, or_, select

from core.codes import ApplicationStatus as S
from core.contract import ACTIONS, ROLES
from core.models import Application, HistoryEntry, Unit
from core.money.errors import BusinessError
from core.web.applications import attempt, describe
from core.web.display import local_time
from core.web.materials import superseded_materials
from core.web.security import ApplicationContext, CounterRoot
from core.workflow import Workflow, available_actions, status_label

WAITING = (S.SUBMITTED, S.IN_PROGRESS, S.EXCEPTION)
REVIEW_ROLES = ("first_review", "second_review")


def waiting(catalogue, role: str):
    """Applications waiting at a step owned by ``role``: the step index is per item."""
    codes_by_step: dict[int, list[str]] = {}
    for code, item in catalogue.items.items():
        for index, step in enumerate(item.chain.steps):
            if step.role == role:
                codes_by_step.setdefault(index, []).append(code)
    conditions = [(Application.step == index) & Application.item_code.in_(codes)
                  for index, codes in codes_by_step.items()]
    if not conditions:
        return None
    return select(Application).where(Application.status.in_(WAITING), or_(*conditions))


@view_config(route_name="counter", context=CounterRoot, permission="counter",
             renderer="core.web:templates/counter/desk.pt")
def desk(request):
    roles = [r for r in REVIEW_ROLES if r in request.user.role_set]
    queues = []
    for role in roles:
        query = waiting(request.registry.runtime.catalogue, role)
        count = request.db.scalar(select(func.count()).select_from(query.subquery())) if query is not None else 0
        queues.append({"role": role, "title": ROLES[role], "count": count})
    return {"queues": queues}


@view_config(route_name="counter_queue", context=CounterRoot, permission="counter",
             renderer="core.web:templates/counter/queue.pt")
def queue(request):
    role = request.matchdict["role"]
    if role not in REVIEW_ROLES or role not in request.user.role_set:
        raise HTTPNotFound()
    query = waiting(request.registry.runtime.catalogue, role)
    items = request.registry.runtime.catalogue.items
    rows = []
    if query is not None:
        for application, unit_no, unit_name in request.db.execute(
                query.add_columns(Unit.unit_no, Unit.name).join(Unit, Unit.id == Application.unit_id)
                .order_by(Application.submitted_at, Application.id).limit(200)):
            rows.append({"application": application, "title": items[application.item_code].title,
                         "unit_no": unit_no, "unit_name": unit_name, "status": status_label(application.status),
                         "when": local_time(application.submitted_at)})
    return {"role": role, "title": ROLES[role], "rows": rows}


@view_config(route_name="counter_done", context=CounterRoot, permission="counter",
             renderer="core.web:templates/counter/done.pt")
def done(request):
    """已办: the applications this clerk has acted on, newest action first, where they stand now."""
    items = request.registry.runtime.catalogue.items
    last = (select(HistoryEntry.application_id, func.max(HistoryEntry.created_at).label("acted_at"))
            .where(HistoryEntry.actor == f"clerk:{request.user.id}").group_by(HistoryEntry.application_id).subquery())
    rows = [{"application": application, "title": items[application.item_code].title if application.item_code in items
             else application.item_code, "unit_no": unit_no, "unit_name": unit_name,
             "status": status_label(application.status), "when": local_time(acted_at)}
            for application, acted_at, unit_no, unit_name in request.db.execute(
                select(Application, last.c.acted_at, Unit.unit_no, Unit.name)
                .join(last, last.c.application_id == Application.id).join(Unit, Unit.id == Application.unit_id)
                .order_by(last.c.acted_at.desc(), Application.id.desc()).limit(200))]
    return {"rows": rows}


def _review(request, errors: list[str]) -> dict:
    context = request.context
    unit = request.db.get(Unit, context.application.unit_id)
    return {**describe(request, context.application, context.item, masked=False), "unit": unit,
            "actions": available_actions(context.item, context.application, request.actor), "errors": errors,
            "superseded": superseded_materials(request.db, context.application)}


@view_config(route_name="counter_application", context=ApplicationContext, permission="inspect",
             renderer="core.web:templates/counter/review.pt")
def review(request):
    if request.context.item is None:
        raise HTTPNotFound()
    return _review(request, [])


@view_config(route_name="counter_application", context=ApplicationContext, permission="review",
             request_method="POST", renderer="core.web:templates/counter/review.pt")
def act(request):
    action = request.POST.get("action", "")
    version = request.POST.get("version", "")
    workflow = Workflow(request.registry.runtime, request.db, request.actor, request.tm)
    try:
        with attempt(request):
            workflow.act(request.context.application.id, action, opinion=request.POST.get("opinion"),
                         version=int(version) if version.isdigit() else None)
    except BusinessError as error:
        return _review(request, [error.for_people])
    request.session.flash(f"已{ACTIONS.get(action, action)}")
    return HTTPSeeOther(request.route_url("counter_application", id=request.context.application.id))
