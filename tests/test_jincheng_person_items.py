"""The Jincheng manual (seed 000), walked item by item as an operator and a clerk do it:
section 1 登录, and the person items 6, 7, 8, 9, 13, 14, 15 and 17, each from login
through the application page (x.1), the 清册 (x.2), materials (x.3), printing the
voucher into the materials (x.4), submitting (x.5), the counter (x.6), the effect on
accounts and ledgers, to the item's record query (x.7)."""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin, urlparse

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from stdnum.cn import ric
from webtest import Upload

from core.demo import DEMO_PASSWORD
from core.invariants import check_ledgers
from core.models import (
    Account, Application, LedgerEntry, Material, Operator, OutboxMessage, OverAgeRegistration, Person, Unit,
)
from core.models.vouchers import Voucher
from tests.support.jincheng import app, demo, runtime, template  # noqa: F401 (fixtures)
from tests.support.web import Client, fill




PREFIX = "/jincheng"
ALL_BUTTONS = {"add", "import", "export", "edit", "delete", "detail"}
EDIT_LIST = {"add", "import", "edit", "delete"}  # 清册 增加/导入/修改/删除


# --- helpers: the hall ---------------------------------------------------------------------

def login(app, id_no: str, password: str = DEMO_PASSWORD) -> Client:
    """1 登录: the operator's ID number and password open the hall."""
    hall = Client(app, PREFIX)
    signed_in = hall.login(id_no, password)
    assert signed_in.status_int == 303 and signed_in.headers["Location"].endswith(f"{PREFIX}/hall")
    return hall


def menu_link(home, title: str):
    link = home.html.find("a", class_="menu-item", string=title)
    assert link is not None, f"菜单中没有“{title}”"
    return link


def menu_path(link) -> tuple[str, ...]:
    """The groups a hall menu link sits under, outermost first."""
    path = []
    for li in link.find_parents("li"):
        group = li.find("span", class_="menu-group", recursive=False)
        if group is not None:
            path.insert(0, group.text.strip())
    return tuple(path)


def open_item(hall: Client, code: str, title: str, menu: tuple[str, ...]):
    """The item found in the hall's menu under the manual's menu path, then opened."""
    home = hall.get("/hall")
    link = menu_link(home, title)
    assert menu_path(link) == menu
    page = hall.web.get(urlparse(urljoin(home.request.url, link["href"])).path)
    assert page.request.path == f"{PREFIX}/hall/items/{code}" and title in page.text
    return page


def buttons(page) -> set[str]:
    """The 清册 buttons the page shows (as tests/test_items_row_actions.py reads them)."""
    html = page.html
    found = {"add": html.select_one("#row-entry") is not None,
             "import": html.select_one("form#import-form") is not None and html.select_one("a.template") is not None,
             "export": html.select_one("a.export") is not None, "edit": bool(html.select("a.edit-row")),
             "delete": bool(html.select("button.delete-row")), "detail": bool(html.select("a.detail-row"))}
    return {name for name, shown in found.items() if shown}


def add_row(page, **values):
    page = fill(page.forms["row"], **values).submit("add_row").follow()
    assert "已添加" in page.text, page.html.select_one(".flash, .error")
    return page


def edit_row(page, number: int, **values):
    edit = page.click(href=rf"edit={number}")
    assert f"修改第{number}行" in edit.text
    saved = fill(edit.forms["row"], **values).submit("save_row").follow()
    assert f"第{number}行已修改" in saved.text
    return saved


def delete_row(page, number: int):
    delete = next(f for f in page.forms.values() if "delete_row" in f.fields and f["row"].value == str(number))
    return delete.submit("delete_row").follow()


def rows_text(page) -> str:
    table = page.html.select_one("table.rows")
    return table.text if table is not None else ""


def save_draft(form) -> int:
    """暂存 (the 清册's "finish" form or a form item's "deform"): the draft's number."""
    response = form.submit("save_draft")
    assert response.status_int == 303
    return int(response.headers["Location"].rsplit("application=", 1)[1])


def application_page(hall: Client, application_id: int):
    return hall.get(f"/hall/applications/{application_id}")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


def upload(hall: Client, application_id: int, name: str = "申请表.png"):
    """x.3 材料项: one scanned material uploaded on the application page."""
    form = application_page(hall, application_id).forms["upload-material"]
    form["material_type"] = form["material_type"].options[0][0]  # the first type the item lists
    form["file"] = (name, png())
    page = form.submit().follow()
    assert name in page.text
    return page


def assert_no_materials(hall: Client, application_id: int) -> None:
    """x.3 不涉及: no material to upload (the e-archive stays, to keep the printed voucher)."""
    page = application_page(hall, application_id)
    assert "upload-material" not in page.forms and not page.html.select("#materials tr.slot")


def print_form(page, layout: str):
    return next(f for f in page.forms.values() if f.action.endswith(f"/vouchers/{layout}/print"))


def print_voucher(hall: Client, runtime, application_id: int, layout: str, title: str):
    """x.4 打印: the voucher printed from the draft and fixed (固化) among the materials."""
    page = application_page(hall, application_id)
    assert title in page.text and "未打印" in page.text
    page = print_form(page, layout).submit().follow()
    assert f"{title}已生成并固化" in page.text and "已固化" in page.text
    with runtime.session() as db:
        voucher = db.scalars(select(Voucher).where(Voucher.application_id == application_id,
                                                   Voucher.layout == layout)).one()
        material = db.get(Material, voucher.material_id)
        assert voucher.status == "fixed" and material.fixed and material.application_id == application_id
    pdf = hall.get(f"/hall/applications/{application_id}/materials/{voucher.material_id}")
    assert pdf.body.startswith(b"%PDF")
    return page


def submit(hall: Client, code: str, application_id: int, form: str = "finish") -> int:
    """x.5 提交: the page says 提交成功."""
    response = hall.item(code, application=application_id).forms[form].submit("submit")
    assert response.status_int == 303, response.text
    page = response.follow()
    assert "提交成功" in page.text
    submitted = int(page.request.path.rsplit("/", 1)[1])
    assert submitted == application_id
    return submitted


def sent(hall: Client, title: str, status: str) -> None:
    """查看已发 lists the application with its status."""
    page = hall.get("/hall/tasks/mine")
    assert "已发" in page.text
    lines = [[td.text.strip() for td in tr.select("td")] for tr in page.html.select("table.tasks tr")[1:]]
    assert any(title in line[0] and line[1] == status for line in lines), lines


def status_of(runtime, application_id: int) -> str:
    with runtime.session() as db:
        return db.get(Application, application_id).status


# --- helpers: the counter ------------------------------------------------------------------

def clerk(app, name: str = "clerk1") -> Client:
    desk = Client(app, PREFIX)
    desk.login_clerk(name).follow()
    return desk


def review(app, application_id: int, title: str, in_progress: bool):
    """x.6: clerk1 finds the application in the queue and opens it; 办理中 is offered
    only where the manual has it."""
    desk = clerk(app)
    queue = desk.get("/counter/queue/first_review")
    assert queue.html.find("a", href=re.compile(rf"/counter/applications/{application_id}$")) is not None
    page = desk.get(f"/counter/applications/{application_id}")
    assert title in page.text
    offered = {b["value"] for b in page.html.select("#review button[name=action]")}
    assert {"approve", "return", "revoke", "exception"} <= offered
    assert ("in_progress" in offered) == in_progress
    return desk, page


def counter_act(app, application_id: int, action: str, opinion: str = "") -> Client:
    desk = clerk(app)
    form = desk.get(f"/counter/applications/{application_id}").forms["review"]
    form["opinion"] = opinion
    response = form.submit("action", value=action)
    assert response.status_int in (200, 303)
    return desk


def done_at_counter(desk: Client, application_id: int) -> None:
    page = desk.get("/counter/done")
    assert page.html.find("a", href=re.compile(rf"/counter/applications/{application_id}$")) is not None


# --- helpers: records ----------------------------------------------------------------------

def query(hall: Client, title: str, **conditions: str):
    """x.7: the record query opened from the hall menu by its Jincheng title."""
    home = hall.get("/hall")
    link = menu_link(home, title)
    page = hall.web.get(urlparse(urljoin(home.request.url, link["href"])).path, params=conditions)
    assert title in page.text
    return page


def result(page) -> str:
    return page.html.select_one("table.query-result").text


def query_rows(page) -> list[dict[str, str]]:
    table = page.html.select_one("table.query-result")
    headers = [th.text.strip() for th in table.select("tr")[0].select("th")]
    return [dict(zip(headers, [td.text.strip() for td in tr.select("td")]))
            for tr in table.select("tr")[1:] if not tr.select(".empty") and "totals" not in (tr.get("class") or [])]


def account(runtime, account_no: str) -> Account:
    with runtime.session() as db:
        found = db.scalars(select(Account).where(Account.account_no == account_no)).one()
        db.expunge(found)
        return found


def unit_balance(runtime, unit_id: int) -> Decimal:
    with runtime.session() as db:
        return db.get(Unit, unit_id).balance


def ledger_lines(runtime, **where) -> list[LedgerEntry]:
    with runtime.session() as db:
        query_ = select(LedgerEntry)
        for name, value in where.items():
            query_ = query_.where(getattr(LedgerEntry, name) == value)
        lines = list(db.scalars(query_.order_by(LedgerEntry.id)))
        db.expunge_all()
        return lines


def ledgers_balance(runtime) -> None:
    with runtime.session() as db:
        assert check_ledgers(db) == []


def new_id_no(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def accounts_in_state(runtime, unit_id: int, state: str) -> list[str]:
    with runtime.session() as db:
        return list(db.scalars(select(Account.account_no).where(Account.unit_id == unit_id, Account.state == state)
                               .order_by(Account.account_no)))


PERSONS = ("缴存单位业务关联方", "缴存单位", "汇补缴人员调整")


# --- 1 登录 ---------------------------------------------------------------------------------

def test_login_by_id_number_and_password_and_forgotten_password_by_sms(app, runtime, demo):
    # 登录 3: the login account is the operator's ID number, with a password
    browser = Client(app, PREFIX)
    page = browser.get("/login")
    assert "忘记密码" in page.text
    assert {"id_no", "password"} <= set(page.forms[0].fields)
    # a wrong password is refused and the hall stays closed
    refused = browser.login(demo.operator_id_no, "Wrong@2026x")
    assert refused.status_int == 200 and "账号或密码错误" in refused.text
    assert browser.get("/hall", expect_errors=True).status_int in (302, 303, 403)
    # the right one opens the hall
    hall = login(app, demo.operator_id_no)
    assert "单位网上服务大厅" in hall.get("/hall").text

    # 登录 4: 忘记密码 — the operator's phone number, a code by SMS, a new password
    with runtime.session() as db:
        phone = db.scalars(select(Operator.phone).where(Operator.id_no == demo.operator_id_no)).one()
    browser = Client(app, PREFIX)
    forgot = browser.get("/sms/forgot")
    assert [label.text.strip("*") for label in forgot.html.select(".password-form label")][:2] == [
        "经办人证件号码", "经办人手机号码"]
    sent_code = browser.post("/sms/code", {"id_no": demo.operator_id_no, "phone": phone, "purpose": "reset"})
    assert "验证码已发送" in sent_code.text
    with runtime.session() as db:
        text = db.scalars(select(OutboxMessage.text).where(OutboxMessage.phone == phone)
                          .order_by(OutboxMessage.id.desc())).first()
    code = re.search(r"\d{6}", text).group(0)
    new_password = "Jc@2026newpass"
    done = browser.post("/sms/forgot", {"id_no": demo.operator_id_no, "phone": phone, "code": code,
                                        "new_password": new_password, "confirm_password": new_password})
    assert done.status_int == 303 and done.headers["Location"].endswith(f"{PREFIX}/login")
    assert "密码已重置" in done.follow().text
    # the old password no longer opens the hall; the new one does
    assert Client(app, PREFIX).login(demo.operator_id_no).status_int == 200
    login(app, demo.operator_id_no, new_password)


# --- 6 个人账户设立 ------------------------------------------------------------------------

def template_rows(hall: Client, page, *rows: dict) -> bytes:
    """An .xlsx made from the 清册 template the page offers, with these rows filled."""
    response = hall.web.get(urlparse(urljoin(page.request.url, page.html.select_one("a.template")["href"])).path)
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.body))
    sheet = book.worksheets[0]
    headers = [str(c.value or "").strip("*") for c in sheet[1]]
    if sheet.max_row > 1:
        sheet.delete_rows(2, sheet.max_row - 1)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_item_6_open_accounts(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    # 6.1 申请页面: 汇补缴人员调整 > 个人账户设立; it is done on submission
    page = open_item(hall, "open_accounts", "个人账户设立", PERSONS)
    assert "发起即办结" in page.text
    # 6.4 清册 (6.2 子事项: 不涉及): 增加 / 导入 / 修改 / 删除 only
    assert buttons(page) >= {"add", "import"} and not buttons(page) & {"export", "detail"}
    people = {"赵设立": new_id_no("14050219900307123"), "钱设立": new_id_no("14050219920516124"),
              "孙设立": new_id_no("14050219880811125")}
    page = add_row(page, name="赵设立", id_no=people["赵设立"], base="5000")
    page = add_row(page, name="孙设立", id_no=people["孙设立"], base="4000")
    data = template_rows(hall, page, {"姓名": "钱设立", "证件类型": "身份证", "证件号码": people["钱设立"],
                                      "手机号码": "13935600001", "缴存基数": 6000})
    form = page.forms["import-form"]
    form["file"] = Upload("个人账户设立清册.xlsx", data)
    page = form.submit("import").follow()
    assert page.html.select_one(".imported-count").text == "1" and "钱设立" in rows_text(page)
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 1, base="5500")
    page = delete_row(page, 2)  # 孙设立
    assert "孙设立" not in rows_text(page) and "5500" in rows_text(page)
    # 暂存, then 6.3 材料项 and 6.4 打印 on the application page
    application_id = save_draft(page.forms["finish"])
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "account_opening_form", "住房公积金个人账户设立登记表")
    # 6.5 提交: 发起即办结, no counter step
    submit(hall, "open_accounts", application_id)
    assert status_of(runtime, application_id) == "completed"
    assert "已办结" in application_page(hall, application_id).text
    sent(hall, "个人账户设立", "已办结")
    queue = clerk(app).get("/counter/queue/first_review")
    assert queue.html.find("a", href=re.compile(rf"/counter/applications/{application_id}$")) is None
    # the effect: two accounts opened in the unit, with their bases
    with runtime.session() as db:
        opened = {a.person.name: a for a in db.scalars(select(Account).join(Person).where(
            Account.unit_id == demo.unit_id, Person.name.in_(list(people))))}
        assert sorted(opened) == ["赵设立", "钱设立"]
        assert opened["赵设立"].base == Decimal("5500.00") and opened["钱设立"].base == Decimal("6000.00")
        assert all(a.state == "01" and a.balance == Decimal("0.00") for a in opened.values())
        assert sorted(db.get(Application, application_id).result["accounts"]) == sorted(
            a.account_no for a in opened.values())
        assert check_ledgers(db) == []
    # 6.7 查询: 缴存单位缴存人设立记录流水
    records = result(query(hall, "缴存单位缴存人设立记录流水"))
    assert "赵设立" in records and "钱设立" in records
    records = result(query(hall, "缴存单位缴存人设立记录流水", account_no=opened["钱设立"].account_no))
    assert "钱设立" in records and "赵设立" not in records


# --- 7 个人账户封存 ------------------------------------------------------------------------

def test_item_7_seal(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    first, second, third = demo.accounts[:3]
    # 7.1 申请页面
    page = open_item(hall, "seal", "个人账户封存", PERSONS)
    # 7.4 清册 (7.2 子事项: 不涉及): 增加 three, 修改 one, 删除 one
    page = add_row(page, account_no=first, reason="离职")
    page = add_row(page, account_no=second, reason="调出")
    page = add_row(page, account_no=third, reason="离职")
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 2, reason="退休")
    page = delete_row(page, 3)
    assert third not in rows_text(page) and "退休" in rows_text(page)
    application_id = save_draft(page.forms["finish"])
    # 7.3 材料项, 7.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "seal_register", "个人账户封存清册")
    # 7.5 提交
    submit(hall, "seal", application_id)
    sent(hall, "个人账户封存", "待审批")
    # 7.6 审批: no 办理中; 退回 first, the operator resubmits, then 审批通过
    review(app, application_id, "个人账户封存", in_progress=False)
    counter_act(app, application_id, "return", "请核对封存原因")
    assert "请核对封存原因" in application_page(hall, application_id).text
    sent(hall, "个人账户封存", "已退回")
    assert account(runtime, first).state == "01"
    submit(hall, "seal", application_id)
    desk = counter_act(app, application_id, "approve", "同意封存")
    done_at_counter(desk, application_id)
    sent(hall, "个人账户封存", "已办结")
    # the effect: both accounts sealed with their reasons; the third untouched
    assert (account(runtime, first).state, account(runtime, first).seal_reason) == ("02", "离职")
    assert (account(runtime, second).state, account(runtime, second).seal_reason) == ("02", "退休")
    assert account(runtime, third).state == "01"
    ledgers_balance(runtime)
    # 7.7 查询: 缴存人封存/启封记录流水
    records = result(query(hall, "缴存人封存/启封记录流水"))
    assert first in records and second in records
    records = result(query(hall, "缴存人封存/启封记录流水", account_no=second))
    assert second in records and first not in records


# --- 8 个人账户启封 ------------------------------------------------------------------------

def test_item_8_unseal(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    sealed = accounts_in_state(runtime, demo.unit_id, "02")
    assert len(sealed) >= 3  # the demo's sealed accounts
    first, second, third = sealed[:3]
    # 8.1 申请页面
    page = open_item(hall, "unseal", "个人账户启封", PERSONS)
    # 8.4 清册 (8.2 子事项: 不涉及): 增加 three, 修改 one, 删除 one
    page = add_row(page, account_no=first, base="5000")
    page = add_row(page, account_no=second, base="4000")
    page = add_row(page, account_no=third, base="3000")
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 2, base="4200")
    page = delete_row(page, 3)
    assert third not in rows_text(page)
    application_id = save_draft(page.forms["finish"])
    # 8.3 材料项, 8.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "unseal_register", "缴存人账户启封清册")
    # 8.5 提交
    submit(hall, "unseal", application_id)
    sent(hall, "个人账户启封", "待审批")
    # 8.6 审批
    review(app, application_id, "个人账户启封", in_progress=False)
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "个人账户启封", "已办结")
    # the effect: both normal again with their new bases; the third still sealed
    unsealed = account(runtime, first), account(runtime, second)
    assert [(a.state, a.base) for a in unsealed] == [("01", Decimal("5000.00")), ("01", Decimal("4200.00"))]
    assert all(a.monthly_amount == a.unit_amount + a.personal_amount > 0 for a in unsealed)
    assert account(runtime, third).state == "02"
    ledgers_balance(runtime)
    # 8.7 查询: 缴存人封存/启封记录流水
    records = result(query(hall, "缴存人封存/启封记录流水"))
    assert first in records and second in records and "启封" in records
    records = result(query(hall, "缴存人封存/启封记录流水", account_no=first))
    assert first in records and second not in records


# --- 9 缴存人基数调整 ----------------------------------------------------------------------

def test_item_9_base_adjustment(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    first, second, third = demo.accounts[3:6]
    unchanged = account(runtime, third).base
    # 9.1 申请页面
    page = open_item(hall, "base_adjustment", "缴存人基数调整", PERSONS)
    # 9.4 清册 (9.2 子事项: 不涉及)
    page = add_row(page, account_no=first, base="7000")
    page = add_row(page, account_no=second, base="8000")
    page = add_row(page, account_no=third, base="9000")
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 1, base="7100")
    page = delete_row(page, 3)
    application_id = save_draft(page.forms["finish"])
    # 9.3 材料项, 9.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "base_adjustment_register", "缴存人基数调整清册")
    # 9.5 提交
    submit(hall, "base_adjustment", application_id)
    sent(hall, "缴存人基数调整", "待审批")
    # 9.6 审批
    review(app, application_id, "缴存人基数调整", in_progress=False)
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "缴存人基数调整", "已办结")
    # the effect: the new bases and the monthly amounts they make
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        ratios = unit.unit_ratio + unit.personal_ratio
    for account_no, base in ((first, Decimal("7100.00")), (second, Decimal("8000.00"))):
        adjusted = account(runtime, account_no)
        assert adjusted.base == base
        assert adjusted.monthly_amount == adjusted.unit_amount + adjusted.personal_amount
        assert abs(adjusted.monthly_amount - base * ratios) <= Decimal("2")  # rounded to the yuan
    assert account(runtime, third).base == unchanged
    ledgers_balance(runtime)
    # 9.7 查询: 缴存人基数调整记录流水
    records = result(query(hall, "缴存人基数调整记录流水"))
    assert first in records and second in records
    records = result(query(hall, "缴存人基数调整记录流水", account_no=second))
    assert second in records and first not in records


# --- 13 缴存人超龄缴存登记 ------------------------------------------------------------------

def over_age_accounts(runtime, unit_id: int) -> list[str]:
    """The demo's employees past the statutory age (cities/jincheng/demo.py)."""
    with runtime.session() as db:
        return list(db.scalars(select(Account.account_no).join(Person).where(
            Account.unit_id == unit_id, Person.birth_date < date(1970, 1, 1))
            .order_by(Account.account_no)))


def test_item_13_over_age_registration(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    first, second, third = over_age_accounts(runtime, demo.unit_id)
    # 13.1 申请页面
    page = open_item(hall, "over_age_registration", "缴存人超龄缴存登记", PERSONS)
    # 13.2 清册
    page = add_row(page, account_no=first, until_month="2028-12")
    page = add_row(page, account_no=second, until_month="2028-06")
    page = add_row(page, account_no=third, until_month="2028-06")
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 2, until_month="2029-03")
    page = delete_row(page, 3)
    application_id = save_draft(page.forms["finish"])
    # 13.3 材料项: 不涉及
    assert_no_materials(hall, application_id)
    # 13.4 打印
    print_voucher(hall, runtime, application_id, "over_age_voucher", "超龄缴存登记凭证")
    # 13.5 提交
    submit(hall, "over_age_registration", application_id)
    sent(hall, "缴存人超龄缴存登记", "待审批")
    # 13.6 审批: 办理中 first, then 审批通过
    review(app, application_id, "缴存人超龄缴存登记", in_progress=True)
    counter_act(app, application_id, "in_progress", "正在核对年龄")
    assert status_of(runtime, application_id) == "in_progress"
    sent(hall, "缴存人超龄缴存登记", "办理中")
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "缴存人超龄缴存登记", "已办结")
    # the effect: an active registration for each listed account, until its month
    with runtime.session() as db:
        registered = {a.account_no: r.until_month for r, a in db.execute(
            select(OverAgeRegistration, Account).join(Account, Account.id == OverAgeRegistration.account_id)
            .where(OverAgeRegistration.status == "active", OverAgeRegistration.unit_id == demo.unit_id))}
    assert registered == {first: "2028-12", second: "2029-03"}
    ledgers_balance(runtime)
    # 13.7 查询: 缴存人超龄缴存登记记录流水
    records = result(query(hall, "缴存人超龄缴存登记记录流水"))
    assert first in records and second in records
    records = result(query(hall, "缴存人超龄缴存登记记录流水", account_no=first))
    assert first in records and second not in records


# --- 14 同城转移 ---------------------------------------------------------------------------

def test_item_14_internal_transfer(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    with runtime.session() as db:
        other_unit = db.scalars(select(Unit).where(Unit.id != demo.unit_id).order_by(Unit.id)).first()
        movers = db.execute(select(Account.account_no, Person.id_no, Person.name, Account.balance).join(Person)
                            .where(Account.unit_id == other_unit.id, Account.state == "01",
                                   Account.balance > 0).order_by(Account.account_no).limit(3)).all()
        other_unit_id = other_unit.id
    (moving, moving_id, moving_name, moving_balance), staying, dropped = movers
    before = unit_balance(runtime, demo.unit_id), unit_balance(runtime, other_unit_id)
    # 14.1 申请页面
    page = open_item(hall, "internal_transfer", "同城转移", PERSONS)
    # 14.2 清册: accounts of another unit, named by account number, ID number and name
    page = add_row(page, account_no=moving, id_no=moving_id, name="错名字")
    page = add_row(page, account_no=dropped[0], id_no=dropped[1], name=dropped[2])
    assert buttons(page) == EDIT_LIST
    page = edit_row(page, 1, name=moving_name)
    page = delete_row(page, 2)
    assert dropped[0] not in rows_text(page) and moving_name in rows_text(page)
    application_id = save_draft(page.forms["finish"])
    # 14.3 材料项, 14.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "internal_transfer_register", "同城转移清册")
    # 14.5 提交
    submit(hall, "internal_transfer", application_id)
    sent(hall, "同城转移", "待审批")
    # 14.6 审批: 办理中, then 审批通过
    review(app, application_id, "同城转移", in_progress=True)
    counter_act(app, application_id, "in_progress")
    sent(hall, "同城转移", "办理中")
    assert account(runtime, moving).unit_id == other_unit_id  # nothing moves before approval
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "同城转移", "已办结")
    # the effect: the account and its balance move to this unit; both units' ledgers say so
    moved = account(runtime, moving)
    assert (moved.unit_id, moved.state, moved.balance) == (demo.unit_id, "01", moving_balance)
    assert account(runtime, staying[0]).unit_id == other_unit_id
    assert account(runtime, dropped[0]).unit_id == other_unit_id
    assert unit_balance(runtime, demo.unit_id) == before[0] + moving_balance
    assert unit_balance(runtime, other_unit_id) == before[1] - moving_balance
    lines = [line for line in ledger_lines(runtime, kind="unit", business_type="06") if moving in line.summary]
    assert sorted((line.unit_id, line.amount) for line in lines) == sorted(
        [(demo.unit_id, moving_balance), (other_unit_id, -moving_balance)])
    ledgers_balance(runtime)
    # 14.7 查询: 缴存人同城转移记录流水
    records = result(query(hall, "缴存人同城转移记录流水"))
    assert moving in records and "转入" in records
    records = result(query(hall, "缴存人同城转移记录流水", account_no=moving))
    assert moving in records
    assert "没有符合条件的记录" in result(query(hall, "缴存人同城转移记录流水", account_no=staying[0]))


# --- 15 缴存人错缴调整申请 ------------------------------------------------------------------

def test_item_15_mispayment_adjustment(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    source, target, other, third = demo.accounts[6:10]
    before = {no: account(runtime, no).balance for no in (source, target, other, third)}
    unit_before = unit_balance(runtime, demo.unit_id)
    # 15.1 申请页面: 缴存单位 > 缴存人错缴调整申请
    page = open_item(hall, "mispayment_adjustment", "缴存人错缴调整申请", ("缴存单位业务关联方", "缴存单位"))
    # 15.2 清册: all six buttons
    page = add_row(page, from_account_no=source, to_account_no=target, amount="100.50", month="2026-09",
                   reason="错缴到同事账户")
    page = add_row(page, from_account_no=other, to_account_no=third, amount="20.00", month="2026-09",
                   reason="重复缴存")
    assert buttons(page) == ALL_BUTTONS
    page = edit_row(page, 1, amount="120.50")
    detail = page.click(href=r"detail=1")
    assert "第1行详情" in detail.text and "120.50" in detail.html.select_one(".row-detail").text
    export = page.click(href=r"export\.xlsx")
    exported = [[c.value for c in row] for row in load_workbook(io.BytesIO(export.body)).worksheets[0].iter_rows()]
    assert [row[0] for row in exported[1:]] == [source, other]
    page = delete_row(page, 2)
    assert other not in rows_text(page)
    application_id = save_draft(page.forms["finish"])
    # 15.3 材料项, 15.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "mispayment_voucher", "错缴调整申请凭证")
    # 15.5 提交
    submit(hall, "mispayment_adjustment", application_id)
    sent(hall, "缴存人错缴调整申请", "待审批")
    # 15.6 审批
    review(app, application_id, "缴存人错缴调整申请", in_progress=False)
    assert account(runtime, source).balance == before[source]  # nothing moves before approval
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "缴存人错缴调整申请", "已办结")
    # the effect: 120.50 leaves one account for the other, a ledger line on each
    amount = Decimal("120.50")
    assert account(runtime, source).balance == before[source] - amount
    assert account(runtime, target).balance == before[target] + amount
    assert account(runtime, other).balance == before[other] and account(runtime, third).balance == before[third]
    assert unit_balance(runtime, demo.unit_id) == unit_before
    with runtime.session() as db:
        flow_no = db.get(Application, application_id).result["flow_no"]
    legs = ledger_lines(runtime, kind="account", flow_no=flow_no)
    with runtime.session() as db:
        by_account = {db.get(Account, leg.account_id).account_no: leg.amount for leg in legs}
    assert by_account == {source: -amount, target: amount}
    ledgers_balance(runtime)
    # 15.7 查询: 缴存单位缴款记录流水 (the two legs of the adjustment)
    records = result(query(hall, "缴存单位缴款记录流水"))
    assert flow_no in records
    records = result(query(hall, "缴存单位缴款记录流水", flow_no=flow_no))
    assert source in records and target in records and "120.50" in records
    lines = query_rows(query(hall, "缴存单位缴款记录流水", account_no=target))
    assert [(line["业务流水号"], line["个人账号"], line["收入金额(元)"]) for line in lines] == [
        (flow_no, target, "120.50")]  # the in-leg only, not the out-leg


# --- 17 缴存人基本信息变更 ------------------------------------------------------------------

def test_item_17_person_info_change(app, runtime, demo):
    hall = login(app, demo.operator_id_no)
    changing, unrelated = demo.accounts[10], demo.accounts[11]
    with runtime.session() as db:
        person = db.scalars(select(Person).join(Account).where(Account.account_no == changing)).one()
        name, id_no, old_phone = person.name, person.id_no, person.phone
    # 17.1 申请页面: 缴存人业务关联方 > 缴存人 > 缴存人缴存服务; one person's form
    page = open_item(hall, "person_info_change", "缴存人基本信息变更",
                     ("缴存人业务关联方", "缴存人", "缴存人缴存服务"))
    assert "row" not in page.forms and "import-form" not in page.forms  # no 清册
    # 17.2 子事项: 互联互通: 人口信息查询 with the page's values finds the person in the registry
    assert [b.text.strip() for b in page.html.select("button.interop-button")] == ["人口信息查询"]
    found = hall.get("/hall/interop/population", params={"id_no": id_no, "name": name, "item": "person_info_change",
                                                         "fragment": "1"})
    assert "查询成功" in found.text and "与姓名一致" in found.text
    new_phone = "13935699999"
    form = fill(page.forms["deform"], account_no=changing, name=name, id_no=id_no, phone=new_phone)
    application_id = save_draft(form)
    # 17.3 材料项, 17.4 打印
    upload(hall, application_id)
    print_voucher(hall, runtime, application_id, "person_change_voucher", "缴存人基本信息变更凭证")
    # 17.5 提交
    submit(hall, "person_info_change", application_id, form="deform")
    sent(hall, "缴存人基本信息变更", "待审批")
    # 17.6 审批
    review(app, application_id, "缴存人基本信息变更", in_progress=False)
    desk = counter_act(app, application_id, "approve")
    done_at_counter(desk, application_id)
    sent(hall, "缴存人基本信息变更", "已办结")
    # the effect: the phone changed, name and ID number kept
    with runtime.session() as db:
        person = db.scalars(select(Person).join(Account).where(Account.account_no == changing)).one()
        assert (person.name, person.id_no, person.phone) == (name, id_no, new_phone) and old_phone != new_phone
        assert check_ledgers(db) == []
    # 17.7 查询: 缴存人流水 under 缴存人业务关联方
    link = menu_link(hall.get("/hall"), "缴存人流水")
    assert menu_path(link)[0] == "缴存人业务关联方"
    records = result(query(hall, "缴存人流水"))
    assert changing in records and new_phone[-4:] in records
    records = result(query(hall, "缴存人流水", account_no=changing))
    assert changing in records
    assert "没有符合条件的记录" in result(query(hall, "缴存人流水", account_no=unrelated))
