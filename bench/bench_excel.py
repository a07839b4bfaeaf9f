"""Batch Excel timings: template, export, and read + validate of 10,000 and 50,000
清册 rows (open accounts: name, ID type, ID number with its check digit, phone, base).

    .venv/bin/python bench/bench_excel.py [rows ...]

No database: the row schema is bound without a unit (the department list is empty),
which is what the reading and validating cost is about.
"""
from __future__ import annotations

import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from stdnum.cn import ric

from core import excel
from core.items.persons import OpenAccountRow
from core.workflow.forms import bind


def id_no(n: int) -> str:
    body = f"1101011990{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def rows(count: int) -> list[dict]:
    return [{"name": f"职工{n}", "id_type": "01", "id_no": id_no(n), "phone": "13912345678",
             "base": f"{5000 + n % 3000}.00", "department": ""} for n in range(count)]


def filled(count: int, bad_every: int = 50) -> bytes:
    """A workbook as an operator would fill it, one row in ``bad_every`` wrong."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("清册")
    ws.append(["姓名", "证件类型", "证件号码", "手机号码", "缴存基数", "部门"])
    for n, row in enumerate(rows(count)):
        number = row["id_no"] if n % bad_every else row["id_no"][:-1] + "0" if row["id_no"][-1] != "0" else "1"
        ws.append([row["name"], "身份证", number, row["phone"], 5000 + n % 3000, None])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s")
    return value


def main(sizes: list[int]) -> None:
    schema = bind(OpenAccountRow)
    timed("template", lambda: excel.template(schema))
    for size in sizes:
        data = filled(size)
        print(f"--- {size:,} rows, {len(data) / 1024:,.0f} KiB")
        result = timed(f"read + validate {size:,} rows (openpyxl read-only)", lambda data=data, size=size: excel.read(
            data, schema, excel.Limits(max_rows=max(size, 100_000))))
        print(f"{'':<44} good {len(result.good):,}, errors {len(result.errors):,}")
        timed(f"error file ({len(result.errors):,} rows)", lambda result=result: excel.error_file(result, schema))
        timed(f"export {size:,} rows", lambda result=result: excel.export(schema, result.good))
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            continue
        timed(f"calamine: values only of {size:,} rows", lambda data=data: CalamineWorkbook.from_filelike(
            BytesIO(data)).get_sheet_by_index(0).to_python())


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000])
