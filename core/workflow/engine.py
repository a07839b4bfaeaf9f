"""The application engine: drafts, submission and the actions of an approval chain.

Every action is a method of :class:`Workflow` and leaves one history row (who, in which
role, did what, with which opinion, from which address) plus an audit entry. The item's
effect runs exactly once, in the transaction of the action that completes the chain:
the application row is locked while it acts, ``effect_applied_at`` is checked and set
in the same transaction, and the row's version must be the one the actor saw, so two
clerks approving at once cannot both win.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import transaction
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.codes import ApplicationStatus as S
from core.contract import ACTIONS, ROLES, BusinessItem, Notification, Step
from core.materials.service import missing_required
from core.models import Application, ApplicationRow, AuditEntry, HistoryEntry, Message, Unit
from core.money.books import Books
from core.money.errors import BusinessError, RuleViolations
from core.workflow import forms

STATUS_LABELS = {
    S.DRAFT: "暂存", S.SUBMITTED: "待审批", S.IN_PROGRESS: "办理中", S.RETURNED: "已退回",
    S.EXCEPTION: "异常", S.COMPLETED: "已办结", S.REVOKED: "已撤销", S.ENDED: "已结束",
}
FINAL = {S.COMPLETED, S.REVOKED, S.ENDED}
#: actions a clerk may take on an application waiting at their step
OPEN_AT_COUNTER = {S.SUBMITTED, S.IN_PROGRESS, S.EXCEPTION}
NEEDS_OPINION = {"return", "return_previous", "revoke", "exception"}


class WorkflowError(BusinessError):
    """An action that is not allowed now: the message says why."""


class StaleApplication(WorkflowError):
    """Someone else acted on the application since the actor loaded it."""


class _AlreadySubmitted(Exception):
    def __init__(self, application: Application):
        self.application = application


@dataclass(frozen=True)
class Actor:
    """Who acts: an operator of a unit, a clerk with roles, or the system (a job)."""

    kind: str  # operator | clerk | system
    id: int | None
    name: str
    unit_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    address: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind


SYSTEM = Actor("system", None, "系统")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(S(status), status)


def current_step(item: BusinessItem, application: Application) -> Step | None:
    steps = item.chain.steps
    if application.status in FINAL or application.status == S.DRAFT or not steps:
        return None
    return steps[min(application.step, len(steps) - 1)]


def unit_may_edit(item: BusinessItem, application: Application) -> bool:
    """A draft, a returned application, or one whose background run failed (nobody else
    can move it on): the unit corrects and resubmits it, or ends it."""
    if application.status in (S.DRAFT, S.RETURNED):
        return True
    step = item.chain.steps[application.step] if application.step < len(item.chain.steps) else None
    return application.status == S.EXCEPTION and step is not None and step.role == "job"


def available_actions(item: BusinessItem, application: Application, actor: Actor) -> list[str]:
    """What ``actor`` may do to ``application`` now (the buttons the page shows)."""
    status = S(application.status)
    if actor.kind == "operator":
        if actor.unit_id != application.unit_id:
            return []
        if unit_may_edit(item, application):
            return ["save_draft", "submit"] + (["end_process"] if status != S.DRAFT else [])
        step = current_step(item, application)
        if step is not None and step.role == "unit_voucher_print" and status == S.SUBMITTED:
            return list(step.actions)
        return []
    if actor.kind == "clerk":
        step = current_step(item, application)
        if step is None or step.role not in actor.roles or status not in OPEN_AT_COUNTER:
            return []
        actions = [a for a in step.actions if not (a == "in_progress" and status == S.IN_PROGRESS)]
        if application.step == 0 or item.chain.steps[application.step - 1].role not in ("first_review",
                                                                                       "second_review"):
            actions = [a for a in actions if a != "return_previous"]
        return actions
    return []


class Workflow:
    """One actor's hand on a centre's applications, inside the caller's transaction.

    ``tm`` is the transaction manager jobs are sent after (needed for ``job`` steps);
    ``today`` is the business date the effect books under.
    """

    def __init__(self, runtime, db: Session, actor: Actor, tm: transaction.TransactionManager | None = None,
                 today: date | None = None):
        self.runtime = runtime
        self.db = db
        self.actor = actor
        self.tm = tm
        self.today = today or date.today()

    # --- look-ups ------------------------------------------------------------------

    def item(self, code: str) -> BusinessItem:
        item = self.runtime.catalogue.items.get(code)
        if item is None:
            raise WorkflowError(f"本中心未开通业务“{code}”")
        return item

    def _lock(self, application_id: int, version: int | None) -> Application:
        application = self.db.scalars(
            select(Application).where(Application.id == application_id).with_for_update()
            .execution_options(populate_existing=True)).one_or_none()
        if application is None:
            raise WorkflowError("业务不存在")
        if version is not None and application.version != version:
            raise StaleApplication("该业务已被他人处理，请刷新后查看最新状态")
        return application

    def _schema_kw(self, application: Application) -> dict[str, Any]:
        return {"centre": self.runtime.centre, "db": self.db, "unit": self.db.get(Unit, application.unit_id)}

    # --- the unit's side -------------------------------------------------------------

    def save_draft(self, item_code: str, data: dict, rows: list[dict] | None = None, *,
                   submit_key: str | None = None, application_id: int | None = None,
                   version: int | None = None) -> Application:
        """暂存: keep what the operator typed, unchecked, to finish later."""
        item = self.item(item_code)
        try:
            application = self._editable(item, application_id, version, submit_key)
        except _AlreadySubmitted:
            raise StaleApplication("该业务已提交，请勿重复操作") from None
        self._store(application, data, rows)
        self._history(application, "unit_operator", "save_draft", application.status, application.status)
        return application

    def submit(self, item_code: str, data: dict, rows: list[dict] | None = None, *,
               submit_key: str | None = None, application_id: int | None = None,
               version: int | None = None) -> Application:
        """Submit (or resubmit a returned application). A submit sent twice with the same
        ``submit_key`` returns the application the first one created."""
        item = self.item(item_code)
        if submit_key and application_id is None:
            existing = self._by_key(submit_key)
            if existing is not None and existing.status != S.DRAFT:
                return existing
        try:
            application = self._editable(item, application_id, version, submit_key)
        except _AlreadySubmitted as twin:
            return twin.application
        self._store(application, data, rows)
        forms.check(item, application.data, [r.data for r in application.rows], **self._schema_kw(application))
        violations = self.runtime.check_rules(item, application, self.db)
        if violations:
            raise RuleViolations(violations)
        missing = missing_required(item, application, self.runtime.catalogue)
        if missing:
            raise BusinessError(f"缺少必传材料：{'、'.join(missing)}", field="materials")
        from core.vouchers.service import refuse_stale_prints  # local: core.vouchers imports the workflow
        refuse_stale_prints(self.runtime, self.db, application)
        before = application.status
        application.status, application.step = S.SUBMITTED.value, 0
        application.submitted_at = _now()
        application.needs_review = any(r in ("first_review", "second_review") for r in item.chain.roles)
        application.error = None
        self._close_todos(application)
        self._history(application, "unit_operator", "submit", before, S.SUBMITTED)
        self._notify(application, "application.submitted", f"【{item.title}】提交成功")
        self._enter_step(item, application)
        return application

    def end_process(self, application_id: int, *, version: int | None = None, opinion: str | None = None) -> Application:
        """结束流程: the unit withdraws a returned application (to apply anew)."""
        application = self._lock(application_id, version)
        self._require_own(application)
        before = S(application.status)
        if before == S.DRAFT or not unit_may_edit(self.item(application.item_code), application):
            raise WorkflowError("只有被退回或办理失败的业务可以结束流程")
        application.status = S.ENDED.value
        application.completed_at = _now()
        self._close_todos(application)
        self._history(application, "unit_operator", "end_process", before, S.ENDED, opinion)
        return application

    def print_voucher(self, application_id: int, *, version: int | None = None) -> Application:
        """The hall's voucher-print to-do: printing completes that step."""
        application = self._lock(application_id, version)
        self._require_own(application)
        item = self.item(application.item_code)
        step = current_step(item, application)
        if step is None or step.role != "unit_voucher_print" or application.status != S.SUBMITTED:
            raise WorkflowError("该业务当前没有待打印的凭证")
        self._close_todos(application)
        self._advance(item, application, "unit_voucher_print", "print", None)
        return application

    # --- the counter's side ------------------------------------------------------------

    def act(self, application_id: int, action: str, *, opinion: str | None = None,
            version: int | None = None) -> Application:
        """A clerk's action at the current step: approve, return, return_previous,
        revoke, exception, in_progress."""
        application = self._lock(application_id, version)
        item = self.item(application.item_code)
        if action not in available_actions(item, application, self.actor):
            label = ACTIONS.get(action, action)
            step = current_step(item, application)
            if step is None or application.status not in OPEN_AT_COUNTER:
                raise WorkflowError(f"该业务{status_label(application.status)}，不能{label}")
            raise WorkflowError(f"当前环节为“{step.title}”，您没有{label}的权限")
        opinion = (opinion or "").strip() or None
        step = current_step(item, application)
        if (action in NEEDS_OPINION or action in step.requires_opinion) and not opinion:
            raise WorkflowError(f"{ACTIONS[action]}须填写意见", field="opinion")
        role = step.role
        before = S(application.status)
        if action == "approve" and self._approved_earlier_step(application):
            raise WorkflowError("同一柜员不能审批同一业务的两个环节，请由其他柜员复核")
        if action == "approve":
            self._advance(item, application, role, "approve", opinion or "同意")
        elif action == "return":
            application.status = S.RETURNED.value
            self._history(application, role, action, before, S.RETURNED, opinion)
            self._notify(application, "application.returned", f"【{item.title}】已退回：{opinion}", kind="todo")
        elif action == "return_previous":
            self._history(application, role, action, before, S.SUBMITTED, opinion)
            application.step -= 1
            application.status = S.SUBMITTED.value
        elif action == "revoke":
            application.status = S.REVOKED.value
            application.completed_at = _now()
            self._history(application, role, action, before, S.REVOKED, opinion)
            self._notify(application, "application.revoked", f"【{item.title}】已撤销：{opinion}")
        elif action == "exception":
            application.status = S.EXCEPTION.value
            self._history(application, role, action, before, S.EXCEPTION, opinion)
            self._notify(application, "application.exception", f"【{item.title}】异常处理：{opinion}")
        elif action == "in_progress":
            application.status = S.IN_PROGRESS.value
            self._history(application, role, action, before, S.IN_PROGRESS, opinion)
        return application

    # --- the chain -----------------------------------------------------------------------

    def _advance(self, item: BusinessItem, application: Application, role: str, action: str,
                 opinion: str | None) -> None:
        before = S(application.status)
        if application.step + 1 >= len(item.chain.steps):
            # the history row first, so the effect can read the completing opinion
            self._history(application, role, action, before, S.COMPLETED, opinion)
            self._complete(item, application)
            return
        self._history(application, role, action, before, S.SUBMITTED, opinion)  # at the step it approves
        application.step += 1
        application.status = S.SUBMITTED.value
        self._enter_step(item, application)

    def _enter_step(self, item: BusinessItem, application: Application) -> None:
        if item.chain.instant:
            self._history(application, "job", "complete", S.SUBMITTED, S.COMPLETED, "发起即办结")
            self._complete(item, application)
            return
        step = item.chain.steps[application.step]
        if step.role == "job":
            if self.tm is None:
                raise WorkflowError("后台处理需要事务管理器")
            application.status = S.IN_PROGRESS.value
            self.db.flush()
            application.job_id = self.runtime.jobs.enqueue(
                "core.workflow.jobs.run_step", application.id, self.today.isoformat(), tm=self.tm,
                description=f"{item.title} #{application.id}")
        elif step.role == "unit_voucher_print":
            self._notify(application, "application.print", f"【{item.title}】审批通过，请打印凭证", kind="todo")

    def _complete(self, item: BusinessItem, application: Application) -> None:
        """Apply the effect: once, in this transaction, or not at all."""
        if application.effect_applied_at is not None:
            raise WorkflowError("该业务已办结")
        values, rows = forms.check(item, application.data, [r.data for r in application.rows],
                                   **self._schema_kw(application))
        books = Books(self.db, self.runtime, self.actor.ref, self.today, application.id)
        result = item.effect(books, application, values, rows) if item.effect is not None else None
        application.result = result
        application.effect_applied_at = application.completed_at = _now()
        application.status = S.COMPLETED.value
        for row in application.rows:
            row.status, row.error = "done", None
        self._notify(application, "application.completed", f"【{item.title}】已办结")

    # --- helpers -------------------------------------------------------------------------

    def _approved_earlier_step(self, application: Application) -> bool:
        """Whether this clerk already approved a review step of the current submission."""
        since = max((h.id for h in application.history if h.action == "submit"), default=0)
        return any(h.id > since and h.action == "approve" and h.actor == self.actor.ref
                   and h.step < application.step and h.role in ("first_review", "second_review")
                   for h in application.history)

    def _require_own(self, application: Application) -> None:
        if self.actor.kind != "operator" or self.actor.unit_id != application.unit_id:
            raise WorkflowError("无权办理其他单位的业务")

    def _by_key(self, submit_key: str) -> Application | None:
        return self.db.scalars(select(Application).where(
            Application.unit_id == self.actor.unit_id, Application.submit_key == submit_key)).one_or_none()

    def _editable(self, item: BusinessItem, application_id: int | None, version: int | None,
                  submit_key: str | None) -> Application:
        if self.actor.kind != "operator" or self.actor.unit_id is None:
            raise WorkflowError("只有单位经办人可以发起业务")
        if item.admin_only and "admin" not in self.actor.roles:
            raise WorkflowError(f"“{item.title}”只能由单位管理员办理")
        if application_id is None and submit_key:
            application_id = getattr(self._by_key(submit_key), "id", None)
        if application_id is not None:
            application = self._lock(application_id, version)
            self._require_own(application)
            if application.item_code != item.code:
                raise WorkflowError("业务类型不符")
            if not unit_may_edit(item, application):
                raise WorkflowError(f"该业务{status_label(application.status)}，不能修改")
            return application
        application = Application(item_code=item.code, unit_id=self.actor.unit_id, operator_id=self.actor.id,
                                  status=S.DRAFT.value, step=0, data={}, submit_key=submit_key)
        try:
            with self.db.begin_nested():  # a second identical submit waits here, then fails
                self.db.add(application)
        except IntegrityError:
            # the same submit, sent twice: the other request committed it while we waited
            existing = self._by_key(submit_key) if submit_key else None
            if existing is None:
                raise
            raise _AlreadySubmitted(existing) from None
        return application

    def _store(self, application: Application, data: dict, rows: list[dict] | None) -> None:
        application.data = forms.storable(data)
        if rows is not None:
            application.rows.clear()
            self.db.flush()
            application.rows.extend(ApplicationRow(row_no=n, data=forms.storable(row)) for n, row in enumerate(rows, 1))
        self.db.flush()

    def _history(self, application: Application, role: str, action: str, before, after,
                 opinion: str | None = None) -> None:
        self.db.add(HistoryEntry(
            application_id=application.id, step=application.step, role=role, actor=self.actor.ref,
            actor_name=self.actor.name, action=action, from_status=str(before) if before else None,
            to_status=str(after), opinion=opinion, address=self.actor.address))
        self.db.add(AuditEntry(
            actor=self.actor.ref, actor_name=self.actor.name, unit_id=application.unit_id,
            address=self.actor.address, action=f"application.{action}", entity="application",
            entity_id=application.id, details={"item": application.item_code, "to": str(after)}))
        self.db.flush()

    def _notify(self, application: Application, event: str, title: str, kind: str = "message") -> None:
        self.runtime.notify(self.db, Notification(
            event=event, unit_id=application.unit_id, title=title, application_id=application.id,
            operator_id=application.operator_id, kind=kind,
            body=f"业务编号 {application.id}"))

    def _close_todos(self, application: Application) -> None:
        self.db.execute(update(Message).where(
            Message.application_id == application.id, Message.kind == "todo", Message.done_at.is_(None))
            .values(done_at=_now()))


def role_title(role: str) -> str:
    return ROLES.get(role, role)
