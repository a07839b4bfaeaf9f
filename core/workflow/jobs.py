"""The ``job`` step of an asynchronous chain (Shaanxi's 交易进度查询).

Runs in the worker in its own transaction. The effect is applied in a savepoint: when
the money engine refuses it, the savepoint is rolled back, and the application is
marked 办理失败 (exception) with the reason and, per row, what was wrong — the hall
shows both and offers the error file. Safe to run twice: a completed application is
left alone.
"""
from __future__ import annotations

from datetime import date

from core.codes import ApplicationStatus as S
from core.money.errors import BusinessError
from core.workflow.engine import SYSTEM, Workflow, current_step


def run_step(ctx, application_id: int, today: str) -> dict:
    workflow = Workflow(ctx.runtime, ctx.db, SYSTEM, ctx.request.tm if ctx.request else None,
                        today=date.fromisoformat(today))
    application = workflow._lock(application_id, None)
    item = workflow.item(application.item_code)
    step = current_step(item, application)
    if application.effect_applied_at is not None or step is None or step.role != "job" \
            or application.status != S.IN_PROGRESS:
        return {"status": application.status}
    ctx.progress(10, "正在办理")
    try:
        with ctx.db.begin_nested():
            workflow._advance(item, application, "job", "complete", "办理成功")
    except BusinessError as error:
        application.status = S.EXCEPTION.value
        application.error = error.for_people
        rows = {v.row: v.message for v in error.violations if v.row is not None}
        for row in application.rows:
            row.status, row.error = ("error", rows[row.row_no]) if row.row_no in rows else ("ok", None)
        workflow._history(application, "job", "fail", S.IN_PROGRESS, S.EXCEPTION, application.error)
        workflow._notify(application, "application.failed", f"【{item.title}】办理失败：{application.error}")
        return {"status": application.status, "error": application.error}
    return {"status": application.status}
