"""Voucher rendering (凭证): a one-page voucher and a 10,000-row list.

Renders straight through :func:`core.vouchers.render.render` (no database), in the
font a deployment would use (wqy-microhei when installed, else STSong-Light), and
prints the time, pages and size of each. BENCH_ROWS changes the list's length.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.vouchers.fonts import embedded, voucher_font
from core.vouchers.render import VoucherDocument, render

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
COLUMNS = [("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("base", "缴存基数"),
           ("amount", "月缴存额"), ("reason", "封存原因")]


def document(rows: int) -> VoucherDocument:
    lines = [{"account_no": f"9900{n:08d}", "name": ["张伟", "王芳", "李娜", "欧阳晓明"][n % 4],
              "id_no": f"110101********{n % 10000:04d}", "base": f"{6000 + n % 900:,.2f}",
              "amount": f"{(6000 + n % 900) * 0.24:,.2f}", "reason": "离职"} for n in range(rows)]
    total = sum(Decimal(line["amount"].replace(",", "")) for line in lines)
    return VoucherDocument(
        title="个人账户封存清册", centre_title="测试市住房公积金管理中心", code="BENCH23456",
        verify_url="https://gjj.example.cn/v/BENCH23456",
        header=[("单位账号", "990000000001"), ("单位名称", "测试市城建投资有限公司"), ("业务编号", "1"),
                ("封存人数", str(rows))],
        columns=COLUMNS, rows=lines, totals={"amount": f"{total:,.2f}"}, amount=total,
        remarks="封存期间停止缴存，账户余额继续计息。")


def measure(label: str, rows: int, font: str) -> None:
    doc = document(rows)
    started = time.perf_counter()
    pdf = render(doc, font)
    elapsed = time.perf_counter() - started
    pages = pdf.count(b"/Type /Page\n")
    print(f"{label:<22} rows={rows:>6}  pages={pages:>4}  {elapsed:7.3f}s  {len(pdf) / 1024:8.0f} KB"
          + (f"  {rows / elapsed:,.0f} rows/s" if rows > 100 else ""))


def main() -> None:
    font = voucher_font()
    print(f"font: {font} ({'embedded TrueType' if embedded(font) else 'CID, not embedded'})")
    measure("one-page voucher", 5, font)  # first call also loads the font
    measure("one-page voucher", 5, font)
    measure("list", ROWS, font)


if __name__ == "__main__":
    main()
