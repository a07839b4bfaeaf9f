"""A query's rows as an .xlsx workbook (write-only, streamed) and as a printable PDF."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.excel.write import neutralise
from core.queries.format import filter_summary, numeric, raw, text
from core.queries.types import RecordQuery

#: relative column widths of the printout, by mask or kind
WIDTHS = {"id": 2.6, "phone": 1.7, "date": 1.5, "datetime": 1.9, "month": 1.1, "code": 1.2, "ratio": 0.9,
          "int": 0.9, "money": 1.6, "text": 1.9}
#: at most this many rows in a printout (setting ``queries.print_max_rows``)
PRINT_MAX_ROWS = 2000


def sheet_title(title: str) -> str:
    """A worksheet's name: at most 31 characters, none of ``\\ / ? * [ ] :`` (a centre's
    title such as 封存/启封 may hold them)."""
    return re.sub(r"[\\/?*\[\]:]", "、", title)[:31] or "查询"


def xlsx(query: RecordQuery, rows: Iterable[Mapping[str, Any]], totals: Mapping[str, Decimal] | None = None,
         heading: str = "") -> bytes:
    """One sheet named after the query: a heading line, the header, the rows, the totals.
    Text starting with ``= + - @`` is written with a leading ``'`` (never a formula)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet_title(query.title))
    if heading:
        ws.append([neutralise(heading)])
    bold = Font(bold=True)
    header = []
    for column in query.columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_cell(column, row) for column in query.columns])
    if totals:
        line = [("合计" if i == 0 else None) for i in range(len(query.columns))]
        for i, column in enumerate(query.columns):
            if column.name in totals:
                line[i] = totals[column.name]
        ws.append(line)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(column, row) -> Any:
    value = raw(column, row)
    if value is None:
        return None
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return value
    if numeric(column):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not isinstance(value, datetime) else value.isoformat()
    return neutralise(str(value))


def pdf(query: RecordQuery, rows: Iterable[Mapping[str, Any]], *, unit_name: str, centre_title: str,
        values: Mapping[str, str], totals: Mapping[str, Decimal] | None = None, total_count: int = 0,
        printed_at: str = "", summary: tuple[tuple[str, str], ...] = (), font: str | None = None,
        limit: int = PRINT_MAX_ROWS) -> bytes:
    """The printout: A4 landscape, the centre and unit, the conditions, the table
    (header repeated on every page), the totals of all matching rows."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from core.vouchers.fonts import voucher_font

    name = voucher_font(font)
    title_style = ParagraphStyle("title", fontName=name, fontSize=15, leading=20, alignment=1)
    line_style = ParagraphStyle("line", fontName=name, fontSize=9, leading=12)
    cell_style = ParagraphStyle("cell", fontName=name, fontSize=7.5, leading=9.5)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=query.title, author=centre_title)

    def p(value: str, style=cell_style) -> Paragraph:
        return Paragraph(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    story: list = [p(f"{centre_title} {query.title}", title_style), Spacer(1, 4 * mm),
                   p(f"单位：{unit_name}　　查询条件：{filter_summary(query, values)}　　打印时间：{printed_at}", line_style)]
    for label, value in summary:
        story.append(p(f"{label}：{value}", line_style))
    story.append(Spacer(1, 3 * mm))
    data = [[p(c.title) for c in query.columns]]
    shown = 0
    for row in rows:
        if shown >= limit:
            break
        data.append([p(text(c, row)) for c in query.columns])
        shown += 1
    if totals:
        data.append([p("合计" if i == 0 else (text(c, {c.name: totals[c.name]}) if c.name in totals else ""))
                     for i, c in enumerate(query.columns)])
    width = doc.width
    weights = [WIDTHS.get(c.masked or c.kind, 1.6) for c in query.columns]
    widths = [width * w / sum(weights) for w in weights]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story.append(table)
    note = f"共 {total_count} 条"
    if total_count > shown:
        note += f"，打印前 {shown} 条（全部记录请导出）"
    story.extend([Spacer(1, 3 * mm), p(note, line_style)])

    def page_number(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(name, 8)
        canvas.drawRightString(document.pagesize[0] - 12 * mm, 7 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
