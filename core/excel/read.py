"""Reading a filled 清册 workbook: file checks first, then every row through the row
schema the form uses.

A bad *file* is refused as a whole with :class:`ExcelRefused` (nothing is kept): not an
xlsx, an encrypted or legacy .xls file, too big once unzipped, a sheet declaring more
rows or columns than allowed, no data, wrong or missing headers, a formula, a date in a
text column or text in a date column, a long number that lost its digits. A bad *row*
becomes a :class:`RowError` (its Excel row number, its values, the reason) and the good
rows are returned as cstructs ready to stage.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

import colander
from openpyxl import load_workbook

from core.excel.columns import ERROR_FILE_HEADERS, Column, columns

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
NEUTRALISED = ("'=", "'+", "'-", "'@")


class ExcelRefused(Exception):
    """The file cannot be imported; ``message`` says why, in words for the operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_unzipped: int = 400 * 1024 * 1024
    max_rows: int = 100_000
    max_columns: int = 50

    @classmethod
    def from_settings(cls, get: Callable[[str], str | None]) -> Limits:
        values = {}
        for name in ("max_bytes", "max_unzipped", "max_rows", "max_columns"):
            text = get(f"excel.{name}")
            if text and str(text).strip().isdigit():
                values[name] = int(text)
        return cls(**values)


@dataclass(frozen=True)
class RowError:
    row_no: int  # the row number in the workbook (the header is row 1)
    values: tuple  # the row's cells, in the file's header order
    reason: str


@dataclass
class ImportResult:
    headers: list[str]
    good: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: the workbook row number of each good row
    good_rows: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.errors)


def _open(data: bytes, limits: Limits):
    if not data:
        raise ExcelRefused("文件是空的，请选择填写好的 Excel 文件")
    if len(data) > limits.max_bytes:
        raise ExcelRefused(f"文件超过{limits.max_bytes // (1024 * 1024)}MB，请分批导入")
    if data[:8] == OLE_MAGIC:
        if ENCRYPTED_STREAM in data:
            raise ExcelRefused("文件设置了打开密码，请在 Excel 中取消密码后再导入")
        raise ExcelRefused("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 格式后再导入")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise ExcelRefused("文件不是 Excel（.xlsx）文件，请下载模板填写后再导入") from None
    if "xl/workbook.xml" not in names:
        raise ExcelRefused("文件不是 Excel（.xlsx）文件，请下载模板填写后再导入")
    if unzipped > limits.max_unzipped:
        raise ExcelRefused("文件解压后过大，请删除多余的内容或分批导入")
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise ExcelRefused("文件已损坏或格式不正确，无法读取，请下载模板重新填写") from None
    if not book.worksheets:
        raise ExcelRefused("文件中没有工作表")
    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > limits.max_rows + 1:
        raise ExcelRefused(f"工作表声明了{sheet.max_row}行，超过单次导入上限{limits.max_rows}行，"
                           "请删除多余的行或分批导入")
    if (sheet.max_column or 0) > limits.max_columns:
        raise ExcelRefused(f"工作表声明了{sheet.max_column}列，超过上限{limits.max_columns}列，请使用下载的模板")
    return book, sheet


def _headers(sheet, cols: list[Column], limits: Limits) -> tuple[list[str], list[Column | None]]:
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=limits.max_columns), ())
    for cell in first:
        if cell.data_type == "f":
            raise ExcelRefused("表头中含有公式，请使用下载的模板")
    headers = [str(c.value).strip().rstrip("*＊").strip() if c.value is not None else "" for c in first]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ExcelRefused("工作表是空的：第一行应为表头，请下载模板填写后再导入")
    by_title = {c.title: c for c in cols}
    unknown = [h for h in headers if h and h not in by_title and h not in ERROR_FILE_HEADERS]
    if unknown:
        raise ExcelRefused(f"表头“{'、'.join(unknown)}”不是模板中的列，请使用下载的模板")
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        raise ExcelRefused(f"表头“{'、'.join(repeated)}”重复")
    missing = [c.title for c in cols if c.required and c.title not in headers]
    if missing:
        raise ExcelRefused(f"缺少必填列“{'、'.join(missing)}”，请使用下载的模板")
    return headers, [by_title.get(h) for h in headers]


def inspect(data: bytes, schema: colander.SchemaNode, limits: Limits = Limits()) -> int | None:
    """Check the file and its headers without reading the rows; the number of data rows
    the sheet declares (None when it declares none)."""
    book, sheet = _open(data, limits)
    try:
        _headers(sheet, columns(schema), limits)
        return None if sheet.max_row is None else max(sheet.max_row - 1, 0)
    finally:
        book.close()


def _where(row_no: int, column: Column) -> str:
    return f"第{row_no}行“{column.title}”"


def _text(value: Any, row_no: int, column: Column) -> str:
    """A cell's value as the cstruct string the form would have posted."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(NEUTRALISED):  # our own export's protection
            text = text[1:]
        if column.kind == "date":
            raise ExcelRefused(f"{_where(row_no, column)}是文本，该列须为日期格式（如 2026-07-01），请重新填写")
        if column.kind == "select":
            return column.code_of.get(text, text)
        return text
    if isinstance(value, (datetime, date, time)):
        if column.kind == "date" and isinstance(value, (datetime, date)):
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        raise ExcelRefused(f"{_where(row_no, column)}被 Excel 识别成了日期，该列须为文本格式"
                           f"{'（如 2026-07）' if column.kind == 'month' else ''}，请将该列设为文本后重新填写")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if column.kind == "date":
            raise ExcelRefused(f"{_where(row_no, column)}不是日期，该列须为日期格式（如 2026-07-01）")
        if column.as_text and abs(value) >= 1e15:
            raise ExcelRefused(f"{_where(row_no, column)}是数字格式，长号码已丢失末尾数字，"
                               "请将该列设为文本格式后重新填写")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        return column.code_of.get(text, text) if column.kind == "select" else text
    return str(value)


def _reason(error: colander.Invalid, titles: dict[str, str]) -> str:
    parts = []
    for key, message in error.asdict().items():
        name = key.split(".")[-1]
        title = titles.get(name, "")
        message = str(message)
        if message in ("Required", "必填"):
            message = f"{title}不能为空" if title else "不能为空"
        elif title and not message.startswith(title):
            message = f"{title}：{message}"
        parts.append(message)
    return "；".join(parts) or "填写有误"


def read(data: bytes, schema: colander.SchemaNode, limits: Limits = Limits(),
         progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Read and validate every row of the workbook's first sheet with ``schema``.

    ``progress(done, total)`` is called every 1,000 rows (``total`` from the sheet's
    declared size, or 0 when it declares none).
    """
    cols = columns(schema)
    titles = {c.name: c.title for c in cols}
    book, sheet = _open(data, limits)
    try:
        headers, mapped = _headers(sheet, cols, limits)
        width = len(headers)
        total = max((sheet.max_row or 1) - 1, 0)
        sheet.reset_dimensions()  # read what is there, not what the file declares
        result = ImportResult(headers=headers)
        row_no = 1
        for cells in sheet.iter_rows(min_row=2, max_col=width):
            row_no += 1
            if row_no - 1 > limits.max_rows:
                raise ExcelRefused(f"数据超过单次导入上限{limits.max_rows}行，请分批导入")
            raw = tuple(cell.value for cell in cells)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
                continue
            cstruct: dict[str, str] = {}
            for cell, column in zip(cells, mapped):
                if column is None:
                    continue
                if cell.data_type == "f":
                    raise ExcelRefused(f"{_where(row_no, column)}是公式，请复制后“选择性粘贴为数值”再导入")
                cstruct[column.name] = _text(cell.value, row_no, column)
            for column in cols:
                cstruct.setdefault(column.name, "")
            try:
                schema.deserialize(cstruct)
            except colander.Invalid as error:
                result.errors.append(RowError(row_no, raw, _reason(error, titles)))
            else:
                result.good.append(cstruct)
                result.good_rows.append(row_no)
            if progress is not None and (row_no - 1) % 1000 == 0:
                progress(row_no - 1, total)
        if not result.total:
            raise ExcelRefused("文件中没有数据：请从第二行起每行填写一条记录")
        return result
    finally:
        book.close()
