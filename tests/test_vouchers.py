"""Vouchers (凭证): 大写 amounts, the PDF (embedded Chinese font, text, QR code), 固化
once, the public verification page, core's remittance slip and seal list, and a
10,000-row list rendered as a job."""
from __future__ import annotations

import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.codes import ApplicationStatus as S
from core.materials.storage import sha256
from core.models import Application, ApplicationRow, Material, Unit
from core.models.vouchers import Voucher
from core.vouchers import amount_in_words
from core.vouchers import render as render_module
from core.vouchers.fonts import FALLBACK, fallback_font, voucher_font
from core.vouchers.render import VoucherDocument, render
from tests.support.web import Client, fill
from tests.test_materials import archive_app

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.parametrize("amount, words", [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("1001.05", "壹仟零壹元零伍分"),
    ("0.50", "伍角"),
    ("100", "壹佰元整"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("10.01", "壹拾元零壹分"),
    ("1000.05", "壹仟元零伍分"),
    ("100000", "壹拾万元整"),
    ("100010000", "壹亿零壹万元整"),
    ("1010", "壹仟零壹拾元整"),
    ("20300.40", "贰万零叁佰元肆角"),
    ("-3.20", "负叁元贰角"),
    ("0.005", "壹分"),  # rounded half up to the fen
])
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_refuses_floats():
    with pytest.raises(TypeError):
        amount_in_words(1.5)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "v.pdf"
    path.write_bytes(pdf)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def sample(**kw) -> VoucherDocument:
    return VoucherDocument(
        title="住房公积金汇缴书", centre_title="测试市住房公积金管理中心", code="ABCD234567",
        verify_url="http://localhost/c/v/ABCD234567",
        header=[("单位账号", "99000001"), ("单位名称", "测试单位有限公司")],
        columns=[("month", "汇缴年月"), ("amount", "汇缴金额")], rows=[{"month": "2026-07", "amount": "12,345.67"}],
        totals={"amount": "12,345.67"}, amount=Decimal("12345.67"), remarks="请按核定金额足额缴款。", **kw)


@pytest.mark.skipif(not WQY.exists(), reason="fonts-wqy-microhei is not installed")
def test_the_truetype_font_is_embedded_and_the_text_extracts(tmp_path):
    font = voucher_font()
    assert font != FALLBACK
    pdf = render(sample(), font)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf and b"WenQuanYiMicroHei" in pdf
    if PDFTOTEXT:
        text = text_of(pdf, tmp_path)
        for expected in ("住房公积金汇缴书", "测试单位有限公司", "壹万贰仟叁佰肆拾伍元陆角柒分", "¥12,345.67",
                         "ABCD234567", "合计", "第1页共1页"):
            assert expected in text


def test_without_a_truetype_font_stsong_light_is_the_fallback(monkeypatch):
    monkeypatch.setattr("core.vouchers.fonts.CANDIDATES", ())
    assert voucher_font("/nonexistent/font.ttf") == FALLBACK == fallback_font()
    pdf = render(sample(), FALLBACK)
    assert b"STSong-Light" in pdf and b"/FontFile2" not in pdf


def test_the_qr_code_carries_the_verification_address(monkeypatch):
    seen = []
    original = render_module.QrCodeWidget

    def recording(value, **kw):
        seen.append(value)
        return original(value, **kw)

    monkeypatch.setattr(render_module, "QrCodeWidget", recording)
    render(sample(), voucher_font())
    assert seen == ["http://localhost/c/v/ABCD234567"]


# --- printing through the hall -----------------------------------------------------------------

@pytest.fixture
def app(tmp_path, monkeypatch):
    return archive_app(tmp_path, monkeypatch, **{"vouchers.job_threshold": "2000"})


def completed_ratio_adjustment(app, hall) -> int:
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="10", personal_ratio="10",
                effective_month="2026-12")
    response = form.submit("submit")
    application_id = int(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    desk.get(f"/counter/applications/{application_id}").forms["review"].submit("action", value="approve")
    return application_id


def print_form(page, layout: str):
    return next(form for form in page.forms.values() if form.action.endswith(f"/vouchers/{layout}/print"))


def test_print_fixes_the_voucher_once_and_it_verifies(app, hall, runtime, tmp_path):
    application_id = completed_ratio_adjustment(app, hall)
    page = hall.get(f"/hall/applications/{application_id}")
    assert "缴存比例调整凭证" in page.text and "未打印" in page.text
    page = print_form(page, "ratio_adjustment_voucher").submit().follow()
    assert "缴存比例调整凭证已生成并固化" in page.text and "已固化" in page.text
    with runtime.session() as db:
        voucher = db.scalars(select(Voucher).where(Voucher.application_id == application_id)).one()
        material = db.get(Material, voucher.material_id)
        code, digest, material_id = voucher.code, voucher.sha256, material.id
        assert material.fixed and material.material_type == "voucher" and material.sha256 == digest
    pdf = hall.get(f"/hall/applications/{application_id}/materials/{material_id}")
    assert pdf.content_type == "application/pdf" and sha256(pdf.body) == digest
    if PDFTOTEXT:
        text = text_of(pdf.body, tmp_path)
        assert "缴存比例调整凭证" in text and code in text and "缴存比例调整" in text and "档案编号" in text
    # printing again returns the voucher already fixed: no second material
    hall.post(f"/hall/applications/{application_id}/vouchers/ratio_adjustment_voucher/print", {})
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Voucher)
                         .where(Voucher.application_id == application_id)) == 1
        assert db.scalar(select(func.count()).select_from(Material)
                         .where(Material.application_id == application_id, Material.fixed.is_(True))) == 1
    # the QR code's address, for anyone
    public = Client(app).get(f"/v/{code}")
    assert "真实有效，未被修改" in public.text and digest in public.text and "缴存比例调整凭证" in public.text
    assert Client(app).get(f"/v/{code.lower()}").text.count("真实有效") == 1
    # the stored bytes altered: no longer genuine
    stored = next(p for p in (tmp_path / "materials" / "testhall").rglob(digest))
    stored.write_bytes(pdf.body.replace(b"%%EOF", b"%%EOF\n% altered"))
    altered = Client(app).get(f"/v/{code}")
    assert "真实有效" not in altered.text and "校验未通过" in altered.text
    assert Client(app).get("/v/NOSUCHCODE", status=404)


def test_a_voucher_is_printed_only_once_the_application_is_complete(app, hall, runtime):
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="10", personal_ratio="10",
                effective_month="2026-12")
    application_id = int(form.submit("submit").headers["Location"].split("?")[0].rsplit("/", 1)[1])
    page = hall.get(f"/hall/applications/{application_id}")
    assert "办结后可打印" in page.text
    refused = hall.post(f"/hall/applications/{application_id}/vouchers/ratio_adjustment_voucher/print", {}).follow()
    assert "打印失败：业务办结后才能打印凭证" in refused.text
    refused = hall.post(f"/hall/applications/{application_id}/vouchers/remittance_slip/print", {}).follow()
    assert "该业务没有此凭证" in refused.text


def test_the_print_step_fixes_the_seal_list(app, hall, runtime, demo, tmp_path):
    account_no = demo.accounts[2]
    page = hall.item("seal")
    reason = page.forms["row"]["reason"].options[1][0]
    page = fill(page.forms["row"], account_no=account_no, reason=reason).submit("add_row").follow()
    response = page.forms["finish"].submit("submit")
    application_id = int(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    desk.get(f"/counter/applications/{application_id}").forms["review"].submit("action", value="approve")
    done = hall.get(f"/hall/applications/{application_id}").forms["print"].submit().follow()
    assert "已办结" in done.text and "个人账户封存清册" in done.text and "已固化" in done.text
    with runtime.session() as db:
        voucher = db.scalars(select(Voucher).where(Voucher.application_id == application_id)).one()
        assert voucher.layout == "seal_register" and voucher.status == "fixed"
        data = db.get(Material, voucher.material_id)
    if PDFTOTEXT:
        body = hall.get(f"/hall/applications/{application_id}/materials/{data.id}").body
        text = text_of(body, tmp_path)
        assert "个人账户封存清册" in text and account_no in text and "封存人数" in text


def test_the_remittance_slip_carries_the_verified_amounts(app, hall, runtime, demo, tmp_path):
    with runtime.session() as db:
        month = db.get(Unit, demo.unit_id).paid_to
    next_month = f"{int(month[:4]) + (month[5:] == '12')}-{int(month[5:]) % 12 + 1:02d}"
    form = fill(hall.item("remittance").forms["deform"], month=next_month, count="1")
    response = form.submit("submit")
    application_id = int(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    with runtime.session() as db:
        application = db.get(Application, application_id)
        assert application.status == S.COMPLETED
        amount = Decimal(application.result["amount"])
    page = print_form(hall.get(f"/hall/applications/{application_id}"), "remittance_slip").submit().follow()
    assert "住房公积金汇缴书已生成并固化" in page.text
    if PDFTOTEXT:
        with runtime.session() as db:
            material_id = db.scalar(select(Voucher.material_id).where(Voucher.application_id == application_id))
        text = text_of(hall.get(f"/hall/applications/{application_id}/materials/{material_id}").body, tmp_path)
        assert amount_in_words(amount) in text and f"{amount:,.2f}" in text and next_month in text


def test_a_10000_row_list_renders_as_a_job(app, hall, runtime, demo, tmp_path):
    with runtime.session() as db:
        application = Application(item_code="seal", unit_id=demo.unit_id, status=S.COMPLETED.value, step=1, data={})
        db.add(application)
        db.flush()
        db.add_all(ApplicationRow(application_id=application.id, row_no=n,
                                  data={"account_no": f"{n:012d}", "reason": "01"}) for n in range(1, 10001))
        application_id = application.id
    started = time.perf_counter()
    response = hall.post(f"/hall/applications/{application_id}/vouchers/seal_register/print", {})
    elapsed = time.perf_counter() - started
    # the request enqueued it (voucher.job_id); the inline queue ran it after the commit. (The
    # detail page itself is not opened: drawing 10,000 rows there is another matter.)
    assert response.status_int == 303
    with runtime.session() as db:
        voucher = db.scalars(select(Voucher).where(Voucher.application_id == application_id)).one()
        assert voucher.status == "fixed" and voucher.job_id and voucher.row_count == 10000
        material = db.get(Material, voucher.material_id)
    pdf = hall.get(f"/hall/applications/{application_id}/materials/{material.id}").body
    assert sha256(pdf) == voucher.sha256 and pdf.count(b"/Type /Page\n") > 200
    print(f"10,000-row seal list: request with inline job {elapsed:.2f}s, {len(pdf) / 1024:.0f} KB")
    assert elapsed < 60
