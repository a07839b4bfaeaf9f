"""The task centre: 消息, 待办, 已办, 我发起的 — a few on the home page, all under 更多."""
from __future__ import annotations

from dataclasses import dataclass

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import func, select

from core.codes import ApplicationStatus as S
from core.models import Application, Message
from core.web.display import local_time
from core.web.security import HallRoot, now
from core.workflow import status_label

KINDS = {"messages": "消息", "todo": "待办", "done": "已办", "mine": "我发起的"}
PAGE = 20


def kinds(request) -> dict[str, str]:
    """The lists' titles: core's, or the centre's own (``tasks.titles = mine:已发``)."""
    titles = dict(KINDS)
    for pair in (request.registry.runtime.centre.setting("tasks.titles") or "").split():
        kind, _, title = pair.partition(":")
        if kind in titles and title:
            titles[kind] = title
    return titles


@dataclass(frozen=True)
class Task:
    title: str
    when: str
    url: str
    status: str = ""
    unread: bool = False


def _item_title(request, code: str) -> str:
    item = request.registry.runtime.catalogue.items.get(code)
    return item.title if item else code


def _query(request, kind: str):
    operator = request.user
    if kind in ("messages", "todo"):
        query = select(Message).where(Message.unit_id == operator.unit_id,
                                      Message.kind == ("message" if kind == "messages" else "todo"))
        if kind == "todo":
            query = query.where(Message.done_at.is_(None))
        return query.order_by(Message.id.desc())
    query = select(Application).where(Application.unit_id == operator.unit_id, Application.status != S.DRAFT)
    if kind == "done":
        query = query.where(Application.status.in_([S.COMPLETED, S.ENDED, S.REVOKED]))
    else:
        query = query.where(Application.operator_id == operator.id)
    return query.order_by(Application.id.desc())


def _task(request, kind: str, row) -> Task:
    if isinstance(row, Message):
        url = request.route_url("hall_application", id=row.application_id) if row.application_id \
            else request.route_url("hall_message", mid=row.id)
        if kind == "messages":
            url = request.route_url("hall_message", mid=row.id)
        return Task(row.title, local_time(row.created_at), url, unread=row.read_at is None)
    return Task(f"{_item_title(request, row.item_code)}（业务编号 {row.id}）",
                local_time(row.submitted_at or row.created_at),
                request.route_url("hall_application", id=row.id), status_label(row.status))


def task_lists(request, limit: int) -> dict[str, list[Task]]:
    return {kind: [_task(request, kind, row) for row in request.db.scalars(_query(request, kind).limit(limit))]
            for kind in KINDS}


@view_config(route_name="hall_tasks", context=HallRoot, permission="hall", renderer="core.web:templates/hall/tasks.pt")
def more(request):
    kind = request.matchdict["kind"]
    if kind not in KINDS:
        raise HTTPNotFound()
    page = int(request.params["page"]) if request.params.get("page", "").isdigit() else 1
    page = max(page, 1)
    query = _query(request, kind)
    total = request.db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = request.db.scalars(query.offset((page - 1) * PAGE).limit(PAGE))
    return {"kind": kind, "kinds": kinds(request), "tasks": [_task(request, kind, r) for r in rows], "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1), "total": total}


@view_config(route_name="hall_message", context=HallRoot, permission="hall", renderer="core.web:templates/hall/message.pt")
def message(request):
    try:
        found = request.db.get(Message, int(request.matchdict["mid"]))
    except ValueError:
        found = None
    if found is None or found.unit_id != request.user.unit_id:
        raise HTTPNotFound()  # another unit's message does not exist for this operator
    if found.read_at is None:
        found.read_at = now()
    item_title = ""
    if found.application_id:
        application = request.db.get(Application, found.application_id)
        item_title = _item_title(request, application.item_code) if application else ""
    return {"message": found, "item_title": item_title, "when": local_time(found.created_at),
            "channel": "网上服务大厅"}
