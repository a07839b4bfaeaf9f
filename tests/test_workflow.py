"""The application engine: every chain shape, return / resubmit / end process, exactly
once, double submit and concurrent approval — on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import colander
import pytest
import transaction
from sqlalchemy import func, select

from core.codes import ApplicationStatus as S
from core.contract import (
    ASYNC, INSTANT, ONE_REVIEW, REVIEW_THEN_PRINT, TWO_REVIEWS, BusinessItem,
)
from core.db import join_transaction
from core.items import fields
from core.models import Application, ChangeRecord, HistoryEntry, Message, Operator, Unit
from core.money.errors import BusinessError
from core.workflow import Actor, FormErrors, StaleApplication, Workflow, WorkflowError, available_actions
from tests.conftest import make_runtime, plugin

TODAY = date(2026, 11, 20)


class NoteSchema(colander.Schema):
    amount = fields.money("金额")
    remark = fields.text("备注", missing="")


def record_effect(books, application, values, rows):
    """A tiny effect: refuses an amount of 999, else records the amount once."""
    if values["amount"] == Decimal("999.00"):
        raise BusinessError("金额不能为999", field="amount")
    books.db.add(ChangeRecord(entity="unit", entity_id=application.unit_id, unit_id=application.unit_id,
                              action="note", after={"amount": str(values["amount"])}, actor=books.actor,
                              application_id=application.id))
    return {"amount": str(values["amount"])}


def note(code, chain):
    return BusinessItem(code=code, title=f"测试业务{code}", chain=chain, schema=NoteSchema, effect=record_effect)


ITEMS = [note("instant", INSTANT), note("one", ONE_REVIEW), note("two", TWO_REVIEWS),
         note("print", REVIEW_THEN_PRINT), note("async", ASYNC)]


@pytest.fixture
def runtime(database_url):
    return seeded(make_runtime(database_url, plugin(opengjj_business_items=lambda centre: ITEMS)))


def seeded(runtime):
    """Units 1 and 2, each with its operator (ids 1 and 2)."""
    with runtime.session() as db:
        for n in (1, 2):
            db.add(Unit(id=n, unit_no=f"U{n}", name=f"单位{n}", paid_to="2026-10"))
            db.flush()
            db.add(Operator(id=n, unit_id=n, name=f"经办人{n}", id_no=f"ID{n}", login_name="admin"))
    return runtime


OPERATOR = Actor("operator", 1, "经办人甲", unit_id=1, address="10.0.0.1")
OTHER_UNIT = Actor("operator", 2, "经办人乙", unit_id=2)
FIRST = Actor("clerk", 1, "柜员一", roles=frozenset({"first_review"}), address="10.0.0.9")
SECOND = Actor("clerk", 2, "柜员二", roles=frozenset({"second_review"}))


def run(runtime, actor, method, *args, **kw):
    """Call a Workflow method in its own transaction; return (id, status, version)."""
    tm = transaction.TransactionManager(explicit=True)
    db = runtime.sessionmaker()
    try:
        with tm:
            join_transaction(db, tm)
            application = getattr(Workflow(runtime, db, actor, tm, today=TODAY), method)(*args, **kw)
            result = application.id, application.status, application.version
        return result
    finally:
        db.close()


def history(runtime, application_id):
    with runtime.session() as db:
        return [(h.role, h.action, h.to_status) for h in db.scalars(
            select(HistoryEntry).where(HistoryEntry.application_id == application_id).order_by(HistoryEntry.id))]


def effects(runtime):
    with runtime.session() as db:
        return db.scalar(select(func.count()).select_from(ChangeRecord).where(ChangeRecord.action == "note"))


def messages(runtime, kind=None, open_only=False):
    with runtime.session() as db:
        query = select(Message.title).where(Message.unit_id == 1).order_by(Message.id)
        if kind:
            query = query.where(Message.kind == kind)
        if open_only:
            query = query.where(Message.done_at.is_(None))
        return list(db.scalars(query))


def test_instant_item_applies_its_effect_on_submission(runtime):
    app_id, status, _ = run(runtime, OPERATOR, "submit", "instant", {"amount": "100"}, submit_key="k1")
    assert status == S.COMPLETED
    assert effects(runtime) == 1
    assert history(runtime, app_id) == [("unit_operator", "submit", "submitted"), ("job", "complete", "completed")]
    assert messages(runtime) == ["【测试业务instant】提交成功", "【测试业务instant】已办结"]


def test_one_review_waits_for_the_counter_then_applies_once(runtime):
    app_id, status, version = run(runtime, OPERATOR, "submit", "one", {"amount": "100"}, submit_key="k1")
    assert status == S.SUBMITTED and effects(runtime) == 0
    with pytest.raises(WorkflowError, match="没有审批通过的权限"):
        run(runtime, SECOND, "act", app_id, "approve")
    _, status, _ = run(runtime, FIRST, "act", app_id, "approve", version=version)
    assert status == S.COMPLETED and effects(runtime) == 1
    with pytest.raises(WorkflowError, match="已办结"):
        run(runtime, FIRST, "act", app_id, "approve")
    assert effects(runtime) == 1
    with runtime.session() as db:
        entry = db.scalars(select(HistoryEntry).where(HistoryEntry.action == "approve")).one()
        assert (entry.actor, entry.actor_name, entry.opinion, entry.address) == ("clerk:1", "柜员一", "同意", "10.0.0.9")
        assert db.get(Application, app_id).result == {"amount": "100.00"}


def test_two_reviews_with_return_to_the_previous_step(runtime):
    app_id, *_ = run(runtime, OPERATOR, "submit", "two", {"amount": "50"})
    run(runtime, FIRST, "act", app_id, "approve", opinion="初审同意")
    with pytest.raises(WorkflowError, match="须填写意见"):
        run(runtime, SECOND, "act", app_id, "return_previous")
    run(runtime, SECOND, "act", app_id, "return_previous", opinion="请核对金额")
    run(runtime, FIRST, "act", app_id, "in_progress")
    run(runtime, FIRST, "act", app_id, "approve")
    _, status, _ = run(runtime, SECOND, "act", app_id, "approve")
    assert status == S.COMPLETED and effects(runtime) == 1
    assert [a for _, a, _ in history(runtime, app_id)] == [
        "submit", "approve", "return_previous", "in_progress", "approve", "approve"]


def test_review_then_a_voucher_print_todo_back_in_the_hall(runtime):
    app_id, *_ = run(runtime, OPERATOR, "submit", "print", {"amount": "70"})
    run(runtime, FIRST, "act", app_id, "approve")
    assert effects(runtime) == 0
    assert messages(runtime, "todo", open_only=True) == ["【测试业务print】审批通过，请打印凭证"]
    with runtime.session() as db:
        application = db.get(Application, app_id)
        assert available_actions(runtime.catalogue.items["print"], application, OPERATOR) == ["print"]
        assert available_actions(runtime.catalogue.items["print"], application, OTHER_UNIT) == []
    with pytest.raises(WorkflowError, match="其他单位"):
        run(runtime, OTHER_UNIT, "print_voucher", app_id)
    _, status, _ = run(runtime, OPERATOR, "print_voucher", app_id)
    assert status == S.COMPLETED and effects(runtime) == 1
    assert messages(runtime, "todo", open_only=True) == []


def test_return_resubmit_and_end_process(runtime):
    app_id, _, version = run(runtime, OPERATOR, "submit", "one", {"amount": "100"})
    run(runtime, FIRST, "act", app_id, "return", opinion="金额有误")
    assert messages(runtime, "todo", open_only=True) == ["【测试业务one】已退回：金额有误"]
    _, status, _ = run(runtime, OPERATOR, "submit", "one", {"amount": "120"}, application_id=app_id)
    assert status == S.SUBMITTED and messages(runtime, "todo", open_only=True) == []
    run(runtime, FIRST, "act", app_id, "return", opinion="仍有误")
    with pytest.raises(WorkflowError, match="其他单位"):
        run(runtime, OTHER_UNIT, "end_process", app_id)
    _, status, _ = run(runtime, OPERATOR, "end_process", app_id)
    assert status == S.ENDED and effects(runtime) == 0
    with pytest.raises(WorkflowError, match="已结束"):
        run(runtime, FIRST, "act", app_id, "approve")


def test_bad_form_names_the_field_and_stores_nothing(runtime):
    with pytest.raises(FormErrors) as error:
        run(runtime, OPERATOR, "submit", "one", {"amount": "12.345"}, submit_key="bad")
    assert error.value.fields == {"amount": "金额最多2位小数"}
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Application)) == 0


def test_effect_refused_at_approval_leaves_the_application_waiting(runtime):
    app_id, *_ = run(runtime, OPERATOR, "submit", "one", {"amount": "999"})
    with pytest.raises(BusinessError, match="不能为999"):
        run(runtime, FIRST, "act", app_id, "approve")
    with runtime.session() as db:
        assert db.get(Application, app_id).status == S.SUBMITTED
    assert effects(runtime) == 0
    _, status, _ = run(runtime, FIRST, "act", app_id, "exception", opinion="金额异常，联系单位")
    assert status == S.EXCEPTION


def test_async_chain_completes_in_a_job_and_reports_a_failure(runtime):
    app_id, status, _ = run(runtime, OPERATOR, "submit", "async", {"amount": "30"})
    # the embedded default runs the job inline, right after the commit
    with runtime.session() as db:
        application = db.get(Application, app_id)
        assert application.status == S.COMPLETED and application.job_id
    assert effects(runtime) == 1
    assert runtime.jobs.state(application.job_id).result == {"status": "completed"}
    app_id, *_ = run(runtime, OPERATOR, "submit", "async", {"amount": "999"})
    with runtime.session() as db:
        application = db.get(Application, app_id)
        assert (application.status, application.error) == (S.EXCEPTION, "金额不能为999")
    assert effects(runtime) == 1
    assert history(runtime, app_id)[-1] == ("job", "fail", "exception")


def test_a_submit_sent_twice_creates_one_application(runtime):
    first = run(runtime, OPERATOR, "submit", "one", {"amount": "100"}, submit_key="same-key")
    second = run(runtime, OPERATOR, "submit", "one", {"amount": "100"}, submit_key="same-key")
    assert first[0] == second[0]
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_a_stale_version_is_refused(runtime):
    app_id, _, version = run(runtime, OPERATOR, "submit", "two", {"amount": "100"})
    run(runtime, FIRST, "act", app_id, "approve", version=version)
    with pytest.raises(StaleApplication):
        run(runtime, FIRST, "act", app_id, "return", opinion="迟到的退回", version=version)


@pytest.mark.postgresql
def test_concurrent_approval_and_double_submit_on_postgresql(pg_databases):
    runtime = seeded(make_runtime(pg_databases("workflow"), plugin(opengjj_business_items=lambda centre: ITEMS)))
    app_id, _, version = run(runtime, OPERATOR, "submit", "one", {"amount": "100"})
    outcomes, barrier = [], threading.Barrier(4)

    def approve():
        barrier.wait()
        try:
            outcomes.append(run(runtime, FIRST, "act", app_id, "approve", version=version)[1])
        except WorkflowError as error:
            outcomes.append(type(error).__name__)

    def submit():
        barrier.wait()
        try:
            outcomes.append(run(runtime, OPERATOR, "submit", "instant", {"amount": "5"}, submit_key="dup")[1])
        except WorkflowError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=f) for f in (approve, approve, submit, submit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # one approval wins; both submits answer with the one application the first created
    assert sorted(outcomes) == ["StaleApplication", "completed", "completed", "completed"]
    assert effects(runtime) == 2  # one approval, one instant submission
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Application).where(Application.submit_key == "dup")) == 1


def test_one_clerk_cannot_approve_both_reviews(runtime):
    both = Actor("clerk", 3, "柜员三", roles=frozenset({"first_review", "second_review"}))
    app_id, *_ = run(runtime, OPERATOR, "submit", "two", {"amount": "10"})
    run(runtime, both, "act", app_id, "approve")
    with pytest.raises(WorkflowError, match="同一柜员不能审批同一业务的两个环节"):
        run(runtime, both, "act", app_id, "approve")
    _, status, _ = run(runtime, SECOND, "act", app_id, "approve")
    assert status == S.COMPLETED and effects(runtime) == 1


def test_admin_only_items_refuse_other_operators(runtime):
    admin = Actor("operator", 1, "管理员", unit_id=1, roles=frozenset({"admin"}))
    items = dict(runtime.catalogue.items)
    runtime.catalogue.items["admin_note"] = BusinessItem(code="admin_note", title="管理员业务", chain=INSTANT,
                                                         schema=NoteSchema, effect=record_effect, admin_only=True)
    try:
        with pytest.raises(WorkflowError, match="只能由单位管理员办理"):
            run(runtime, OPERATOR, "submit", "admin_note", {"amount": "1"})
        assert run(runtime, admin, "submit", "admin_note", {"amount": "1"})[1] == S.COMPLETED
    finally:
        runtime.catalogue.items.clear()
        runtime.catalogue.items.update(items)


def test_a_failed_background_run_can_be_corrected_or_ended_by_the_unit(runtime):
    app_id, *_ = run(runtime, OPERATOR, "submit", "async", {"amount": "999"})
    with runtime.session() as db:
        application = db.get(Application, app_id)
        assert application.status == S.EXCEPTION
        assert available_actions(runtime.catalogue.items["async"], application, OPERATOR) == [
            "save_draft", "submit", "end_process"]
    run(runtime, OPERATOR, "submit", "async", {"amount": "30"}, application_id=app_id)  # the job runs after commit
    with runtime.session() as db:
        assert db.get(Application, app_id).status == S.COMPLETED and effects(runtime) == 1
    app_id, *_ = run(runtime, OPERATOR, "submit", "async", {"amount": "999"})
    assert run(runtime, OPERATOR, "end_process", app_id)[1] == S.ENDED
