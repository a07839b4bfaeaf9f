"""Materials (电子档案): content checks with real bytes, content-addressed storage,
attach/delete rules, the required-material refusal, the scan serial and archive number,
and who may see a material (its unit and the counter; not another unit)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from core.catalogue import build_catalogue
from core.codes import ApplicationStatus as S
from core.materials import check_content, service
from core.materials.storage import FileSystemStorage, make_storage, sha256
from core.models import Application, Material
from core.money.errors import BusinessError
from tests.conftest import plugin
from tests.support.web import Client, fill, make_centre_app

# --- real bytes ------------------------------------------------------------------------------


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def pdf_bytes(text: str = "OpenGJJ") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def test_real_png_jpeg_and_pdf_are_accepted_by_their_content():
    assert check_content(image_bytes("PNG")) == "image/png"
    assert check_content(image_bytes("JPEG")) == "image/jpeg"
    assert check_content(pdf_bytes()) == "application/pdf"


@pytest.mark.parametrize("data, message", [
    (EXE, "只能上传"),  # a renamed .exe: the name says .jpg, the bytes say MZ
    (image_bytes("PNG", (300, 300))[:400], "不完整"),  # a truncated PNG
    (image_bytes("JPEG", (300, 300))[:300], "不完整"),  # a truncated JPEG
    (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "不完整"),  # PNG magic, garbage after
    (pdf_bytes()[:-200], "PDF 文件不完整"),  # no %%EOF
    (b"GIF89a" + b"\x00" * 100, "只能上传"),
    (b"", "文件为空"),
])
def test_files_that_are_not_what_they_claim_are_refused(data, message):
    with pytest.raises(BusinessError, match=message):
        check_content(data)


def test_the_size_limit_is_checked():
    big = image_bytes("PNG", (800, 800))
    with pytest.raises(BusinessError, match="大小限制"):
        check_content(big, limit=len(big) - 1)
    assert check_content(big, limit=len(big)) == "image/png"


# --- storage ---------------------------------------------------------------------------------

class _Centre:
    name = "testing"


class MemoryStorage:
    """A backend chosen by dotted name, as a deployment would plug in object storage."""

    def __init__(self, centre, settings):
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        self.blobs[sha256(data)] = data
        return sha256(data)

    def get(self, digest: str) -> bytes:
        return self.blobs[digest]

    def exists(self, digest: str) -> bool:
        return digest in self.blobs


def test_file_system_storage_is_content_addressed_and_deduplicates(tmp_path):
    storage = make_storage(_Centre(), {"opengjj.materials.path": str(tmp_path / "m" / "{centre}")})
    assert isinstance(storage, FileSystemStorage)
    data = image_bytes()
    first, second = storage.put(data), storage.put(data)
    assert first == second == sha256(data)
    files = [p for p in (tmp_path / "m" / "testing").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [first]
    assert storage.get(first) == data and storage.exists(first)
    assert not storage.exists("0" * 64) and not storage.exists("../../etc/passwd")
    with pytest.raises(KeyError):
        storage.get("../../etc/passwd")


def test_the_backend_is_chosen_by_a_dotted_name():
    storage = make_storage(_Centre(), {"opengjj.materials.backend": f"{__name__}:MemoryStorage"})
    assert isinstance(storage, MemoryStorage)
    assert storage.get(storage.put(b"x")) == b"x"


# --- the web ---------------------------------------------------------------------------------

def archive_app(tmp_path: Path, monkeypatch, database_url: str | None = None, **settings: str):
    return make_centre_app(tmp_path, database_url, **{"opengjj.materials.path": str(tmp_path / "materials" / "{centre}"),
                                        **settings})


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    return archive_app(tmp_path, monkeypatch, database_url)


def draft(hall) -> int:
    form = fill(hall.item("unit_ratio_adjustment").forms["deform"], unit_ratio="10", personal_ratio="10",
                effective_month="2026-12")
    response = form.submit("save_draft")
    return int(response.headers["Location"].rsplit("application=", 1)[1])


def upload(hall, application_id: int, material_type: str, name: str, data: bytes):
    page = hall.get(f"/hall/applications/{application_id}")
    form = page.forms["upload-material"]
    form["material_type"] = material_type
    form["file"] = (name, data)
    return form.submit().follow()


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "materials" / "testhall").rglob("*") if p.is_file()]


def test_upload_view_dedup_and_delete_on_a_draft(hall, runtime, tmp_path):
    application_id = draft(hall)
    page = hall.get(f"/hall/applications/{application_id}")
    assert "电子档案" in page.text and "高拍仪拍摄" in page.text and "camera.js" in page.text
    assert "（上传第一份材料时生成）" in page.text
    png = image_bytes()
    page = upload(hall, application_id, "other", "营业执照扫描件.png", png)
    assert "已上传：营业执照扫描件.png" in page.text
    with runtime.session() as db:
        application = db.get(Application, application_id)
        material = application.materials[0]
        assert (material.sha256, material.content_type, material.size) == (sha256(png), "image/png", len(png))
        assert application.scan_serial and application.scan_serial in page.text
        material_id = material.id
    view = hall.get(f"/hall/applications/{application_id}/materials/{material_id}")
    assert view.body == png and view.content_type == "image/png"
    assert view.headers["Content-Disposition"].startswith("inline")
    assert view.headers["X-Content-Type-Options"] == "nosniff"
    # the same bytes under another name: a second material, one stored file
    upload(hall, application_id, "other", "copy.png", png)
    assert len(stored_files(tmp_path)) == 1
    # a renamed .exe is refused by its content
    refused = upload(hall, application_id, "other", "photo.jpg", EXE)
    assert "上传失败：只能上传 JPG、PNG 图片或 PDF 文件" in refused.text
    page = hall.get(f"/hall/applications/{application_id}")
    page = page.forms[next(k for k in page.forms if page.forms[k].action.endswith(f"/materials/{material_id}/delete"))] \
        .submit().follow()
    assert "已删除：营业执照扫描件.png" in page.text
    with runtime.session() as db:
        assert [m.filename for m in db.get(Application, application_id).materials] == ["copy.png"]


def test_a_jpeg_from_the_document_camera_is_uploaded_like_a_file(hall, runtime):
    application_id = draft(hall)
    # what camera.js posts: the canvas's JPEG blob with the chosen type
    response = hall.web.post(hall.url(f"/hall/applications/{application_id}/materials"),
                             {"csrf_token": hall.csrf(), "material_type": "other"},
                             upload_files=[("file", "高拍仪拍摄.jpg", image_bytes("JPEG", (640, 480)))])
    assert response.status_int == 303
    with runtime.session() as db:
        assert db.get(Application, application_id).materials[0].content_type == "image/jpeg"


def test_max_count_is_enforced(app, hall, runtime):
    override = plugin(opengjj_item_overrides=lambda centre, item:
                      {"materials": ("authorisation", "other")} if item.code == "unit_ratio_adjustment" else None)
    runtime.pm.register(override)
    runtime.catalogue = build_catalogue(runtime.centre, runtime.pm)
    application_id = draft(hall)
    upload(hall, application_id, "authorisation", "a.pdf", pdf_bytes("a"))
    second = upload(hall, application_id, "authorisation", "b.pdf", pdf_bytes("b"))
    assert "授权委托书最多上传1份" in second.text


def test_submit_is_refused_naming_the_missing_required_material(app, hall, runtime):
    # core items require nothing; a city turns 申请表 on for one item through an override
    override = plugin(opengjj_item_overrides=lambda centre, item:
                      {"materials": ("application_form", "other")} if item.code == "unit_ratio_adjustment" else None)
    runtime.pm.register(override)
    runtime.catalogue = build_catalogue(runtime.centre, runtime.pm)
    application_id = draft(hall)
    detail = hall.get(f"/hall/applications/{application_id}")
    assert "缺少必传材料：申请表" in detail.text and '<span class="req">*</span>申请表' in detail.text
    page = hall.item("unit_ratio_adjustment", application=application_id)
    refused = page.forms["deform"].submit("submit")
    assert "缺少必传材料：申请表" in refused.text
    with runtime.session() as db:
        assert db.get(Application, application_id).status == S.DRAFT
    upload(hall, application_id, "application_form", "申请表.pdf", pdf_bytes())
    page = hall.item("unit_ratio_adjustment", application=application_id)
    response = page.forms["deform"].submit("submit")
    assert response.status_int == 303
    with runtime.session() as db:
        assert db.get(Application, application_id).status == S.SUBMITTED


def test_after_submission_materials_cannot_change(hall, runtime):
    application_id = draft(hall)
    upload(hall, application_id, "other", "a.png", image_bytes())
    page = hall.item("unit_ratio_adjustment", application=application_id)
    page.forms["deform"].submit("submit")
    with runtime.session() as db:
        material_id = db.get(Application, application_id).materials[0].id
    detail = hall.get(f"/hall/applications/{application_id}")
    assert "upload-material" not in detail.text and "材料不能再修改" in detail.text
    refused = hall.post(f"/hall/applications/{application_id}/materials/{material_id}/delete", {}).follow()
    assert "删除失败：业务已提交，不能删除材料" in refused.text
    refused = hall.web.post(hall.url(f"/hall/applications/{application_id}/materials"),
                            {"csrf_token": hall.csrf(), "material_type": "other"},
                            upload_files=[("file", "b.png", image_bytes())]).follow()
    assert "上传失败：业务已提交，不能上传材料" in refused.text


def test_a_fixed_material_is_never_deleted(hall, runtime):
    application_id = draft(hall)
    with runtime.session() as db:
        application = db.get(Application, application_id)
        fixed = service.store_fixed(db, service.storage_for(runtime), application, "voucher", "凭证.pdf",
                                    "application/pdf", pdf_bytes())
        with pytest.raises(BusinessError, match="已固化的材料不能删除"):
            service.delete(db, application, fixed.id)
        assert application.status == S.DRAFT


def test_the_counter_sees_the_material_and_another_unit_cannot(app, hall, runtime, demo):
    application_id = draft(hall)
    pdf = pdf_bytes()
    upload(hall, application_id, "other", "说明.pdf", pdf)
    hall.item("unit_ratio_adjustment", application=application_id).forms["deform"].submit("submit")
    with runtime.session() as db:
        material_id = db.scalar(select(Material.id).where(Material.application_id == application_id))
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    review = desk.get(f"/counter/applications/{application_id}")
    link = f"/counter/applications/{application_id}/materials/{material_id}"
    assert "说明.pdf" in review.text and link in review.text
    seen = desk.get(link)
    assert seen.body == pdf and seen.content_type == "application/pdf"
    assert desk.get(f"/hall/applications/{application_id}/materials/{material_id}", status=403)
    stranger = Client(app)
    stranger.login(demo.other_operator_id_no).follow()
    stranger.get(f"/hall/applications/{application_id}/materials/{material_id}", status=403)
    stranger.get(link, status=403)
    anonymous = Client(app)
    assert "/login" in anonymous.get(f"/hall/applications/{application_id}/materials/{material_id}",
                                     status=303).headers["Location"]


def test_the_archive_number_is_given_on_completion(app, hall, runtime):
    application_id = draft(hall)
    upload(hall, application_id, "other", "a.png", image_bytes())
    hall.item("unit_ratio_adjustment", application=application_id).forms["deform"].submit("submit")
    desk = Client(app)
    desk.login_clerk("clerk1").follow()
    desk.get(f"/counter/applications/{application_id}").forms["review"].submit("action", value="approve")
    with runtime.session() as db:
        application = db.get(Application, application_id)
        assert application.status == S.COMPLETED
        assert application.archive_no and application.archive_no.startswith("DA")
        archive_no, serial = application.archive_no, application.scan_serial
    detail = hall.get(f"/hall/applications/{application_id}")
    assert archive_no in detail.text and serial in detail.text
