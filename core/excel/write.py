"""Writing 清册 workbooks: the template, an export of rows, the error file, and a
read-only list (:func:`listing`, an item's exports such as 汇缴's three 清册).

Every workbook has the 清册 sheet first (required headers in red, enumerations as
drop-down lists, text columns formatted as text), a 填写说明 sheet explaining each
column, and a hidden 选项 sheet the drop-downs point at. Strings starting with
``= + - @`` (or a tab / carriage return) get a leading ``'`` so a spreadsheet never
runs them as formulas.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

import colander
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.excel.columns import Column, columns
from core.excel.read import ImportResult

SHEET = "清册"
GUIDE = "填写说明"
OPTIONS = "选项"
RED = "FFFF0000"
#: rows the drop-downs and text formats reach in a template
TEMPLATE_ROWS = 10000
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
#: a money cell: a number, always shown with two decimals
MONEY_FORMAT = "#,##0.00"
#: characters a worksheet title may not hold
SHEET_TITLE_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, made plain text with a leading '."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def _cell_value(column: Column | None, value: Any) -> Any:
    """What a cstruct value becomes in a cell: labels for codes, numbers for amounts."""
    if value in (None, colander.null):
        return None
    if column is not None:
        if column.kind == "select":
            value = column.label_of.get(str(value), value)
        elif column.kind in ("money", "percent", "integer") and isinstance(value, str) and value.strip():
            try:
                number = Decimal(value.strip().replace(",", ""))
            except InvalidOperation:
                return neutralise(value)
            if number.is_finite():
                return int(number) if column.kind == "integer" and number == number.to_integral() else float(number)
    return neutralise(value if isinstance(value, (int, float)) else str(value))


def _header(ws, title: str, red: bool) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=title)
    cell.font = Font(bold=True, color=RED if red else None)
    cell.fill = HEADER_FILL
    return cell


def _text_cell(ws, value: Any, as_text: bool) -> Any:
    if not as_text:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "@"
    return cell


def _book(cols: Sequence[Column], rows: Iterable[Sequence[Any]], extra: Sequence[str] = (),
          lead: Sequence[str] = (), reach: int = TEMPLATE_ROWS) -> bytes:
    """A workbook: ``lead`` headers, the columns, ``extra`` headers, then ``rows``
    (already cell values, in that order)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(SHEET)
    guide = book.create_sheet(GUIDE)
    options = book.create_sheet(OPTIONS)
    options.sheet_state = "hidden"
    offset = len(lead)
    for index, column in enumerate(cols, start=offset + 1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(12, min(40, len(column.title) * 3))
        if column.as_text:
            ws.column_dimensions[letter].number_format = "@"
        last = max(reach, 2)
        if column.choices:
            option_col = get_column_letter(len(ws.data_validations.dataValidation) + 1)
            source = f"{quote_sheetname(OPTIONS)}!${option_col}$1:${option_col}${len(column.choices)}"
            dv = DataValidation(type="list", formula1=source, allow_blank=not column.required,
                                showErrorMessage=True, errorTitle="输入有误", error=f"请从下拉列表中选择{column.title}")
            dv.add(f"{letter}2:{letter}{last}")
            ws.data_validations.append(dv)
    for extra_index in range(len(extra)):
        ws.column_dimensions[get_column_letter(offset + len(cols) + extra_index + 1)].width = 40
    # the options sheet: one column per drop-down, in the order of the validations
    choice_columns = [c.choices for c in cols if c.choices]
    for depth in range(max((len(c) for c in choice_columns), default=0)):
        options.append([c[depth][1] if depth < len(c) else None for c in choice_columns])
    ws.freeze_panes = "A2"
    ws.append([_header(ws, t, False) for t in lead] + [_header(ws, c.title, c.required) for c in cols]
              + [_header(ws, t, True) for t in extra])
    text_flags = [False] * len(lead) + [c.as_text for c in cols] + [False] * len(extra)
    for row in rows:
        ws.append([_text_cell(ws, value, flag) if value is not None else None
                   for value, flag in zip(row, text_flags)])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["E"].width = 60
    guide.append([_header(guide, t, False) for t in ("列名", "是否必填", "格式", "可选值", "说明")])
    for column in cols:
        guide.append([column.title, "必填（表头红色）" if column.required else "选填", column.hint,
                      "、".join(label for _, label in column.choices), column.description])
    guide.append([])
    guide.append([("填写要求：第一行为表头，请勿修改；从第二行起每行一条记录；证件号码、个人账号、年月等列为文本格式，"
                   "请勿改为数字或日期；请直接填写数值，不要使用公式。")])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def template(schema: colander.SchemaNode) -> bytes:
    """The empty template of a 清册 (.xlsx)."""
    return _book(columns(schema), [])


def export(schema: colander.SchemaNode, rows: Iterable[dict]) -> bytes:
    """The rows (cstructs) as a workbook that imports back unchanged."""
    cols = columns(schema)
    rows = list(rows)
    cells = ([_cell_value(c, row.get(c.name)) for c in cols] for row in rows)
    return _book(cols, cells, reach=max(TEMPLATE_ROWS, len(rows) + 1000))


def error_file(result: ImportResult, schema: colander.SchemaNode) -> bytes:
    """The rows that failed: their Excel row number, the values as they were in the
    file, and the reason. Fixed, it can be imported again as it is."""
    cols = columns(schema)
    by_title = {c.title: i for i, c in enumerate(cols)}
    cells = []
    for error in result.errors:
        values: list[Any] = [None] * len(cols)
        for title, value in zip(result.headers, error.values):
            if title in by_title:
                values[by_title[title]] = neutralise(value)
        cells.append([error.row_no] + values + [neutralise(error.reason)])
    return _book(cols, cells, extra=("错误原因",), lead=("行号",),
                 reach=max(TEMPLATE_ROWS, len(cells) + 1000))


def _listing_cell(ws, value: Any) -> Any:
    """A listing's cell: Decimal stays an exact number shown with two decimals, text is
    kept as text (account and ID numbers keep their digits) and never runs as a formula."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, (int, float, date, datetime)):
        return value
    cell = WriteOnlyCell(ws, value=neutralise(str(value)))
    cell.number_format = "@"
    return cell


def listing(title: str, cols: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A read-only list as a workbook: one sheet named ``title``, a bold header of the
    columns' titles, then one line per row (``cols`` are ``(key, title)`` pairs).

    Money is given as ``Decimal`` and written as a number with two decimals (exact: the
    value written is the Decimal's); other text is written as text."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title.translate(SHEET_TITLE_BAD)[:31] or SHEET)
    for index, (_, heading) in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(heading) * 3))
    ws.freeze_panes = "A2"
    ws.append([_header(ws, heading, False) for _, heading in cols])
    for row in rows:
        ws.append([_listing_cell(ws, row.get(key)) for key, _ in cols])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
