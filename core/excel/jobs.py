"""A large 清册 import, run in the background (``JobService.enqueue``).

The upload was checked (file, size, headers) and stored before the job was sent; the
job reads and validates every row, appends the good ones to the draft application's
清册 as the operator (an ordinary 暂存), keeps the error file and returns the counts.
A refused file is reported in the result, and nothing is staged.
"""
from __future__ import annotations

from core.codes import ApplicationStatus as S
from core.excel.read import ExcelRefused
from core.excel.staging import stage, storage
from core.models import Application, Operator, Unit
from core.workflow import Actor, Workflow
from core.workflow.forms import bind


def import_rows(ctx, item_code: str, application_id: int, operator_id: int, upload: str) -> dict:
    runtime, db = ctx.runtime, ctx.db
    operator = db.get(Operator, operator_id)
    application = db.get(Application, application_id)
    item = runtime.catalogue.items.get(item_code)
    base = {"unit_id": getattr(operator, "unit_id", None), "application_id": application_id}
    if operator is None or application is None or item is None or application.unit_id != operator.unit_id:
        return {**base, "refused": "业务不存在"}
    if application.status not in (S.DRAFT, S.RETURNED):
        return {**base, "refused": "该业务已提交，不能再导入"}
    unit = db.get(Unit, operator.unit_id)
    schema = bind(item.row_schema, request=ctx.request, centre=runtime.centre, db=db, unit=unit)
    existing = [dict(row.data) for row in application.rows]
    actor = Actor("operator", operator.id, operator.name, unit_id=operator.unit_id)
    workflow = Workflow(runtime, db, actor, ctx.request.tm if ctx.request is not None else None)

    def save(rows: list[dict]) -> None:
        workflow.save_draft(item_code, dict(application.data or {}), existing + rows, application_id=application.id)

    def progress(done: int, total: int) -> None:
        ctx.progress(min(95, 5 + int(90 * done / total)) if total else 50, f"已校验{done}行")

    ctx.progress(5, "正在读取文件")
    try:
        outcome = stage(runtime, storage(runtime).get(upload), schema, save, progress)
    except ExcelRefused as refused:
        return {**base, "refused": refused.message}
    return {**base, **outcome.as_dict()}
