"""The font vouchers are written in: a TrueType font embedded in the PDF when one is
configured (``opengjj.vouchers.font``) or found (Debian's fonts-wqy-microhei), else
reportlab's built-in STSong-Light CID font (not embedded: a viewer needs a Chinese
font of its own, poppler needs ``poppler-data``).

Noto CJK (CFF outlines) cannot be used by reportlab; a ``.ttc`` collection is opened
at its first face (``subfontIndex=0``).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FALLBACK = "STSong-Light"


@cache
def _register_ttf(path: str) -> str | None:
    name = "OpenGJJ-" + Path(path).stem
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except Exception:  # noqa: BLE001 - an unusable font file: try the next one
        return None
    return name


@cache
def _register_cid() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def voucher_font(configured: str | None = None) -> str:
    """Register and name the font to write vouchers in."""
    for path in ((configured,) if configured else ()) + CANDIDATES:
        if path and Path(path).is_file():
            name = _register_ttf(path)
            if name:
                return name
    return _register_cid()


def embedded(font_name: str) -> bool:
    return font_name != FALLBACK


def fallback_font() -> str:
    """Register and name STSong-Light (what :func:`voucher_font` falls back to)."""
    return _register_cid()
