"""The job that renders a long voucher (a 清册 over the job threshold) after the commit."""
from __future__ import annotations

from core.models.vouchers import Voucher
from core.vouchers.service import fix


def render(ctx, voucher_id: int, verify_url: str) -> dict:
    voucher = ctx.db.get(Voucher, voucher_id)
    if voucher is None or voucher.status in ("fixed", "superseded"):  # safe to run twice; superseded: moot
        return {"voucher": voucher_id, "status": getattr(voucher, "status", "missing")}
    ctx.progress(10, f"正在生成{voucher.title}（{voucher.row_count} 行）")
    try:
        with ctx.db.begin_nested():
            fix(ctx.runtime, ctx.db, voucher, verify_url)
    except Exception as error:  # noqa: BLE001 - kept on the voucher, shown in the hall
        voucher.status, voucher.error = "failed", f"{type(error).__name__}: {error}"[:500]
        return {"voucher": voucher_id, "status": "failed"}
    return {"voucher": voucher_id, "status": "fixed", "sha256": voucher.sha256}
