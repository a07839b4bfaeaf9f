"""Printing vouchers from a draft (centre setting ``vouchers.print_from = draft``), as the
Jincheng hall prints and fixes (固化) a voucher before submitting: the print is fixed
among the materials; the same content prints once; an edited draft's print is superseded
(已作废) by a new one; a submission whose print is stale is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.codes import ApplicationStatus as S
from core.models import Application, Material
from core.models.vouchers import Voucher
from core.money import months
from core.money.errors import BusinessError
from core.vouchers.service import STALE
from tests.support.web import Client
from tests.test_materials import archive_app
from tests.test_vouchers import print_form
from tests.test_vouchers_standard import FIRST, operator_of, run, unit

LAYOUT = "ratio_adjustment_voucher"


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    return archive_app(tmp_path, monkeypatch, database_url, **{"vouchers.print_from": "draft"})


@pytest.fixture
def operator(runtime, demo):
    return operator_of(runtime, demo)


def ratios(personal: str, month: str) -> dict:
    return {"unit_ratio": "10", "personal_ratio": personal, "effective_month": month}


def vouchers(runtime, application_id: int) -> list[Voucher]:
    with runtime.session() as db:
        return list(db.scalars(select(Voucher).where(Voucher.application_id == application_id).order_by(Voucher.id)))


def print_in_hall(hall, application_id: int):
    page = hall.get(f"/hall/applications/{application_id}")
    return print_form(page, LAYOUT).submit().follow()


def test_print_in_draft_reprint_after_editing_and_submit(app, hall, runtime, demo, operator):
    month = months.following(unit(runtime, demo).paid_to)
    application_id = run(runtime, operator, "save_draft", "unit_ratio_adjustment", ratios("10", month))
    page = print_in_hall(hall, application_id)
    assert "缴存比例调整凭证已生成并固化" in page.text and "已固化" in page.text
    [first] = vouchers(runtime, application_id)
    assert first.status == "fixed" and first.content_sha256
    with runtime.session() as db:
        material = db.get(Material, first.material_id)
        assert material.fixed and material.application_id == application_id
        assert db.get(Application, application_id).status == S.DRAFT

    # the same content again: the voucher already fixed
    hall.post(f"/hall/applications/{application_id}/vouchers/{LAYOUT}/print", {})
    assert [v.code for v in vouchers(runtime, application_id)] == [first.code]

    # the draft changes: its print is stale, and submitting is refused
    run(runtime, operator, "save_draft", "unit_ratio_adjustment", ratios("8", month), application_id=application_id)
    assert "内容已修改，请重新打印" in hall.get(f"/hall/applications/{application_id}").text
    with pytest.raises(BusinessError) as refused:
        run(runtime, operator, "submit", "unit_ratio_adjustment", ratios("8", month), application_id=application_id)
    assert refused.value.message == STALE == "凭证打印后业务内容已修改，请重新打印后再提交"
    assert refused.value.field == "vouchers"

    # printing again supersedes the old print (kept, shown as 已作废) with a new one
    page = print_in_hall(hall, application_id)
    old, new = vouchers(runtime, application_id)
    assert (old.code, old.status, new.status) == (first.code, "superseded", "fixed")
    assert new.code != old.code and new.material_id != old.material_id and old.material_id == first.material_id
    assert "已作废" in page.text and old.code in page.text and new.code in page.text
    public = Client(app)
    assert "已作废，以最新打印的凭证为准" in public.get(f"/v/{old.code}").text
    current = public.get(f"/v/{new.code}").text
    assert "真实有效，未被修改" in current and "已作废" not in current

    # now it submits; the counter sees both prints among the materials
    run(runtime, operator, "submit", "unit_ratio_adjustment", ratios("8", month), application_id=application_id)
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    review = desk.get(f"/counter/applications/{application_id}")
    assert review.text.count("缴存比例调整凭证") >= 2
    run(runtime, FIRST, "act", application_id, "approve")
    with runtime.session() as db:
        assert db.get(Application, application_id).status == S.COMPLETED
    # completed: printing returns the print fixed before submitting (nothing printed changed)
    hall.post(f"/hall/applications/{application_id}/vouchers/{LAYOUT}/print", {})
    assert [v.code for v in vouchers(runtime, application_id) if v.status == "fixed"] == [new.code]


def test_a_returned_application_prints_again(app, hall, runtime, operator):
    application_id = run(runtime, operator, "submit", "unit_ratio_adjustment", ratios("10", "2026-12"))
    refused = hall.post(f"/hall/applications/{application_id}/vouchers/{LAYOUT}/print", {}).follow()
    assert "打印失败：业务审批中，办结后才能打印凭证" in refused.text
    run(runtime, FIRST, "act", application_id, "return", opinion="请核对比例")
    assert "缴存比例调整凭证已生成并固化" in print_in_hall(hall, application_id).text


def test_by_default_a_draft_does_not_print(tmp_path, monkeypatch, database_url):
    from tests.support.web import demo_facts

    app = archive_app(tmp_path, monkeypatch, database_url)
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    operator = operator_of(runtime, demo)
    application_id = run(runtime, operator, "save_draft", "unit_ratio_adjustment", ratios("10", "2026-12"))
    hall = Client(app)
    hall.login(demo.operator_id_no).follow()
    page = hall.get(f"/hall/applications/{application_id}")
    assert "办结后可打印" in page.text
    refused = hall.post(f"/hall/applications/{application_id}/vouchers/{LAYOUT}/print", {}).follow()
    assert "打印失败：业务办结后才能打印凭证" in refused.text
    assert vouchers(runtime, application_id) == []


def test_an_instant_item_prints_in_draft_and_again_once_completed(app, hall, runtime, operator, tmp_path):
    from tests.test_vouchers import text_of
    from tests.test_vouchers_standard import resident

    rows = [{"name": "吴即办", "id_type": "01", "id_no": resident(7), "phone": "", "base": "5000", "department": ""}]
    application_id = run(runtime, operator, "save_draft", "open_accounts", {}, rows)
    page = hall.get(f"/hall/applications/{application_id}")
    print_form(page, "account_opening_form").submit()
    [drafted] = vouchers(runtime, application_id)
    run(runtime, operator, "submit", "open_accounts", {}, rows, application_id=application_id)  # 发起即办结
    with runtime.session() as db:
        application = db.get(Application, application_id)
        assert application.status == S.COMPLETED
        opened = application.result["accounts"][0]
    # the completed application now shows the account opened: printing gives the final form
    print_form(hall.get(f"/hall/applications/{application_id}"), "account_opening_form").submit()
    old, new = vouchers(runtime, application_id)
    assert (old.id, old.status, new.status) == (drafted.id, "superseded", "fixed")
    pdf = hall.get(f"/hall/applications/{application_id}/materials/{new.material_id}").body
    assert opened in text_of(pdf, tmp_path) and "吴即办" in text_of(pdf, tmp_path)
