"""What an uploaded file really is, decided from its bytes, never its name.

JPEG, PNG and PDF are accepted: the magic bytes must match, images must decode
completely with Pillow, a PDF must start with ``%PDF-`` and end with ``%%EOF``. The
size limit is ``opengjj.materials.max_bytes`` (default 10 MB).
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Mapping

from PIL import Image

from core.money.errors import BusinessError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"%PDF-", "application/pdf", "PDF"),
)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def max_bytes(settings: Mapping[str, str]) -> int:
    value = settings.get("opengjj.materials.max_bytes")
    return int(value) if value else DEFAULT_MAX_BYTES


def _image_decodes(data: bytes, kind: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != kind:
                    return False
                image.load()  # decodes every pixel: a truncated file raises here
        return True
    except Exception:  # noqa: BLE001 - any decoder complaint means "not a usable image"
        return False


def _pdf_complete(data: bytes) -> bool:
    return b"%%EOF" in data[-1024:]


def check_content(data: bytes, limit: int = DEFAULT_MAX_BYTES) -> str:
    """The content type of ``data`` (image/jpeg, image/png, application/pdf), or a
    :class:`BusinessError` saying why the file is refused."""
    if not data:
        raise BusinessError("文件为空", field="file")
    if len(data) > limit:
        raise BusinessError(f"文件超过{limit // (1024 * 1024) or 1}MB的大小限制", field="file")
    for magic, content_type, kind in MAGIC:
        if data.startswith(magic):
            break
    else:
        raise BusinessError("只能上传 JPG、PNG 图片或 PDF 文件", field="file")
    if kind == "PDF":
        if not _pdf_complete(data):
            raise BusinessError("PDF 文件不完整或已损坏", field="file")
    elif not _image_decodes(data, kind):
        raise BusinessError("图片文件不完整或已损坏", field="file")
    return content_type
