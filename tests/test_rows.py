"""The 清册 in the hall: Excel import with an error file, edit / delete / detail, 继续添加,
fillers, export, the person look-up (反显) and a large import run as a job."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from stdnum.cn import ric
from webtest import Upload

from core.models import Account, Application, Person
from tests.support.web import Client, demo_facts, fill, make_centre_app

HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "缴存基数"]


def id_no(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def people(count: int, start: int = 0) -> list[list]:
    return [[f"导入{n}", "身份证", id_no(f"1101011990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"), None, 6000]
            for n in range(start, start + count)]


@pytest.fixture
def app(tmp_path):
    return make_centre_app(tmp_path, **{"opengjj.centre.testhall.excel.import_job_threshold": "5"})


def upload(page, data: bytes, name: str = "清册.xlsx"):
    form = page.forms["import-form"]
    form["file"] = Upload(name, data)
    return form.submit("import").follow()


def count(runtime, query) -> int:
    with runtime.session() as db:
        return db.scalar(query)


def test_template_download(hall):
    response = hall.get("/hall/items/open_accounts/excel/template.xlsx")
    assert response.content_type.startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["Content-Disposition"]
    assert [c.value for c in load_workbook(BytesIO(response.body)).worksheets[0][1]][:3] == ["姓名", "证件类型", "证件号码"]
    assert hall.get("/hall/items/remittance/excel/template.xlsx", expect_errors=True).status_int == 404  # no 清册


def test_import_good_and_bad_rows_then_error_file_then_submit(hall, runtime, demo):
    good = people(3)
    bad = [["错号", "身份证", "110101199003071234", None, 6000], ["缺基数", "身份证", id_no("11010119800101555"), None, None]]
    page = upload(hall.item("open_accounts"), xlsx([good[0], bad[0], good[1], bad[1], good[2]]))
    assert page.html.select_one(".imported-count").text == "3" and page.html.select_one(".failed-count").text == "2"
    assert page.text.count("删除") == 3
    errors = page.click("下载报错文件")
    lines = [[c.value for c in row] for row in load_workbook(BytesIO(errors.body)).worksheets[0].iter_rows()]
    assert lines[0][0] == "行号" and lines[0][-1] == "错误原因"
    assert (lines[1][0], lines[1][1], lines[1][-1]) == (3, "错号", "证件号码校验位错误")
    assert (lines[2][0], lines[2][1], lines[2][-1]) == (5, "缺基数", "缴存基数不能为空")
    # another session cannot fetch it
    other = Client(hall.web.app)
    other.login(demo.other_operator_id_no).follow()
    assert other.get(errors.request.path, expect_errors=True).status_int == 404
    # the export of the 清册 carries the staged rows
    export = page.click("导出清册")
    exported = [[c.value for c in row] for row in load_workbook(BytesIO(export.body)).worksheets[0].iter_rows()]
    assert [r[0] for r in exported[1:]] == ["导入0", "导入1", "导入2"]
    done = page.forms["finish"].submit("submit").follow()
    assert "已办结" in done.text
    assert count(runtime, select(func.count()).select_from(Account).join(Person).where(
        Account.unit_id == demo.unit_id, Person.name.in_(["导入0", "导入1", "导入2"]))) == 3


def test_a_bad_file_is_refused_and_nothing_is_stored(hall, runtime):
    page = upload(hall.item("open_accounts"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
    assert "导入失败：不支持旧版 Excel" in page.text
    page = upload(page, xlsx([people(1)[0] + [None]], headers=HEADERS + ["工资"]))
    assert "“工资”不是模板中的列" in page.text
    formula = xlsx([["赵", "身份证", id_no("11010119900307123"), None, "=1+1"]])
    assert "是公式" in upload(page, formula).text
    assert count(runtime, select(func.count()).select_from(Application)) == 0
    no_file = hall.post("/hall/items/open_accounts/excel/import", {}).follow()
    assert "请选择要导入的 Excel 文件" in no_file.text


def test_continue_adding_edit_detail_and_delete_rows(hall, demo):
    page = hall.item("seal")
    reasons = [o[0] for o in page.forms["row"]["reason"].options if o[0]]
    for account_no in demo.accounts[:2]:
        page = fill(page.forms["row"], account_no=account_no, reason=reasons[0]).submit("add_row").follow()
        assert "可继续添加" in page.text and page.forms["row"]["account_no"].value == ""  # open and empty
    edit = page.click(href=r"edit=1")
    assert "修改第1行" in edit.text and edit.forms["row"]["account_no"].value == demo.accounts[0]
    saved = fill(edit.forms["row"], reason=reasons[1]).submit("save_row").follow()
    assert "第1行已修改" in saved.text
    cells = [[td.text for td in tr.select("td")] for tr in saved.html.select("table.rows tr")[1:]]
    assert cells[0][1:3] == [demo.accounts[0], reasons[1]] and cells[1][1:3] == [demo.accounts[1], reasons[0]]
    bad = fill(saved.click(href=r"edit=2").forms["row"], account_no="")
    again = bad.submit("save_row")
    assert again.status_int == 200 and "修改第2行" in again.text  # the error shown, still editing row 2
    detail = saved.click(href=r"detail=2")
    assert "第2行详情" in detail.text and demo.accounts[1] in detail.html.select_one(".row-detail").text
    delete = next(f for f in saved.forms.values() if "delete_row" in f.fields and f["row"].value == "1")
    left = delete.submit("delete_row").follow()
    assert left.text.count("删除") == 1 and demo.accounts[1] in left.html.select_one("table.rows").text


def test_fillers_and_their_export(hall, runtime, demo):
    page = hall.item("seal")
    filled = page.forms["fill"].submit("fill", value="0").follow()
    assert "查询可封存账户：已添加" in filled.text
    normal = count(runtime, select(func.count()).select_from(Account).where(
        Account.unit_id == demo.unit_id, Account.state == "01"))
    assert filled.text.count("删除") == normal
    again = filled.forms["fill"].submit("fill", value="0").follow()
    assert "没有可添加的记录" in again.text and again.text.count("删除") == normal
    export = hall.get("/hall/items/seal/excel/export.xlsx", params={"filler": "0"})
    numbers = [row[0] for row in load_workbook(BytesIO(export.body)).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert numbers == sorted(demo.accounts)
    supplement = hall.item("supplement")
    assert "获取单位缴存人" in supplement.text
    assert hall.item("base_adjustment").forms["fill"]


def test_person_lookup_by_name_account_or_id_only_in_the_own_unit(app, hall, runtime, demo):
    with runtime.session() as db:
        account, person = db.execute(select(Account, Person).join(Person).where(
            Account.account_no == demo.accounts[0])).one()
        name, number, id_number = person.name, account.account_no, person.id_no
        stranger_account = db.scalar(select(Account.account_no).where(Account.unit_id != demo.unit_id).limit(1))
        same_name = db.scalar(select(func.count()).select_from(Account).join(Person).where(
            Account.unit_id == demo.unit_id, Person.name == name))
    lookup = lambda **q: hall.get("/hall/rows/lookup.json", params=q).json
    for query in ({"account_no": number}, {"id_no": id_number.lower()}):
        found = lookup(**query)
        assert found["found"] and (found["name"], found["account_no"], found["id_no"]) == (name, number, id_number)
        assert found["base"] and found["state"] == "正常"
    by_name = lookup(name=name)
    assert by_name["found"] == (same_name == 1)
    assert lookup(account_no=stranger_account) == {"found": False, "message": "本单位没有找到该职工"}
    other = Client(app)
    other.login(demo.other_operator_id_no).follow()
    assert not other.get("/hall/rows/lookup.json", params={"id_no": id_number}).json["found"]
    assert not lookup()["found"]
    assert 'data-lookup="' in hall.item("seal").text and "rows.js" in hall.item("seal").text


def test_a_large_import_runs_as_a_job_with_progress(hall, runtime, demo):
    rows = people(7) + [["坏行", "身份证", "123", None, 6000]]
    page = upload(hall.item("open_accounts"), xlsx(rows))
    assert "已转入后台导入" in page.text
    job_id = page.request.params["job"]
    state = hall.get(f"/hall/items/open_accounts/excel/jobs/{job_id}.json").json
    assert state["done"] and state["progress"] == 100 and state["status"] == "finished"
    assert (state["good"], state["failed"]) == (7, 1)
    errors = hall.get(state["error_file_url"].split("/c", 1)[1])
    assert "证件号码位数不对" in str(list(load_workbook(BytesIO(errors.body)).worksheets[0].values))
    assert page.html.select_one(".imported-count").text == "7" and page.text.count("删除") == 7
    other = Client(hall.web.app)
    other.login(demo.other_operator_id_no).follow()
    assert other.get(f"/hall/items/open_accounts/excel/jobs/{job_id}.json", expect_errors=True).status_int == 404
    # a bad file over the threshold is refused before any job is sent
    refused = upload(page, xlsx(people(7), headers=["姓名", "证件号码"]))
    assert "缺少必填列“缴存基数”" in refused.text
    assert page.forms["finish"].submit("submit").follow().status_int == 200
    assert count(runtime, select(func.count()).select_from(Person).where(Person.name.like("导入%"))) == 7


def test_single_row_submit_beside_submit_all(tmp_path):
    """单笔提交 (seed 003): one row becomes its own application; the rest stay staged."""
    app = make_centre_app(tmp_path, **{"opengjj.centre.testhall.rows.single_submit": "seal"})
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    hall = Client(app)
    hall.login(demo.operator_id_no).follow()
    page = hall.item("seal")
    reason = page.forms["row"]["reason"].options[1][0]
    for account_no in demo.accounts[:3]:
        page = fill(page.forms["row"], account_no=account_no, reason=reason).submit("add_row").follow()
    assert "全部提交" in page.text and len(page.html.select("button.submit-row")) == 3
    second = next(f for f in page.forms.values() if "submit_row" in f.fields and f["row"].value == "2")
    page = second.submit("submit_row").follow()
    assert "第2行已单笔提交" in page.text and len(page.html.select("button.submit-row")) == 2
    with runtime.session() as db:
        single = db.scalars(select(Application).where(Application.status == "submitted")).one()
        assert [row.data["account_no"] for row in single.rows] == [demo.accounts[1]]
        draft = db.scalars(select(Application).where(Application.status == "draft")).one()
        assert [row.data["account_no"] for row in draft.rows] == [demo.accounts[0], demo.accounts[2]]
    assert "单笔提交" not in hall.item("unseal").text  # only the items the centre lists
