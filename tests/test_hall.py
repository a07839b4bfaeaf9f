"""Functional walks through the hall and the counter desk: one standard item per chain
shape, from login to its effect on accounts and ledgers and the messages on both sides."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from core.invariants import check_ledgers
from core.models import (
    Account, Application, AuditEntry, ChangeRecord, LedgerEntry, Message, RemittanceVerification, Unit,
)
from tests.support.web import Client, fill, make_centre_app


@pytest.fixture
def app(tmp_path, database_url):
    return make_centre_app(tmp_path, database_url)


def clerk(app, name):
    client = Client(app)
    client.login_clerk(name).follow()
    return client


def approve(app, name, application_id, action="approve", opinion=""):
    desk = clerk(app, name)
    page = desk.get(f"/counter/applications/{application_id}")
    form = page.forms["review"]
    form["opinion"] = opinion
    return form.submit("action", value=action), desk


def submitted_id(response) -> int:
    assert response.status_int == 303
    page = response.follow()
    assert "提交成功" in page.text
    return int(page.request.path.rsplit("/", 1)[1])


def db_value(runtime, query):
    with runtime.session() as db:
        return db.scalar(query)


# --- 发起即办结 -----------------------------------------------------------------------------

def test_open_accounts_is_done_on_submission(hall, runtime, demo):
    page = hall.item("open_accounts")
    assert "发起即办结" in page.text
    for name, body in (("赵新", "11010119900307123"), ("钱新", "11010119920516124")):
        id_no = body + ric.calc_check_digit(body + "0")
        row = fill(page.forms["row"], name=name, id_no=id_no, base="6000")
        page = row.submit("add_row").follow()
    assert page.text.count("删除") == 2
    application_id = submitted_id(page.forms["finish"].submit("submit"))
    detail = hall.get(f"/hall/applications/{application_id}")
    assert "已办结" in detail.text
    with runtime.session() as db:
        opened = db.scalars(select(Account).where(Account.unit_id == demo.unit_id, Account.base == Decimal("6000.00"),
                                                  Account.opened_on.is_not(None))).all()
        assert len([a for a in opened if a.person.name in ("赵新", "钱新")]) == 2
        assert db.get(Application, application_id).result


# --- one counter review; return, resubmit, end process --------------------------------------

def test_ratio_adjustment_with_one_review_then_return_and_end_process(app, hall, runtime, demo):
    page = hall.item("unit_ratio_adjustment")
    assert 'class="req"' in page.text  # required fields are marked *
    form = fill(page.forms["deform"], unit_ratio="10", personal_ratio="10", effective_month="2026-12")
    application_id = submitted_id(form.submit("submit"))

    desk = clerk(app, "clerk1")
    assert "1</span> 笔待处理" in desk.get("/counter").text
    review = desk.get(f"/counter/applications/{application_id}")
    assert "10" in review.text and "柜面初审" in review.text
    done = review.forms["review"].submit("action", value="approve").follow()
    assert "已办结" in done.text
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        assert (unit.unit_ratio, unit.personal_ratio) == (Decimal("0.10"), Decimal("0.10"))
    home = hall.get("/hall")
    assert "【缴存比例调整】已办结" in home.text

    # a second application, returned, resubmitted, returned again and ended by the unit
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="8", personal_ratio="8",
                effective_month="2027-01")
    second = submitted_id(form.submit("submit"))
    response, _ = approve(app, "clerk1", second, "return", "")
    assert "退回须填写意见" in response.text
    approve(app, "clerk1", second, "return", "比例须附职代会决议")
    todo = hall.get("/hall")
    assert "已退回：比例须附职代会决议" in todo.text
    edit = hall.get(f"/hall/applications/{second}").click("修改后重新提交")
    assert "比例须附职代会决议" in edit.text
    edit.forms["deform"]["unit_ratio"] = "9"
    edit.forms["deform"]["personal_ratio"] = "9"
    assert submitted_id(edit.forms["deform"].submit("submit")) == second
    approve(app, "clerk1", second, "return", "仍缺材料")
    detail = hall.get(f"/hall/applications/{second}")
    ended = detail.forms["end-process"].submit().follow()
    assert "已结束" in ended.text and "结束流程" in ended.text
    assert db_value(runtime, select(Unit.unit_ratio).where(Unit.id == demo.unit_id)) == Decimal("0.10")
    assert db_value(runtime, select(func.count()).select_from(Message).where(
        Message.application_id == second, Message.kind == "todo", Message.done_at.is_(None))) == 0


# --- first + second review, with a return to the previous step ------------------------------

def test_mispayment_adjustment_through_two_reviews_moves_money_with_ledger_entries(app, hall, runtime, demo):
    source, target = demo.accounts[0], demo.accounts[1]
    balance = lambda no: db_value(runtime, select(Account.balance).where(Account.account_no == no))  # noqa: E731
    before = balance(source), balance(target)
    row = fill(hall.item("mispayment_adjustment").forms["row"], from_account_no=source, to_account_no=target,
               amount="100.50", month="2026-09", reason="错缴到同事账户")
    page = row.submit("add_row").follow()
    assert "已添加第1行" in page.text
    application_id = submitted_id(page.forms["finish"].submit("submit"))
    approve(app, "clerk1", application_id, opinion="初审通过")
    denied = clerk(app, "clerk1").get(f"/counter/applications/{application_id}")
    assert "review" not in denied.forms  # clerk1 can look, but the second review is not theirs
    approve(app, "clerk2", application_id, "return_previous", "请核对错缴年月")
    approve(app, "clerk1", application_id)
    assert balance(source) == before[0]  # nothing moves before the last step
    approve(app, "clerk2", application_id, opinion="复核通过")
    assert (balance(source), balance(target)) == (before[0] - Decimal("100.50"), before[1] + Decimal("100.50"))
    with runtime.session() as db:
        lines = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "account").order_by(LedgerEntry.id.desc())
                           .limit(2)).all()
        assert sorted(line.amount for line in lines) == [Decimal("-100.50"), Decimal("100.50")]
        assert check_ledgers(db) == []
        actions = [(h.role, h.action) for h in db.get(Application, application_id).history]
    assert actions == [("unit_operator", "save_draft"),  # the 清册's first row keeps a draft
                       ("unit_operator", "submit"), ("first_review", "approve"), ("second_review", "return_previous"),
                       ("first_review", "approve"), ("second_review", "approve")]
    detail = hall.get(f"/hall/applications/{application_id}")
    assert "请核对错缴年月" in detail.text and "复核通过" in detail.text  # the flow chart's opinions


# --- review, then a voucher-print to-do back in the hall ------------------------------------

def test_seal_review_then_print_todo(app, hall, runtime, demo):
    account_no = demo.accounts[2]
    page = hall.item("seal")
    reason = page.forms["row"]["reason"].options[1][0]
    page = fill(page.forms["row"], account_no=account_no, reason=reason).submit("add_row").follow()
    application_id = submitted_id(page.forms["finish"].submit("submit"))
    approve(app, "clerk1", application_id)
    state = lambda: db_value(runtime, select(Account.state).where(Account.account_no == account_no))  # noqa: E731
    assert state() == "01"
    home = hall.get("/hall")
    assert "审批通过，请打印凭证" in home.text
    detail = home.click("审批通过，请打印凭证")
    done = detail.forms["print"].submit().follow()
    assert "已办结" in done.text and state() == "02"
    assert "请打印凭证" not in hall.get("/hall/tasks/todo").text


# --- asynchronous processing: 交易进度 / 交易结果查询 ------------------------------------------

def test_remittance_runs_as_a_job_and_a_failure_is_reported(hall, runtime, demo):
    month = db_value(runtime, select(Unit.paid_to).where(Unit.id == demo.unit_id))
    next_month = f"{int(month[:4]) + (month[5:] == '12')}-{int(month[5:]) % 12 + 1:02d}"
    form = fill(hall.item("remittance").forms["deform"], month=next_month, count="1")
    first = submitted_id(form.submit("submit"))
    assert hall.get(f"/hall/applications/{first}/status.json").json["status"] == "completed"
    assert db_value(runtime, select(func.count()).select_from(RemittanceVerification).where(
        RemittanceVerification.application_id == first)) == 1
    # the same month again: the job refuses it, the hall says why
    form = fill(hall.item("remittance").forms["deform"], month=next_month, count="1")
    second = submitted_id(form.submit("submit"))
    status = hall.get(f"/hall/applications/{second}/status.json").json
    assert status["status"] == "exception" and status["error"]
    progress = hall.get("/hall/jobs/progress", params={"item": "remittance", "reviewed": "no"})
    assert status["error"] in progress.text and f">{second}<" in progress.text
    results = hall.get("/hall/jobs/results", params={"item": "remittance"})
    assert f">{first}<" in results.text
    assert f">{first}<" not in hall.get("/hall/jobs/results", params={"from": "2000-01-01", "to": "2000-01-02"}).text


# --- a change item: 待变更清册 with per-row cancel ----------------------------------------

def test_unit_info_change_stages_changes_with_cancel(app, hall, runtime, demo):
    page = hall.item("unit_info_change")
    assert 'readonly="readonly"' in page.text  # greyed: unit number, name, credit code
    form = fill(page.forms["deform"], address="新地址路1号", contact_name="新联系人", name="改不了的名字")
    page = form.submit("stage").follow()
    assert "待变更清册" in page.text and "新地址路1号" in page.text and "改不了的名字" not in page.text
    cancel = next(f for f in page.forms.values() if "cancel_change" in f.fields and f["row"].value == "1")
    page = cancel.submit("cancel_change").follow()  # cancel the first staged change (address)
    assert "新地址路1号" not in page.text and "新联系人" in page.text
    application_id = submitted_id(page.forms["finish"].submit("submit"))
    approve(app, "clerk1", application_id)
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        assert unit.contact_name == "新联系人" and unit.address != "新地址路1号"
        assert db.scalar(select(func.count()).select_from(ChangeRecord).where(
            ChangeRecord.application_id == application_id)) >= 1


# --- bad input, double submit, drafts ----------------------------------------------------

def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(hall, runtime):
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="abc", personal_ratio="10",
                effective_month="2026-13")
    page = form.submit("submit")
    assert page.status_int == 200
    assert "单位缴存比例须为百分数" in page.text and "生效年月格式应为" in page.text
    assert db_value(runtime, select(func.count()).select_from(Application)) == 0


def test_a_form_sent_twice_makes_one_application(hall, runtime):
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="11", personal_ratio="11",
                effective_month="2026-12")
    first = form.submit("submit")
    second = form.submit("submit")  # the same page, the same key
    assert first.headers["Location"] == second.headers["Location"]
    assert db_value(runtime, select(func.count()).select_from(Application)) == 1


def test_save_draft_then_continue_from_mine(hall, runtime):
    form = fill(hall.item("consultation").forms["deform"], title="缴存比例咨询", content="可以降低吗？")
    form["type"] = form["type"].options[1][0]
    page = form.submit("save_draft").follow()
    assert "已暂存" in page.text and page.forms["deform"]["title"].value == "缴存比例咨询"
    assert db_value(runtime, select(Application.status)) == "draft"
    application_id = submitted_id(page.forms["deform"].submit("submit"))
    assert "咨询建议" in hall.get("/hall/tasks/mine").text
    with runtime.session() as db:
        assert db.get(Application, application_id).status == "submitted"


def test_home_shows_unit_accounts_operator_tasks_chart_and_favourites(hall, runtime, demo):
    home = hall.get("/hall")
    for text in ("单位信息", "账户信息", "经办人信息", "消息", "待办", "已办", "我发起的", "缴存统计", demo.unit_no):
        assert text in home.text
    assert demo.operator_id_no not in home.text  # masked
    assert demo.operator_id_no[:6] + "********" + demo.operator_id_no[-4:] in home.text
    assert home.html.select("svg.deposit-chart rect.bar")  # the last 12 months of the demo
    add = next(f for f in home.forms.values() if f.action.endswith("/hall/favourites") and "item" in f.fields
               and f.fields["item"][0].tag == "select")
    add["item"] = "seal"
    home = add.submit("do", value="add").follow()
    assert home.html.select_one(".favourite-list a")["href"].endswith("/hall/items/seal")
    remove = next(f for f in home.forms.values() if f.action.endswith("/hall/favourites") and "item" in f.fields
                  and f.fields["item"][0].tag == "input")
    home = remove.submit("do", value="remove").follow()
    assert not home.html.select(".favourite-list a")


def test_every_state_change_is_audited_with_the_address(app, hall, runtime):
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="11", personal_ratio="11",
                effective_month="2026-12")
    application_id = submitted_id(form.submit("submit", extra_environ={"REMOTE_ADDR": "203.0.113.7"}))
    approve(app, "clerk1", application_id)
    with runtime.session() as db:
        rows = db.execute(select(AuditEntry.action, AuditEntry.address).order_by(AuditEntry.id)).all()
    actions = [a for a, _ in rows]
    assert actions.count("login") >= 2 and "application.submit" in actions and "application.approve" in actions
    assert ("application.submit", "203.0.113.7") in rows
