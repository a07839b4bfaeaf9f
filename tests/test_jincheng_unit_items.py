"""The Jincheng manual's unit items (seed 000, items 1–5 and 10–12), each walked as the
manual's seven parts describe it: the operator logs in by ID number and password, finds
the item under its menu path, fills the application page (x.1) and its 清册 (x.2),
saves a draft, uploads a material (x.3), prints and fixes the vouchers (x.4), submits
and finds it in 查看已发 (x.5), the counter handles it (x.6), the effect shows on the
unit and its ledgers, and the record query (x.7) finds it by the manual's title."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from cities.jincheng.demo import OVER_AGE
from core.invariants import check_ledgers
from core.models import (
    Account, Application, BankAccount, ChangeRecord, LedgerEntry, Material, RatioChange, RatioReduction,
    RemittanceVerification, Supplement, Unit,
)
from core.models.vouchers import Voucher
from core.money import remittance
from core.money.books import Books
from tests.support.jincheng import app, demo, runtime, template  # noqa: F401 (fixtures)
from tests.support.web import Client, fill

UNIT_INFO = ["缴存单位业务关联方", "缴存单位", "采集单位信息"]
DEPOSITS = ["缴存单位业务关联方", "缴存单位", "汇补缴"]
QUERIES = ["缴存单位业务关联方", "缴存单位", "清册流水查询"]




# --- the hall ------------------------------------------------------------------------------

def login(app, demo) -> Client:
    """登录: the operator's ID number and password."""
    hall = Client(app, "/jincheng")
    home = hall.login(demo.operator_id_no).follow()
    assert demo.unit_no in home.text
    return hall


def menu_path(page, title: str) -> tuple[list[str], object]:
    """The hall menu's groups above the link titled ``title``, and the link."""
    link = next(a for a in page.html.select("nav.menu a.menu-item") if a.get_text(strip=True) == title)
    groups = [li.find("span", class_="menu-group", recursive=False) for li in link.find_parents("li")]
    return [g.get_text(strip=True) for g in reversed(groups) if g is not None], link


def open_item(hall: Client, title: str, path: list[str]):
    """Find the item under its manual menu path on /hall and open its page."""
    found, link = menu_path(hall.get("/hall"), title)
    assert found == path
    page = hall.web.get(link["href"])
    assert page.html.select_one("main h1").get_text(strip=True).startswith(title)
    return page


def draft_id(page) -> int:
    return int(page.request.params["application"])


def save_draft(form):
    """暂存: the page comes back with the draft's number."""
    page = form.submit("save_draft").follow()
    assert "已暂存" in page.text
    return page, draft_id(page)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def upload(hall: Client, application_id: int, name: str, material_type: str = "other"):
    """x.3 上传材料 on the application page."""
    page = hall.get(f"/hall/applications/{application_id}")
    form = page.forms["upload-material"]
    form["material_type"] = material_type
    form["file"] = (name, png())
    page = form.submit().follow()
    assert f"已上传：{name}" in page.text
    return page


def print_buttons(page) -> list:
    return [f for f in page.forms.values() if "/vouchers/" in f.action and f.action.endswith("/print")]


def print_vouchers(hall: Client, runtime, application_id: int, titles: list[str]):
    """x.4 打印: every voucher the item names prints and is fixed among the materials."""
    page = hall.get(f"/hall/applications/{application_id}")
    assert len(print_buttons(page)) == len(titles)
    for _ in titles:  # a printed voucher's button gives way to 查看 / 打印
        page = print_buttons(page)[0].submit().follow()
    for title in titles:
        assert f"{title}已生成并固化" in page.text or title in page.text
    with runtime.session() as db:
        fixed = db.execute(select(Voucher.title, Material.fixed, Material.application_id)
                           .join(Material, Material.id == Voucher.material_id)
                           .where(Voucher.application_id == application_id, Voucher.status == "fixed")).all()
    assert sorted(t for t, _, _ in fixed) == sorted(titles)
    assert all(is_fixed and owner == application_id for _, is_fixed, owner in fixed)
    assert page.text.count("已固化") >= len(titles)
    return page


def no_vouchers(hall: Client, application_id: int) -> None:
    """x.4 不涉及: no voucher section, no print button."""
    page = hall.get(f"/hall/applications/{application_id}")
    assert not print_buttons(page) and "业务凭证" not in page.text and "打印凭证" not in page.text


def submitted(response) -> int:
    """x.5 提交: 提交成功, and the number of the application."""
    assert response.status_int == 303, [e.get_text(" ", strip=True) for e in response.html.select(".error, .flash")]
    page = response.follow()
    assert "提交成功" in page.text
    return int(page.request.path.rsplit("/", 1)[1])


def submit_item(hall: Client, code: str, application_id: int, form: str = "deform") -> int:
    page = hall.item(code, application=application_id)
    return submitted(page.forms[form].submit("submit"))


def sent_status(hall: Client, title: str, application_id: int) -> str:
    """查看已发 (/hall/tasks/mine): the application's row and its status."""
    page = hall.get("/hall/tasks/mine")
    assert "已发" in page.text
    for tr in page.html.select("tr"):
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        if cells and cells[0] == f"{title}（业务编号 {application_id}）":
            return cells[1]
    raise AssertionError(f"{title} {application_id} not in 查看已发")


# --- the counter ---------------------------------------------------------------------------

def clerk(app) -> Client:
    desk = Client(app, "/jincheng")
    desk.login_clerk("clerk1").follow()
    return desk


def waiting(desk: Client, application_id: int) -> bool:
    """The clerk's 柜面初审 queue lists the application."""
    page = desk.get("/counter/queue/first_review")
    return any(a["href"].endswith(f"/counter/applications/{application_id}") for a in page.html.select("a[href]"))


def counter_act(app, application_id: int, action: str, opinion: str = "", offers_in_progress: bool = False):
    """x.6 审批 at the counter desk; checks which buttons the review offers."""
    desk = clerk(app)
    assert waiting(desk, application_id)
    review = desk.get(f"/counter/applications/{application_id}")
    buttons = {b["value"] for b in review.html.select("form#review button[name=action]")}
    assert {"approve", "return", "revoke", "exception"} <= buttons
    assert ("in_progress" in buttons) == offers_in_progress
    form = review.forms["review"]
    form["opinion"] = opinion
    return form.submit("action", value=action).follow(), desk


def counter_done(desk: Client, title: str, application_id: int) -> str:
    """已办: the clerk's list shows the application and where it stands."""
    page = desk.get("/counter/done")
    row = next(tr for tr in page.html.select("tr") if f"{application_id}" in tr.get_text()
               and title in tr.get_text())
    return row.get_text(" ", strip=True)


# --- x.7 清册流水查询 ----------------------------------------------------------------------

def query(hall: Client, title: str, **conditions) -> list[dict]:
    """Open the record query by its Jincheng title from the hall menu and run it."""
    found, link = menu_path(hall.get("/hall"), title)
    assert found == QUERIES
    page = hall.get("/hall/" + link["href"].split("hall/", 1)[1])
    assert page.html.select_one("h1").get_text(strip=True) == title
    form = page.forms["filters"]
    for name, value in conditions.items():
        form[name] = value
    result = form.submit()
    table = result.html.find("table", class_="query-result")
    headers = [th.get_text(strip=True) for th in table.find("tr").find_all("th")]
    return [dict(zip(headers, [td.get_text(strip=True) for td in tr.find_all("td")]))
            for tr in table.find_all("tr")[1:]
            if "totals" not in (tr.get("class") or []) and not tr.find("td", class_="empty")]


def numbers(rows: list[dict]) -> set[str]:
    return {row.get("业务编号") for row in rows}


def balances(db, account_nos) -> dict[str, Decimal]:
    found = db.execute(select(Account.account_no, Account.balance).where(Account.account_no.in_(account_nos)))
    return dict(found.all())


def books(db, runtime) -> Books:
    return Books(db=db, runtime=runtime, actor="clerk:1", today=date.today())


# --- 1 单位缴存登记信息变更 -----------------------------------------------------------------

def test_item_1_unit_info_change(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "单位缴存登记信息变更", UNIT_INFO)

    # 1.1 申请页面: the unit's current values, the registration fields greyed
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        old_address, old_contact, name, code = unit.address, unit.contact_name, unit.name, unit.credit_code
    form = page.forms["deform"]
    assert (form["address"].value, form["name"].value, form["credit_code"].value) == (old_address, name, code)
    name, code = form["name"].value, form["credit_code"].value  # what the 互联互通 buttons send
    assert page.html.select_one("input[name=credit_code]").has_attr("readonly")
    # 1.2 子事项: none — no 清册 buttons
    assert not page.html.select("#row-entry, form#import-form, a.export")
    page = fill(form, address="晋城市泽州路88号", contact_name="李新").submit("stage").follow()
    assert "待变更清册" in page.text and "晋城市泽州路88号" in page.text and old_address in page.text
    page, application_id = save_draft(page.forms["finish"])

    # 1.3 材料项
    upload(hall, application_id, "营业执照.png", "business_licence")
    # 1.4 互联互通: 查询企业信息 / 查询信用代码 with the page's values, found in the demo registry
    assert [b.get_text(strip=True) for b in page.html.select("section.interop button")] == ["查询企业信息", "查询信用代码"]
    found = hall.get("/hall/interop/enterprise", params={"credit_code": code, "name": name,
                                                         "item": "unit_info_change"})
    assert "查询成功" in found.text and name in found.text
    found = hall.get("/hall/interop/credit_code", params={"credit_code": code, "name": name,
                                                          "item": "unit_info_change"})
    answer = found.html.select_one(".interop-answer").get_text()
    assert "查询成功" in answer and "一致" in answer and "不一致" not in answer
    # 1.4 打印: 单位缴存登记信息变更凭证, fixed among the materials
    print_vouchers(hall, runtime, application_id, ["单位缴存登记信息变更凭证"])

    # 1.5 提交 (完成办理), then 查看已发
    assert submit_item(hall, "unit_info_change", application_id, form="finish") == application_id
    assert sent_status(hall, "单位缴存登记信息变更", application_id) == "待审批"

    # 1.6 审批
    done, desk = counter_act(app, application_id, "approve", "资料齐全")
    assert "已办结" in done.text
    assert "已办结" in counter_done(desk, "单位缴存登记信息变更", application_id)
    assert sent_status(hall, "单位缴存登记信息变更", application_id) == "已办结"
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        assert (unit.address, unit.contact_name, unit.name) == ("晋城市泽州路88号", "李新", name)
        record = db.scalars(select(ChangeRecord).where(ChangeRecord.application_id == application_id)).one()
        assert record.before["address"] == old_address and record.after["contact_name"] == "李新"
        assert check_ledgers(db) == []

    # 1.7 清册流水查询: 缴存单位流水
    rows = query(hall, "缴存单位流水")
    assert {(r["变更项目"], r["变更前"], r["变更后"]) for r in rows if r["业务编号"] == str(application_id)} == {
        ("单位地址", old_address, "晋城市泽州路88号"), ("联系人", old_contact, "李新")}
    rows = query(hall, "缴存单位流水", field="contact_name")
    assert [r["变更后"] for r in rows] == ["李新"]  # the address row, also this business, is not listed
    assert query(hall, "缴存单位流水", business_no=str(application_id + 1000)) == []


# --- 2 单位银行账户信息登记 ------------------------------------------------------------------

def test_item_2_bank_account_registration(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "单位银行账户信息登记", UNIT_INFO)

    # 2.1 申请页面 (2.2 子事项: none)
    assert not page.html.select("#row-entry, form#import-form")
    form = fill(page.forms["deform"], bank_name="中国工商银行晋城分行", account_name="晋城市城建投资有限公司",
                account_no="6222020506001234562")
    page, application_id = save_draft(form)
    # 2.3 材料项; 2.4 打印: 不涉及 — no print button
    upload(hall, application_id, "申请表.png", "application_form")
    no_vouchers(hall, application_id)

    # 2.5 提交
    assert submit_item(hall, "bank_account_registration", application_id) == application_id
    assert sent_status(hall, "单位银行账户信息登记", application_id) == "待审批"
    # 2.6 审批
    done, desk = counter_act(app, application_id, "approve")
    assert "已办结" in done.text and "已办结" in counter_done(desk, "单位银行账户信息登记", application_id)
    with runtime.session() as db:
        bank = db.scalars(select(BankAccount).where(BankAccount.account_no == "6222020506001234562")).one()
        assert (bank.unit_id, bank.active, bank.bank_name) == (demo.unit_id, True, "中国工商银行晋城分行")
        assert check_ledgers(db) == []

    # 2.7 清册流水查询: 缴存单位银行卡记录流水 and 缴存单位银行卡记录清册
    rows = query(hall, "缴存单位银行卡记录流水")
    assert [(r["业务类型"], r["开户银行"]) for r in rows if r["业务编号"] == str(application_id)] == [
        ("新增登记", "中国工商银行晋城分行")]
    assert numbers(query(hall, "缴存单位银行卡记录流水", business_no=str(application_id))) == {str(application_id)}
    listed = query(hall, "缴存单位银行卡记录清册")
    assert {r["开户银行"] for r in listed} >= {"中国工商银行晋城分行", "中国建设银行晋城分行"}
    listed = query(hall, "缴存单位银行卡记录清册", bank_name="工商")
    assert [r["开户银行"] for r in listed] == ["中国工商银行晋城分行"] and listed[0]["状态"] == "正常"


# --- 3 单位银行账户信息变更 ------------------------------------------------------------------

def test_item_3_bank_account_change(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "单位银行账户信息变更", UNIT_INFO)
    with runtime.session() as db:
        bank = db.scalars(select(BankAccount).where(BankAccount.unit_id == demo.unit_id)).one()
        bank_id, old_bank = bank.id, bank.bank_name

    # 3.1 申请页面: the unit's registered account to choose (3.2 子事项: none)
    form = page.forms["deform"]
    assert [v for v, _, _ in form["bank_account_id"].options if v] == [str(bank_id)]
    assert not page.html.select("#row-entry, form#import-form")
    form = fill(form, bank_account_id=str(bank_id), bank_name="中国建设银行晋城泽州支行")
    page, application_id = save_draft(form)
    # 3.3 材料项; 3.4 打印: 不涉及
    upload(hall, application_id, "变更说明.png")
    no_vouchers(hall, application_id)

    # 3.5 提交
    assert submit_item(hall, "bank_account_change", application_id) == application_id
    assert sent_status(hall, "单位银行账户信息变更", application_id) == "待审批"
    # 3.6 审批
    done, desk = counter_act(app, application_id, "approve")
    assert "已办结" in done.text and "已办结" in counter_done(desk, "单位银行账户信息变更", application_id)
    with runtime.session() as db:
        assert db.get(BankAccount, bank_id).bank_name == "中国建设银行晋城泽州支行"
        assert check_ledgers(db) == []

    # 3.7 清册流水查询
    rows = [r for r in query(hall, "缴存单位银行卡记录流水") if r["业务编号"] == str(application_id)]
    assert [r["业务类型"] for r in rows] == ["变更"]
    assert f"开户银行：{old_bank}→中国建设银行晋城泽州支行" in rows[0]["变更内容"]
    changed = query(hall, "缴存单位银行卡记录流水", action="bank_account_change")
    assert numbers(changed) == {str(application_id)}
    assert [r["开户银行"] for r in query(hall, "缴存单位银行卡记录清册", bank_name="泽州支行")] == [
        "中国建设银行晋城泽州支行"]


# --- 4 缴存单位缴存比例调整 ------------------------------------------------------------------

def test_item_4_unit_ratio_adjustment_with_a_return(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "缴存单位缴存比例调整", DEPOSITS)
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        month = page.forms["deform"]["effective_month"].value
        assert month > unit.paid_to  # the month after the last paid one

    # 4.1 申请页面 (4.2 子事项: none)
    assert not page.html.select("#row-entry, form#import-form")
    form = fill(page.forms["deform"], unit_ratio="10", personal_ratio="10")
    page, application_id = save_draft(form)
    # 4.3 材料项; 4.4 打印 缴存比例调整凭证
    upload(hall, application_id, "申请表.png")
    print_vouchers(hall, runtime, application_id, ["缴存比例调整凭证"])

    # 4.5 提交
    assert submit_item(hall, "unit_ratio_adjustment", application_id) == application_id
    assert sent_status(hall, "缴存单位缴存比例调整", application_id) == "待审批"

    # 4.6 审批: 退回 with an opinion; the unit changes the ratios, prints again, resubmits
    counter_act(app, application_id, "return", "须附职代会决议")
    assert sent_status(hall, "缴存单位缴存比例调整", application_id) == "已退回"
    edit = hall.get(f"/hall/applications/{application_id}").click("修改后重新提交")
    assert "须附职代会决议" in edit.text
    form = fill(edit.forms["deform"], unit_ratio="11", personal_ratio="11")
    refused = form.submit("submit")
    assert "凭证打印后业务内容已修改，请重新打印后再提交" in refused.text  # the print no longer matches
    page, _ = save_draft(fill(refused.forms["deform"], unit_ratio="11", personal_ratio="11"))
    assert "内容已修改，请重新打印" in hall.get(f"/hall/applications/{application_id}").text
    print_vouchers(hall, runtime, application_id, ["缴存比例调整凭证"])
    assert submit_item(hall, "unit_ratio_adjustment", application_id) == application_id
    done, desk = counter_act(app, application_id, "approve", "同意")
    assert "已办结" in done.text and "已办结" in counter_done(desk, "缴存单位缴存比例调整", application_id)
    with runtime.session() as db:
        change = db.scalars(select(RatioChange).where(RatioChange.application_id == application_id)).one()
        assert (change.unit_ratio, change.personal_ratio, change.effective_month) == (
            Decimal("0.11"), Decimal("0.11"), month)
        assert check_ledgers(db) == []

    # 4.7 清册流水查询: 缴存单位缴存比例调整流水
    rows = [r for r in query(hall, "缴存单位缴存比例调整流水") if r["业务编号"] == str(application_id)]
    assert [(r["类型"], r["新单位比例"], r["原单位比例"]) for r in rows] == [("调整", "11%", "12%")]
    assert numbers(query(hall, "缴存单位缴存比例调整流水", business_no=str(application_id))) == {
        str(application_id)}
    assert query(hall, "缴存单位缴存比例调整流水", kind="reduce") == []


# --- 5 缴存单位缴存比例降低/恢复申请 ----------------------------------------------------------

def test_item_5_ratio_reduction(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "缴存单位缴存比例降低/恢复申请", DEPOSITS)
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        first = f"{int(unit.paid_to[:4]) + (unit.paid_to[5:] == '12')}-{int(unit.paid_to[5:]) % 12 + 1:02d}"

    # 5.1 申请页面 (5.2 子事项: none)
    form = fill(page.forms["deform"], kind="reduce", unit_ratio="5", personal_ratio="5", from_month=first,
                to_month="2027-06", reason="生产经营困难")
    page, application_id = save_draft(form)
    # 5.3 材料项: 不涉及 — no 电子档案; 5.4: no print button
    detail = hall.get(f"/hall/applications/{application_id}")
    assert "upload-material" not in detail.forms and "电子档案" not in detail.text
    no_vouchers(hall, application_id)

    # 5.5 提交
    assert submit_item(hall, "ratio_reduction", application_id) == application_id
    assert sent_status(hall, "缴存单位缴存比例降低/恢复申请", application_id) == "待审批"
    # 5.6 审批 (one counter review in Jincheng)
    done, desk = counter_act(app, application_id, "approve")
    assert "已办结" in done.text
    assert "已办结" in counter_done(desk, "缴存单位缴存比例降低/恢复申请", application_id)
    with runtime.session() as db:
        reduction = db.scalars(select(RatioReduction).where(RatioReduction.application_id == application_id)).one()
        assert (reduction.status, reduction.unit_ratio, reduction.previous_unit_ratio) == (
            "active", Decimal("0.05"), Decimal("0.12"))
        assert check_ledgers(db) == []

    # ... and 恢复, once business picks up (no materials, no voucher either)
    form = fill(open_item(hall, "缴存单位缴存比例降低/恢复申请", DEPOSITS).forms["deform"], kind="restore",
                from_month="2027-03", reason="经营好转")
    restored = submitted(form.submit("submit"))
    counter_act(app, restored, "approve")
    with runtime.session() as db:
        reduction = db.scalars(select(RatioReduction).where(RatioReduction.application_id == application_id)).one()
        assert (reduction.status, reduction.restored_by_application_id) == ("restored", restored)

    # 5.7 清册流水查询: 缴存单位缴存比例调整流水
    rows = query(hall, "缴存单位缴存比例调整流水")
    assert [(r["业务编号"], r["类型"], r["新单位比例"], r["生效年月"]) for r in rows] == [
        (str(restored), "恢复", "12%", "2027-03"), (str(application_id), "降低", "5%", first)]
    rows = query(hall, "缴存单位缴存比例调整流水", kind="reduce")
    assert [(r["业务编号"], r["降低截止年月"], r["原因"]) for r in rows] == [
        (str(application_id), "2027-06", "生产经营困难")]


# --- 10 缴存单位缴存证明申请 -----------------------------------------------------------------

def test_item_10_deposit_certificate(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "缴存单位缴存证明申请", DEPOSITS)
    assert "发起即办结" in page.text

    # 10.1 申请页面 (10.2 子事项: none)
    form = fill(page.forms["deform"], scope="unit", purpose="招投标")
    page, application_id = save_draft(form)
    # 10.3 材料项; 10.4: 不涉及 — no print button
    upload(hall, application_id, "说明.png")
    no_vouchers(hall, application_id)

    # 10.5 提交: 发起即办结
    assert submit_item(hall, "deposit_certificate", application_id) == application_id
    assert sent_status(hall, "缴存单位缴存证明申请", application_id) == "已办结"
    # 10.6 审批: 不涉及 — nothing waits at the counter
    assert not waiting(clerk(app), application_id)
    with runtime.session() as db:
        result = db.get(Application, application_id).result
        unit = db.get(Unit, demo.unit_id)
        assert Decimal(result["balance"]) == unit.balance and result["paid_to"] == unit.paid_to
        assert check_ledgers(db) == []
    certificate_no = result["certificate_no"]
    assert certificate_no in hall.get(f"/hall/applications/{application_id}").text
    # a second one, for an employee
    form = fill(hall.item("deposit_certificate").forms["deform"], scope="person", account_no=demo.accounts[0],
                purpose="申请住房贷款")
    second = submitted(form.submit("submit"))
    with runtime.session() as db:
        second_no = db.get(Application, second).result["certificate_no"]

    # 10.7 清册流水查询: 缴存证明开具记录流水
    rows = query(hall, "缴存证明开具记录流水")
    assert {(r["证明编号"], r["证明范围"], r["用途"]) for r in rows} == {
        (certificate_no, "单位缴存证明", "招投标"), (second_no, "个人缴存证明", "申请住房贷款")}
    assert [r["证明编号"] for r in query(hall, "缴存证明开具记录流水", certificate_no=certificate_no)] == [
        certificate_no]
    assert [r["个人账号"] for r in query(hall, "缴存证明开具记录流水", scope="person")] == [demo.accounts[0]]


# --- 11 缴存单位汇缴办理 ---------------------------------------------------------------------

def download(hall: Client, link, title: str, unit_no: str) -> list[dict]:
    response = hall.web.get(link["href"])
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"{title}-{unit_no}-{date.today():%Y%m%d}.xlsx"
    sheet = load_workbook(io.BytesIO(response.body))[title]
    headers = [cell.value for cell in sheet[1]]
    return [dict(zip(headers, [cell.value for cell in line])) for line in sheet.iter_rows(min_row=2)]


def test_item_11_remittance(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "缴存单位汇缴办理", DEPOSITS)
    assert "发起即办结" in page.text
    with runtime.session() as db:
        unit = db.get(Unit, demo.unit_id)
        paid_to, before_balance = unit.paid_to, unit.balance
        normal = {a.account_no: (a.monthly_amount, a.balance) for a in db.scalars(
            select(Account).where(Account.unit_id == demo.unit_id, Account.state == "01"))}
        over_age = set(db.scalars(select(Account.account_no).where(
            Account.unit_id == demo.unit_id, Account.opened_on == date(2026, 11, 2))))
    assert len(over_age) == len(OVER_AGE)

    # 11.1 申请页面: the month after the last paid one, one month
    form = page.forms["deform"]
    month = form["month"].value
    assert month > paid_to and form["count"].value == "1"
    # 11.2 子事项: the three 清册 exported from the page and read back
    links = page.html.select("#exports a.item-export")
    assert [a.get_text(strip=True) for a in links] == ["导出缴存人汇缴明细清册", "导出汇缴核定变更清册",
                                                      "导出汇缴缴存人超龄清册"]
    assert not page.html.select("#row-entry, form#import-form")
    details = download(hall, links[0], "缴存人汇缴明细清册", demo.unit_no)
    assert {r["个人账号"] for r in details} == set(normal)
    assert all(Decimal(str(r["月缴存额合计"])).quantize(Decimal("0.01")) == normal[r["个人账号"]][0]
               for r in details)
    changes = download(hall, links[1], "汇缴核定变更清册", demo.unit_no)
    assert {r["个人账号"] for r in changes if r["变更类型"] == "开户"} == over_age  # opened since last month
    aged = download(hall, links[2], "汇缴缴存人超龄清册", demo.unit_no)
    assert over_age <= {r["个人账号"] for r in aged}
    assert all(r["是否超龄缴存登记"] == "否" for r in aged if r["个人账号"] in over_age)

    page, application_id = save_draft(form)
    # 11.3 材料项
    upload(hall, application_id, "汇缴说明.png")
    # 11.4 打印: 住房公积金汇缴书, 缴存单位汇缴办理清册, 住房公积金汇缴变更清册
    print_vouchers(hall, runtime, application_id, ["住房公积金汇缴书", "缴存单位汇缴办理清册", "住房公积金汇缴变更清册"])

    # 11.5 提交: 发起即办结 (11.6 审批: 不涉及)
    assert submit_item(hall, "remittance", application_id) == application_id
    assert sent_status(hall, "缴存单位汇缴办理", application_id) == "已办结"
    assert not waiting(clerk(app), application_id)
    expected = sum((amount for amount, _ in normal.values()), Decimal("0.00"))
    with runtime.session() as db:
        [verified] = db.scalars(select(RemittanceVerification).where(
            RemittanceVerification.application_id == application_id)).all()
        assert (verified.month, verified.status, verified.amount, verified.headcount) == (
            month, "verified", expected, len(normal))
        batch_no = verified.batch_no
        # the bank's payment of exactly the verified amount pays the batch: every account
        # is credited its monthly amount, the unit's ledger the total
        b = books(db, runtime)
        payment = remittance.receive_payment(b, demo.unit_id, expected, source="bank_statement",
                                             reference="JC-HJ-0001", received_on=date.today())
        paid = remittance.allocate(b, payment.id)
        assert (paid.target, paid.batch_no) == ("remittance", batch_no)
    with runtime.session() as db:
        lines = db.scalars(select(LedgerEntry).where(LedgerEntry.flow_no == paid.flow_no)).all()
        account_lines = [line for line in lines if line.kind == "account"]
        [unit_line] = [line for line in lines if line.kind == "unit"]
        assert sum((line.amount for line in account_lines), Decimal("0.00")) == expected == unit_line.amount
        balances = {a.account_no: a.balance for a in db.scalars(
            select(Account).where(Account.account_no.in_(normal)))}
        assert all(balances[no] == old + amount for no, (amount, old) in normal.items())
        unit = db.get(Unit, demo.unit_id)
        assert (unit.paid_to, unit.balance) == (month, before_balance + expected)
        assert check_ledgers(db) == []

    # 11.7 清册流水查询: 汇补缴核定记录流水
    rows = query(hall, "汇补缴核定记录流水")
    assert [(r["业务类型"], r["缴存年月"], r["状态"]) for r in rows if r["核定批次号"] == batch_no] == [
        ("汇缴", month, "已缴款")]
    assert len({r["核定批次号"] for r in rows}) > 1  # the demo's earlier months are there too
    assert [r["核定批次号"] for r in query(hall, "汇补缴核定记录流水", batch_no=batch_no)] == [batch_no]


# --- 12 缴存单位补缴办理 ---------------------------------------------------------------------

def row_buttons(page) -> set[str]:
    html = page.html
    found = {"add": html.select_one("#row-entry") is not None,
             "import": html.select_one("form#import-form") is not None and html.select_one("a.template") is not None,
             "export": html.select_one("a.export") is not None, "edit": bool(html.select("a.edit-row")),
             "delete": bool(html.select("button.delete-row")), "detail": bool(html.select("a.detail-row"))}
    return {name for name, shown in found.items() if shown}


def listed(page) -> list[list[str]]:
    table = page.html.select_one("table#rows")
    return [[td.get_text(strip=True) for td in tr.find_all("td")][1:4] for tr in table.select("tr")[1:]
            if tr.find("td") and not tr.find("td", class_="empty")]


def test_item_12_supplement(app, runtime, demo):
    hall = login(app, demo)
    page = open_item(hall, "缴存单位补缴办理", DEPOSITS)
    with runtime.session() as db:
        paid_to = db.get(Unit, demo.unit_id).paid_to
        fresh = list(db.scalars(select(Account.account_no).where(
            Account.unit_id == demo.unit_id, Account.opened_on == date(2026, 11, 2)).order_by(Account.account_no)))
        monthly = dict(db.execute(select(Account.account_no, Account.monthly_amount).where(
            Account.account_no.in_(fresh))).all())
    a, b, c = fresh

    # 12.1 申请页面
    fill(page.forms["deform"], kind="by_month", reason="新入职人员当月漏缴")
    page, application_id = save_draft(page.forms["deform"])

    # 12.2 子事项: 增加, 导入 (the downloaded template, filled), 修改, 删除, 详情, 导出
    page = fill(page.forms["row"], account_no=a, month=paid_to).submit("add_row").follow()
    assert "已添加第1行" in page.text
    template = load_workbook(io.BytesIO(hall.get("/hall/items/supplement/excel/template.xlsx").body))
    sheet = template["清册"]
    assert [cell.value for cell in sheet[1]] == ["个人账号", "补缴年月", "补缴金额"]
    sheet.append([b, paid_to, None])
    sheet.append([c, "2026-09", None])
    out = io.BytesIO()
    template.save(out)
    upload_form = page.forms["import-form"]
    upload_form["file"] = ("补缴清册.xlsx", out.getvalue())
    page = upload_form.submit("import").follow()
    assert listed(page) == [[a, paid_to, ""], [b, paid_to, ""], [c, "2026-09", ""]]
    assert row_buttons(page) == {"add", "import", "export", "edit", "delete", "detail"}
    detail = hall.item("supplement", application=application_id, detail="2")
    assert b in detail.html.select_one(".row-detail").get_text()
    edit = hall.item("supplement", application=application_id, edit="3")
    assert "修改第3行" in edit.text
    page = fill(edit.forms["row"], month=paid_to).submit("save_row").follow()
    assert listed(page)[2] == [c, paid_to, ""]
    delete = next(f for f in page.forms.values() if "delete_row" in f.fields and f["row"].value == "2")
    page = delete.submit("delete_row").follow()
    assert listed(page) == [[a, paid_to, ""], [c, paid_to, ""]]
    exported = load_workbook(io.BytesIO(hall.web.get(page.html.select_one("a.export")["href"]).body)).active
    assert [[cell.value for cell in line][:2] for line in exported.iter_rows(min_row=2)] == [[a, paid_to],
                                                                                          [c, paid_to]]

    # 12.3 材料项; 12.4 打印 缴存单位补缴办理凭证 and 缴存单位补缴清册
    upload(hall, application_id, "补缴申请表.png")
    print_vouchers(hall, runtime, application_id, ["缴存单位补缴办理凭证", "缴存单位补缴清册"])

    # 12.5 提交
    assert submit_item(hall, "supplement", application_id) == application_id
    assert sent_status(hall, "缴存单位补缴办理", application_id) == "待审批"
    # 12.6 审批: 办理中 first, then 审批通过
    done, _ = counter_act(app, application_id, "in_progress", "核对中", offers_in_progress=True)
    assert sent_status(hall, "缴存单位补缴办理", application_id) == "办理中"
    done, desk = counter_act(app, application_id, "approve", "同意补缴", offers_in_progress=False)
    assert "已办结" in done.text and "已办结" in counter_done(desk, "缴存单位补缴办理", application_id)
    expected = monthly[a] + monthly[c]
    with runtime.session() as db:
        supplement = db.scalars(select(Supplement).where(Supplement.application_id == application_id)).one()
        assert (supplement.status, supplement.amount, supplement.headcount) == ("verified", expected, 2)
        batch_no = supplement.batch_no
        before = balances(db, fresh)
        unit_before = db.get(Unit, demo.unit_id).balance
        # the bank's payment of the supplement's amount pays it: both accounts and the unit
        bk = books(db, runtime)
        payment = remittance.receive_payment(bk, demo.unit_id, expected, source="bank_statement",
                                             reference="JC-BJ-0001", received_on=date.today())
        paid = remittance.allocate(bk, payment.id)
        assert (paid.target, paid.batch_no) == ("supplement", batch_no)
    with runtime.session() as db:
        after = balances(db, fresh)
        assert after == {a: before[a] + monthly[a], b: before[b], c: before[c] + monthly[c]}
        assert db.get(Unit, demo.unit_id).balance == unit_before + expected
        lines = db.execute(select(LedgerEntry.kind, func.sum(LedgerEntry.amount)).where(
            LedgerEntry.flow_no == paid.flow_no).group_by(LedgerEntry.kind)).all()
        assert dict(lines) == {"account": expected, "unit": expected}
        assert check_ledgers(db) == []

    # 12.7 清册流水查询: 汇补缴核定记录流水
    rows = [r for r in query(hall, "汇补缴核定记录流水") if r["核定批次号"] == batch_no]
    assert [(r["业务类型"], r["缴存年月"], r["人数"], r["状态"]) for r in rows] == [("补缴", paid_to, "2", "已缴款")]
    assert [r["核定批次号"] for r in query(hall, "汇补缴核定记录流水", kind="supplement")] == [batch_no]
    assert query(hall, "汇补缴核定记录流水", batch_no="BJ-NONE") == []
