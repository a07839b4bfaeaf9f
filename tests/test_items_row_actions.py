"""An item's 清册 buttons (BusinessItem.row_actions) in the hall: the page offers only
the buttons the item lists, and every route of a button it does not list refuses (403),
so nothing reaches the 清册 another way. Default: all six (增加, 导入, 导出, 修改, 删除,
详情)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from core.contract import ROW_ACTIONS
from core.items.library import standard_items
from core.models import Application
from tests.support.web import fill, make_centre_app


@pytest.fixture
def app(tmp_path, database_url):
    return make_centre_app(tmp_path, database_url)


def offer(runtime, code: str, *actions: str) -> None:
    """The centre narrows the item's 清册 buttons, as a city's item override does."""
    items = runtime.catalogue.items
    items[code] = replace(items[code], row_actions=actions)


def draft_with_a_row(hall, demo) -> tuple[int, object]:
    """The seal item's draft with one row (added while 增加 is offered)."""
    page = hall.item("seal")
    reason = page.forms["row"]["reason"].options[1][0]
    page = fill(page.forms["row"], account_no=demo.accounts[0], reason=reason).submit("add_row").follow()
    return int(page.forms["finish"]["application"].value), page


def buttons(page) -> set[str]:
    html = page.html
    found = {"add": html.select_one("#row-entry") is not None,
             "import": html.select_one("form#import-form") is not None and html.select_one("a.template") is not None,
             "export": html.select_one("a.export") is not None, "edit": bool(html.select("a.edit-row")),
             "delete": bool(html.select("button.delete-row")), "detail": bool(html.select("a.detail-row"))}
    return {name for name, shown in found.items() if shown}


def test_core_items_offer_all_six_by_default():
    assert all(item.row_actions == ROW_ACTIONS for item in standard_items())


def test_all_six_offered(hall, runtime, demo):
    offer(runtime, "seal", *ROW_ACTIONS)  # the test centre is Jincheng-like: its seal has four
    _, page = draft_with_a_row(hall, demo)
    assert buttons(page) == set(ROW_ACTIONS)
    assert page.html.select("a.filler-export") and page.html.select("button.filler")


def test_only_add_and_import(hall, runtime, demo):
    offer(runtime, "seal", *ROW_ACTIONS)
    application_id, _ = draft_with_a_row(hall, demo)
    offer(runtime, "seal", "add", "import")
    page = hall.item("seal", application=application_id)
    assert buttons(page) == {"add", "import"}
    assert "修改" not in page.text.split('id="rows"')[1] and "详情" not in page.text
    assert page.html.select("a.filler-export")  # a filler's export is part of 导入
    assert page.html.select("button.filler")  # and its own button stays
    # what the page does not offer is refused, and the 清册 is left alone
    finish = page.forms["finish"]
    token = finish["csrf_token"].value
    base = {"csrf_token": token, "application": str(application_id), "submit_key": finish["submit_key"].value,
            "version": finish["version"].value, "row": "1"}
    refused = hall.web.post(hall.url("/hall/items/seal"), {**base, "delete_row": "1"}, status=403)
    assert "本业务的清册不提供“删除”功能" in refused.text
    refused = hall.web.post(hall.url("/hall/items/seal"), {**base, "save_row": "1", "account_no": demo.accounts[1],
                                                           "reason": "离职"}, status=403)
    assert "本业务的清册不提供“修改”功能" in refused.text
    hall.get("/hall/items/seal", params={"application": application_id, "edit": "1"}, status=403)
    hall.get("/hall/items/seal", params={"application": application_id, "detail": "1"}, status=403)
    hall.get("/hall/items/seal/excel/export.xlsx", params={"application": application_id}, status=403)
    hall.get("/hall/items/seal/excel/template.xlsx", status=200)
    hall.get("/hall/items/seal/excel/export.xlsx", params={"filler": "0"}, status=200)
    with runtime.session() as db:
        application = db.get(Application, application_id)
        assert [row.data["account_no"] for row in application.rows] == [demo.accounts[0]]


def test_without_add_and_import_nothing_is_typed_or_uploaded(hall, runtime, demo):
    offer(runtime, "seal", *ROW_ACTIONS)
    application_id, _ = draft_with_a_row(hall, demo)
    offer(runtime, "seal", "export", "edit", "delete", "detail")
    page = hall.item("seal", application=application_id)
    assert buttons(page) == {"export", "edit", "delete", "detail"}
    assert not page.html.select("a.filler-export")
    finish = page.forms["finish"]
    refused = hall.web.post(hall.url("/hall/items/seal"), {
        "csrf_token": finish["csrf_token"].value, "application": str(application_id),
        "submit_key": finish["submit_key"].value, "version": finish["version"].value,
        "add_row": "1", "account_no": demo.accounts[1], "reason": "离职"}, status=403)
    assert "本业务的清册不提供“增加”功能" in refused.text
    hall.get("/hall/items/seal/excel/template.xlsx", status=403)
    hall.get("/hall/items/seal/excel/export.xlsx", params={"filler": "0"}, status=403)
    upload = hall.web.post(hall.url("/hall/items/seal/excel/import"),
                           {"csrf_token": finish["csrf_token"].value}, status=403)
    assert upload.status_int == 403
    # what it does offer still works: 修改 loads the row, 删除 removes it
    edit = hall.item("seal", application=application_id, edit="1")
    assert edit.html.select_one("#row-entry") is not None and "修改第1行" in edit.text
    hall.get("/hall/items/seal/excel/export.xlsx", params={"application": application_id}, status=200)
    page = hall.item("seal", application=application_id)
    delete = next(f for f in page.forms.values() if "delete_row" in f.fields)
    page = delete.submit("delete_row").follow()
    assert "清册中还没有记录" in page.text
    with runtime.session() as db:
        assert not db.scalar(select(Application).where(Application.id == application_id)).rows
