"""Drawing a voucher with reportlab's canvas: pure, from a :class:`VoucherDocument` to
PDF bytes.

Page 1 carries the title, the QR code and short code, and the header field grid; the
table follows over as many pages as it needs (its column titles repeated on each), then
the totals, the amount in figures and in 大写, the remarks, the seal area and the date.
Every page's footer repeats the verification code and the page number. The canvas is
used directly (not platypus) so a 10,000-row list costs time in proportion to its rows.
"""
from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from core.vouchers.amounts import amount_in_words, figures

WIDTH, HEIGHT = A4
MARGIN = 36
ROW_H = 15
HEAD_ROW_H = 18
GRID_ROW_H = 20
FOOTER_H = 24
QR_SIZE = 72
TAIL_H = 150  # totals, amounts, remarks, seal and date (remarks may add lines)
GREY = colors.Color(0.93, 0.93, 0.93)
RED = colors.Color(0.8, 0.1, 0.1)


@dataclass
class VoucherDocument:
    title: str
    centre_title: str
    code: str
    verify_url: str
    header: Sequence[tuple[str, str]] = ()
    columns: Sequence[tuple[str, str]] = ()
    rows: Sequence[dict] = ()
    totals: dict[str, str] = field(default_factory=dict)
    amount: Decimal | None = None
    remarks: str = ""
    seal: bool = True
    seal_title: str = ""
    printed_on: date = field(default_factory=date.today)
    subtitle: str = ""


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if stringWidth(line + char, font, size) > width and line:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


class _Writer:
    def __init__(self, doc: VoucherDocument, font: str):
        self.doc, self.font = doc, font
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=A4, pageCompression=1, invariant=1)
        self.canvas.setTitle(doc.title)
        self.canvas.setAuthor(doc.centre_title)
        self.canvas.setSubject(f"凭证校验码 {doc.code}")
        self.page = 1
        self.inner = WIDTH - 2 * MARGIN
        self.widths = self._column_widths()
        self.numeric = set(doc.totals)

    # --- geometry -------------------------------------------------------------------

    def _column_widths(self) -> list[float]:
        columns = self.doc.columns
        if not columns:
            return []
        sample = self.doc.rows[:300]
        natural = []
        for key, title in columns:
            widest = max([stringWidth(title, self.font, 9)] +
                         [stringWidth(str(row.get(key, "")), self.font, 8.5) for row in sample]
                         + [stringWidth(self.doc.totals.get(key, ""), self.font, 8.5)])
            natural.append(widest + 8)
        natural = [max(w, 26) for w in natural]
        number = max(28.0, stringWidth(str(len(self.doc.rows)), self.font, 8.5) + 10)
        scale = (self.inner - number) / sum(natural)
        return [number] + [w * scale for w in natural]

    def pages(self, top: float) -> int:
        """How many pages the document takes when its table starts at ``top``."""
        pages, y = 1, top
        if self.doc.columns:
            lines = len(self.doc.rows) + (1 if self.doc.totals else 0)
            while True:
                room = int((y - HEAD_ROW_H - MARGIN - FOOTER_H) // ROW_H)
                if lines <= room:
                    y -= HEAD_ROW_H + lines * ROW_H
                    break
                lines -= room
                pages, y = pages + 1, HEIGHT - MARGIN
        return pages + (1 if y - self._tail_height() < MARGIN + FOOTER_H else 0)

    def _tail_height(self) -> float:
        lines = len(_wrap(self.doc.remarks, self.font, 9, self.inner - 40)) if self.doc.remarks else 0
        return TAIL_H + lines * 12

    # --- drawing -----------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, size: float = 9, align: str = "left", colour=colors.black):
        c = self.canvas
        c.setFillColor(colour)
        c.setFont(self.font, size)
        if align == "center":
            c.drawCentredString(x, y, text)
        elif align == "right":
            c.drawRightString(x, y, text)
        else:
            c.drawString(x, y, text)

    def footer(self, total: int) -> None:
        doc = self.doc
        self.canvas.setStrokeColor(colors.grey)
        self.canvas.line(MARGIN, MARGIN + 14, WIDTH - MARGIN, MARGIN + 14)
        self.text(MARGIN, MARGIN + 3, f"凭证校验码 {doc.code}　扫码或访问 {doc.verify_url} 校验真伪", 7.5,
                  colour=colors.grey)
        self.text(WIDTH - MARGIN, MARGIN + 3, f"第 {self.page} 页 共 {total} 页", 7.5, "right", colors.grey)

    def new_page(self, total: int) -> float:
        self.footer(total)
        self.canvas.showPage()
        self.page += 1
        return HEIGHT - MARGIN

    def qr(self) -> None:
        widget = QrCodeWidget(self.doc.verify_url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
        drawing.add(widget)
        left, bottom = WIDTH - MARGIN - QR_SIZE, HEIGHT - MARGIN - QR_SIZE
        renderPDF.draw(drawing, self.canvas, left, bottom)
        self.text(left + QR_SIZE / 2, bottom - 9, self.doc.code, 8, "center")

    def heading(self) -> float:
        doc = self.doc
        self.qr()
        top = HEIGHT - MARGIN
        self.text(WIDTH / 2, top - 24, doc.title, 18, "center")
        self.text(WIDTH / 2, top - 42, doc.centre_title, 10, "center")
        if doc.subtitle:
            self.text(MARGIN, top - 66, doc.subtitle, 8.5, colour=colors.grey)
        y = top - QR_SIZE - 18
        pairs = list(doc.header)
        if not pairs:
            return y
        c = self.canvas
        cell = self.inner / 2
        label_w = min(96, cell * 0.4)
        for index in range(0, len(pairs), 2):
            for column, (label, value) in enumerate(pairs[index:index + 2]):
                x = MARGIN + column * cell
                c.setStrokeColor(colors.black)
                c.setFillColor(GREY)
                c.rect(x, y - GRID_ROW_H, label_w, GRID_ROW_H, stroke=1, fill=1)
                c.setFillColor(colors.white)
                c.rect(x + label_w, y - GRID_ROW_H, cell - label_w, GRID_ROW_H, stroke=1, fill=0)
                self.text(x + 4, y - GRID_ROW_H + 6, _fit(label, self.font, 9, label_w - 8), 9)
                self.text(x + label_w + 4, y - GRID_ROW_H + 6, _fit(value, self.font, 9, cell - label_w - 8), 9)
            y -= GRID_ROW_H
        return y - 12

    def table_head(self, y: float) -> float:
        c = self.canvas
        c.setFillColor(GREY)
        c.rect(MARGIN, y - HEAD_ROW_H, self.inner, HEAD_ROW_H, stroke=1, fill=1)
        x = MARGIN
        for width, title in zip(self.widths, ["序号"] + [t for _, t in self.doc.columns]):
            self.text(x + width / 2, y - HEAD_ROW_H + 5.5, _fit(title, self.font, 9, width - 4), 9, "center")
            x += width
        return y - HEAD_ROW_H

    def cell(self, value: str, width: float) -> str:
        # a glyph is at most one em wide: only a long value needs measuring
        return value if len(value) * 8.5 <= width - 6 else _fit(value, self.font, 8.5, width - 6)

    def table_block(self, top: float, lines: list[list[str]]) -> float:
        """Rows under a column head drawn at ``top``: one text object, one grid."""
        c = self.canvas
        y = self.table_head(top)
        text = c.beginText()
        text.setFont(self.font, 8.5)
        text.setFillColor(colors.black)
        starts, x = [], MARGIN
        for width in self.widths:
            starts.append(x)
            x += width
        numeric = [key in self.numeric for key in [None] + [k for k, _ in self.doc.columns]]
        for cells in lines:
            base = y - ROW_H + 4.5
            for start, width, value, right in zip(starts, self.widths, cells, numeric):
                value = self.cell(value, width)
                if right:
                    text.setTextOrigin(start + width - 3 - stringWidth(value, self.font, 8.5), base)
                else:
                    text.setTextOrigin(start + 3, base)
                text.textOut(value)
            y -= ROW_H
        c.drawText(text)
        c.setStrokeColor(colors.black)
        c.grid(starts + [MARGIN + self.inner], [top - HEAD_ROW_H - n * ROW_H for n in range(len(lines) + 1)])
        return y

    def tail(self, y: float) -> None:
        doc = self.doc
        y -= 16
        if doc.amount is not None:
            self.text(MARGIN, y, f"金额（小写）：{figures(doc.amount)}", 10)
            y -= 16
            self.text(MARGIN, y, f"金额（大写）：{amount_in_words(doc.amount)}", 10)
            y -= 16
        if doc.remarks:
            lines = _wrap(doc.remarks, self.font, 9, self.inner - 40)
            self.text(MARGIN, y, "备注：", 9)
            for line in lines:
                self.text(MARGIN + 32, y, line, 9)
                y -= 12
            y -= 4
        bottom = y - 96
        if doc.seal:
            c = self.canvas
            c.setStrokeColor(RED)
            c.setDash(3, 2)
            c.circle(WIDTH - MARGIN - 70, bottom + 44, 40, stroke=1, fill=0)
            c.setDash()
            self.text(WIDTH - MARGIN - 70, bottom - 8, doc.seal_title or "（盖章）", 8, "center", RED)
        self.text(MARGIN, bottom + 40, "经办人（签字）：", 9)
        self.text(MARGIN, bottom + 10, f"打印日期：{doc.printed_on:%Y年%m月%d日}", 9)

    def write(self) -> bytes:
        doc = self.doc
        y = self.heading()
        total = self.pages(y)
        keys: list[str | None] = [None] + [k for k, _ in doc.columns]
        if doc.columns:
            lines = ([str(n)] + [str(row.get(k, "")) for k in keys[1:]] for n, row in enumerate(doc.rows, start=1))
            if doc.totals:
                lines = itertools.chain(lines, [["合计"] + [doc.totals.get(k, "") for k in keys[1:]]])
            block: list[list[str]] = []
            room = int((y - HEAD_ROW_H - MARGIN - FOOTER_H) // ROW_H)
            for line in lines:
                if len(block) == room:
                    self.table_block(y, block)
                    y, block = self.new_page(total), []
                    room = int((y - HEAD_ROW_H - MARGIN - FOOTER_H) // ROW_H)
                block.append(line)
            y = self.table_block(y, block)
        if y - self._tail_height() < MARGIN + FOOTER_H:
            y = self.new_page(total)
        self.tail(y)
        self.footer(total)
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def render(doc: VoucherDocument, font: str) -> bytes:
    """The voucher as PDF bytes, written in ``font`` (see :mod:`core.vouchers.fonts`)."""
    return _Writer(doc, font).write()
