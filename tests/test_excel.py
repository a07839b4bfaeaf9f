"""core.excel on real files built with openpyxl: the template, export, the error file,
and every kind of bad file refused with a clear message."""
from __future__ import annotations

import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from core import excel
from core.excel import ExcelRefused, Limits
from core.items.deposits import SupplementRow
from core.items.persons import OpenAccountRow
from core.workflow.forms import bind

HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "缴存基数", "部门"]


def id_no(body: str = "11010119900307123") -> str:
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def schema():
    return bind(OpenAccountRow, db=None, unit=None, centre=None)


def workbook(rows, headers=HEADERS, text_columns=(2,)) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for r in ws.iter_rows(min_row=2):
        for index in text_columns:
            if index < len(r):
                r[index].number_format = "@"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sheet(data: bytes, index: int = 0):
    return load_workbook(BytesIO(data)).worksheets[index]


# --- template and export ----------------------------------------------------------------

def test_template_has_red_required_headers_dropdowns_text_columns_and_a_guide(schema):
    book = load_workbook(BytesIO(excel.template(schema)))
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS
    red = {c.value for c in ws[1] if c.font.color is not None and c.font.color.rgb == "FFFF0000"}
    assert red == {"姓名", "证件号码", "缴存基数"}  # the required columns
    validations = ws.data_validations.dataValidation
    assert any(v.type == "list" and "B2" in str(v.sqref) for v in validations)  # 证件类型
    options = book["选项"]
    assert options.sheet_state == "hidden" and options["A1"].value == "身份证"
    assert ws.column_dimensions["C"].number_format == "@"  # 证件号码 as text
    assert ws.column_dimensions["E"].number_format != "@"  # 缴存基数 is a number
    assert book.sheetnames[1] == "填写说明"
    guide = [[c.value for c in row] for row in book["填写说明"].iter_rows(min_row=2, max_row=7)]
    assert guide[0][:2] == ["姓名", "必填（表头红色）"] and guide[3][1] == "选填"


def test_month_and_account_columns_are_text():
    ws = sheet(excel.template(bind(SupplementRow)))
    assert [c.value for c in ws[1]] == ["个人账号", "补缴年月", "补缴金额"]
    assert ws.column_dimensions["A"].number_format == "@" and ws.column_dimensions["B"].number_format == "@"


def test_export_neutralises_formula_like_cells_and_imports_back(schema):
    rows = [{"name": "=HYPERLINK(\"http://x\")", "id_type": "01", "id_no": id_no(), "phone": "", "base": "6000.00"},
            {"name": "+1", "id_type": "01", "id_no": "@x", "phone": "-2", "base": "5000"}]
    data = excel.export(schema, rows)
    ws = sheet(data)
    assert ws["A2"].value == "'=HYPERLINK(\"http://x\")" and ws["A2"].data_type == "s"
    assert (ws["A3"].value, ws["C3"].value, ws["D3"].value) == ("'+1", "'@x", "'-2")
    assert ws["B2"].value == "身份证" and ws["E2"].value == 6000
    back = excel.read(data, schema)
    assert back.good[0]["name"] == "=HYPERLINK(\"http://x\")" and back.good[0]["id_type"] == "01"
    assert back.good[0]["id_no"] == id_no()


def test_neutralise():
    assert [excel.neutralise(v) for v in ("=1", "+1", "-1", "@a", "a=1", 5)] == ["'=1", "'+1", "'-1", "'@a", "a=1", 5]


# --- reading -------------------------------------------------------------------------------

def test_good_and_bad_rows_and_the_error_file(schema):
    data = workbook([["赵一", "身份证", id_no(), None, 6000, None],
                     ["钱二", "身份证", "110101199003071234", None, "6000", None],  # wrong check digit
                     [None, None, None, None, None, None],  # blank rows are skipped
                     ["孙三", "护照", "E12345678", "13912345678", "abc", None],
                     ["李四", "驾照", "X1", None, 6000, None],
                     [None, "身份证", id_no("11010119920516124"), None, 7000.5, None]])
    result = excel.read(data, schema)
    assert [r["name"] for r in result.good] == ["赵一"] and result.good[0]["base"] == "6000"
    assert result.good_rows == [2]
    reasons = {e.row_no: e.reason for e in result.errors}
    assert reasons[3] == "证件号码校验位错误"
    assert reasons[5] == "缴存基数须为数字"
    assert "请选择证件类型" in reasons[6]
    assert reasons[7] == "姓名不能为空"
    errors = sheet(excel.error_file(result, schema))
    lines = [[c.value for c in row] for row in errors.iter_rows()]
    assert lines[0] == ["行号"] + HEADERS + ["错误原因"]
    assert lines[1][:4] == [3, "钱二", "身份证", "110101199003071234"] and lines[1][-1] == "证件号码校验位错误"
    assert errors["H1"].font.color.rgb == "FFFF0000"
    # the error file, corrected, imports back as it is (行号 and 错误原因 are ignored)
    book = load_workbook(BytesIO(excel.error_file(result, schema)))
    book.worksheets[0]["D2"] = id_no("11010119850101123")
    out = BytesIO()
    book.save(out)
    again = excel.read(out.getvalue(), schema)
    assert [r["name"] for r in again.good] == ["钱二"] and len(again.errors) == 3


def test_codes_or_labels_and_optional_columns_may_be_left_out(schema):
    data = workbook([["周五", "01", id_no(), 6000], ["吴六", None, id_no("11010119920516124"), "6000.5"]],
                    headers=["姓名", "证件类型", "证件号码", "缴存基数"])
    result = excel.read(data, schema)
    assert [r["id_type"] for r in result.good] == ["01", ""] and not result.errors
    assert result.good[1]["base"] == "6000.5"


def test_progress_is_reported(schema):
    data = workbook([["赵一", "身份证", id_no(), None, 6000, None]] * 2500)
    seen = []
    excel.read(data, schema, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1000, 2500), (2000, 2500)]


# --- bad files: refused, with the reason ------------------------------------------------------

def refused(data: bytes, schema, limits: Limits | None = None) -> str:
    limits = limits or Limits()
    with pytest.raises(ExcelRefused) as caught:
        excel.read(data, schema, limits)
    with pytest.raises(ExcelRefused):  # found before any row is read
        excel.inspect(data, schema, limits)
    return caught.value.message


def test_not_an_xlsx(schema):
    assert "不是 Excel" in refused(b"name,id\n1,2\n", schema)
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "不是 Excel" in refused(archive.getvalue(), schema)
    assert "空的" in refused(b"", schema)


def test_encrypted_and_legacy_files(schema):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    encrypted = ole + "EncryptedInfo".encode("utf-16-le") + b"\0" * 10 + "EncryptedPackage".encode("utf-16-le")
    assert "密码" in refused(encrypted, schema)
    assert ".xls" in refused(ole + b"Workbook", schema)


def test_a_damaged_xlsx(schema):
    data = bytearray(workbook([["赵一", "身份证", id_no(), None, 6000, None]]))
    archive = BytesIO()
    with zipfile.ZipFile(BytesIO(bytes(data))) as source, zipfile.ZipFile(archive, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, b"<broken" if info.filename == "xl/workbook.xml" else body)
    assert "损坏" in refused(archive.getvalue(), schema)


def test_empty_sheet_and_header_only(schema):
    book = Workbook()
    out = BytesIO()
    book.save(out)
    assert "工作表是空的" in refused(out.getvalue(), schema)
    with pytest.raises(ExcelRefused, match="没有数据"):
        excel.read(workbook([]), schema)


def test_wrong_or_missing_headers(schema):
    assert "缺少必填列“证件号码、缴存基数”" in refused(workbook([["赵一"]], headers=["姓名"]), schema)
    assert "“工资”不是模板中的列" in refused(workbook([["赵一"]], headers=HEADERS + ["工资"]), schema)
    assert "重复" in refused(workbook([["赵一"]], headers=HEADERS + ["姓名"]), schema)


def patched(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with its sheet's <dimension ref="old"/> declaring ``new``."""
    archive = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                declared = b'<dimension ref="' + old + b'"'
                assert declared in body
                body = body.replace(declared, b'<dimension ref="' + new + b'"')
            target.writestr(info, body)
    return archive.getvalue()


def test_a_sheet_claiming_a_million_rows_or_columns_is_refused_before_reading(schema):
    data = workbook([["赵一", "身份证", id_no(), None, 6000, None]])
    rows = patched(data, b"A1:F2", b"A1:F1048576")
    assert "1048576行" in refused(rows, schema)
    columns = patched(data, b"A1:F2", b"A1:XFD2")
    assert "16384列" in refused(columns, schema)
    assert "上限2行" in refused(workbook([["赵一", "身份证", id_no(), None, 6000, None]] * 3), schema,
                               Limits(max_rows=2))


def test_more_rows_than_declared_are_still_counted(schema):
    data = workbook([["赵一", "身份证", id_no(), None, 6000, None]] * 5)
    lying = patched(data, b"A1:F6", b"A1:F2")
    with pytest.raises(ExcelRefused, match="上限3行"):
        excel.read(lying, schema, Limits(max_rows=3))


def test_formulas_are_refused(schema):
    data = workbook([["赵一", "身份证", id_no(), None, "=3000*2", None]])
    with pytest.raises(ExcelRefused, match="第2行“缴存基数”是公式"):
        excel.read(data, schema)


def test_dates_typed_as_text_and_text_typed_as_dates(schema):
    month_as_date = workbook([["1001", datetime(2026, 7, 1), 100]], headers=["个人账号", "补缴年月", "补缴金额"])
    with pytest.raises(ExcelRefused, match="第2行“补缴年月”被 Excel 识别成了日期"):
        excel.read(month_as_date, bind(SupplementRow))
    id_as_number = workbook([["赵一", "身份证", 110101199003071234, None, 6000, None]], text_columns=())
    with pytest.raises(ExcelRefused, match="已丢失末尾数字"):
        excel.read(id_as_number, schema)

    import colander

    class Dated(colander.Schema):
        name = colander.SchemaNode(colander.String(), title="姓名")
        day = colander.SchemaNode(colander.Date(), title="入职日期")

    dated = bind(Dated)
    with pytest.raises(ExcelRefused, match="第2行“入职日期”是文本"):
        excel.read(workbook([["赵一", "2026-07-01"]], headers=["姓名", "入职日期"]), dated)
    good = excel.read(workbook([["赵一", date(2026, 7, 1)]], headers=["姓名", "入职日期"], text_columns=()), dated)
    assert good.good == [{"name": "赵一", "day": "2026-07-01"}]


def test_settings_make_limits():
    limits = Limits.from_settings({"excel.max_rows": "10", "excel.max_columns": "x"}.get)
    assert limits.max_rows == 10 and limits.max_columns == Limits().max_columns


# --- a read-only list (an item's export) ---------------------------------------------------

def test_listing_writes_money_as_two_decimal_numbers_and_text_as_text():
    from decimal import Decimal

    data = excel.listing("缴存人汇缴明细清册", (("account_no", "个人账号"), ("name", "姓名"), ("amount", "月缴存额")),
                         [{"account_no": "00012", "name": "=HYPERLINK(\"x\")", "amount": Decimal("1234.50")},
                          {"account_no": "00013", "name": "李四", "amount": None}])
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["缴存人汇缴明细清册"]
    ws = book.active
    assert [c.value for c in ws[1]] == ["个人账号", "姓名", "月缴存额"] and ws[1][0].font.bold
    assert [c.value for c in ws[2]] == ["00012", "'=HYPERLINK(\"x\")", 1234.5]  # leading zeros kept, no formula
    assert ws[2][0].number_format == "@" and ws[2][2].number_format == "#,##0.00"
    assert [c.value for c in ws[3]] == ["00013", "李四", None]
    assert ws.freeze_panes == "A2"
    odd = load_workbook(BytesIO(excel.listing("a/b:c" + "长" * 40, (("x", "X"),), [])))
    assert odd.sheetnames == [("a_b_c" + "长" * 40)[:31]]  # a sheet's title has rules of its own
