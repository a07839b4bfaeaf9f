"""An application as both faces show it: its form, rows, flow chart and history.

Lists mask ID and phone numbers (the columns named ``id_no`` and ``phone``); the
counter's review page shows them whole, as the clerk must check them against the
documents.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import colander

from core.codes import ApplicationStatus as S
from core.contract import ACTIONS, ROLES, BusinessItem
from core.models import Application, Unit
from core.web.display import local_time, mask_id, mask_phone
from core.web.result_labels import labelled
from core.workflow import current_step, status_label
from core.workflow.forms import bind

MASKED = {"id_no": mask_id, "phone": mask_phone}
#: result keys shown once to the applying unit, then erased (a new operator's initial password)
ONCE = ("initial_passwords",)


@dataclass(frozen=True)
class ChartStep:
    title: str
    role: str
    state: str  # done | current | waiting


@dataclass(frozen=True)
class HistoryLine:
    when: str
    role: str
    actor: str
    action: str
    opinion: str
    status: str


def _columns(factory, request, unit) -> tuple[list[tuple[str, str]], dict[str, list]]:
    """The (name, title) of each field of a schema, and the choices of its selects."""
    if factory is None:
        return [], {}
    schema = bind(factory, request=request, centre=request.registry.runtime.centre, db=request.db, unit=unit)
    return ([(child.name, child.title) for child in schema.children],
            {child.name: getattr(child.widget, "values", None) or [] for child in schema.children})


def _shown(node_values, value) -> str:
    if value in (None, colander.null, ""):  # an empty select is blank, not its "请选择" prompt
        return ""
    return str(dict(node_values).get(value, value)) if node_values else str(value)


def flow_chart(item: BusinessItem, application: Application) -> list[ChartStep]:
    chart = [ChartStep("单位提交", "unit_operator", "done" if application.status != S.DRAFT else "current")]
    current = current_step(item, application)
    for index, step in enumerate(item.chain.steps):
        if application.status == S.COMPLETED or index < application.step:
            state = "done"
        elif step is current and application.status not in (S.RETURNED,):
            state = "current"
        else:
            state = "waiting"
        chart.append(ChartStep(step.title, step.role, state))
    chart.append(ChartStep(status_label(application.status) if application.status in
                           (S.COMPLETED, S.REVOKED, S.ENDED) else "办结", "",
                           "done" if application.status in (S.COMPLETED, S.REVOKED, S.ENDED) else "waiting"))
    return chart


def describe(request, application: Application, item: BusinessItem, *, masked: bool) -> dict:
    unit = request.db.get(Unit, application.unit_id)
    titles, choices = _columns(item.schema, request, unit)
    fields = [(title, _shown(choices.get(name), application.data.get(name))) for name, title in titles]
    if item.kind == "change":
        row_titles = [("label", "变更项目"), ("before", "变更前"), ("after", "变更后")]
        row_choices: dict = {}
    else:
        row_titles, row_choices = _columns(item.row_schema, request, unit)
    rows = []
    for row in application.rows:
        cells = []
        for name, _ in row_titles:
            value = _shown(row_choices.get(name), row.data.get(name))
            cells.append(MASKED[name](value) if masked and name in MASKED else value)
        rows.append({"no": row.row_no, "cells": cells, "error": row.error, "status": row.status})
    history = [HistoryLine(local_time(h.created_at), ROLES.get(h.role, h.role), h.actor_name,
                           ACTIONS.get(h.action, h.action), h.opinion or "", status_label(h.to_status))
               for h in application.history if h.action != "save_draft"]
    result = dict(application.result or {})
    if any(key in result for key in ONCE):
        shown = {key: result.pop(key) for key in ONCE if key in result}
        viewer = getattr(request.user, "id", None) if hasattr(request.user, "unit_id") else None
        if masked and viewer == application.operator_id:
            # the operator who applied reads it now, and never again; the counter never sees it
            application.result = result
            result.update({"首次登录密码（仅显示一次，请妥善转交）": "；".join(f"{k}：{v}" for k, v in
                                                                  shown.get("initial_passwords", {}).items())})
    return {"application": application, "item": item, "fields": fields, "row_titles": row_titles, "rows": rows,
            "history": history, "chart": flow_chart(item, application), "status": status_label(application.status),
            "submitted_at": local_time(application.submitted_at), "result": labelled(result)}


@contextmanager
def attempt(request) -> Iterator[None]:
    """Run engine calls in a savepoint: when one refuses, the session is as it was (so
    the page can be shown again) and the request's transaction is doomed, so nothing
    of the refused attempt is committed."""
    try:
        with request.db.begin_nested():
            yield
    except Exception:
        request.tm.doom()
        raise
