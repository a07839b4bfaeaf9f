"""Printing a voucher: render it, fix it (固化) among the application's materials, and
verify it later by its short code.

A voucher is printed once per application and layout: printing again returns the
voucher already fixed. A list longer than the centre's ``vouchers.job_threshold`` rows
(default 2000) is rendered by a job after the commit; the voucher waits as ``pending``
until then.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.codes import ApplicationStatus as S
from core.contract import BusinessItem, VoucherLayout
from core.materials.service import (
    VOUCHER_TYPE,
    scan_serial,
    setting,
    storage_for,
    store_fixed,
)
from core.materials.storage import sha256
from core.models import Application, ApplicationRow, Material, Unit
from core.models.vouchers import Voucher
from core.money.errors import BusinessError
from core.vouchers import data as D
from core.vouchers.fonts import voucher_font
from core.vouchers.render import VoucherDocument, render

#: the layout of items that name none, and core's own choices for a few items
RECEIPT = "application_receipt"
DEFAULT_VOUCHERS: dict[str, tuple[str, ...]] = {"remittance": ("remittance_slip",), "seal": ("seal_register",)}
DEFAULT_JOB_THRESHOLD = 2000
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 10


def layouts_for(item: BusinessItem, catalogue) -> list[VoucherLayout]:
    known = catalogue.voucher_layouts
    codes = item.vouchers or DEFAULT_VOUCHERS.get(item.code, ()) or (RECEIPT,)
    found = [known[code] for code in codes if code in known]
    return found or ([known[RECEIPT]] if RECEIPT in known else [])


def printable(application: Application) -> bool:
    return application.status == S.COMPLETED


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def job_threshold(runtime) -> int:
    value = setting(runtime, "vouchers.job_threshold")
    return int(value) if value else DEFAULT_JOB_THRESHOLD


def document(runtime, db: Session, application: Application, layout: VoucherLayout, code: str,
             verify_url: str) -> VoucherDocument:
    item = runtime.catalogue.items.get(application.item_code)
    centre = runtime.centre
    values = D.standard_values(db, application, item, centre)
    if layout.values is not None:
        values.update(layout.values(db, application) or {})
    if layout.rows is not None or layout.table_columns:
        columns = list(layout.table_columns)
        rows = layout.rows(db, application) if layout.rows is not None else D.item_rows(db, application, item, centre)[1]
    else:
        columns, rows = D.item_rows(db, application, item, centre)
        columns = list(columns) if application.rows else []
    rows = list(rows)
    sums = {key: sum((D.as_decimal(row.get(key)) for row in rows), Decimal(0)) for key in layout.totals}
    amount = None
    if layout.amount:
        amount = sums[layout.amount] if layout.amount in sums else D.as_decimal(values.get(layout.amount))
    return VoucherDocument(
        title=layout.title, centre_title=runtime.catalogue.theme.title or centre.title, code=code,
        verify_url=verify_url, header=D.header(layout, item, values, db, application, centre), columns=columns,
        rows=[{key: D.shown(value) for key, value in row.items()} for row in rows],
        totals={key: D.shown(total) for key, total in sums.items()}, amount=amount, remarks=layout.remarks,
        seal=layout.seal, seal_title=layout.seal_title, printed_on=date.today())


def render_voucher(runtime, db: Session, voucher: Voucher, verify_url: str) -> bytes:
    application = db.get(Application, voucher.application_id)
    layout = runtime.catalogue.voucher_layouts[voucher.layout]
    doc = document(runtime, db, application, layout, voucher.code, verify_url)
    return render(doc, voucher_font(setting(runtime, "opengjj.vouchers.font")))


def fix(runtime, db: Session, voucher: Voucher, verify_url: str) -> Voucher:
    """Render the voucher and keep the PDF as a fixed material (固化) with its hash."""
    application = db.get(Application, voucher.application_id)
    if application.scan_serial is None:  # the voucher opens the e-archive: print its number on it
        application.scan_serial = scan_serial(application)
    pdf = render_voucher(runtime, db, voucher, verify_url)
    material = store_fixed(db, storage_for(runtime), application, VOUCHER_TYPE,
                           f"{voucher.title}-{application.id}.pdf", "application/pdf", pdf)
    voucher.material_id, voucher.sha256 = material.id, material.sha256
    voucher.status, voucher.error = "fixed", None
    voucher.fixed_at = datetime.now(UTC)
    db.flush()
    return voucher


def issue(runtime, db: Session, application: Application, layout_code: str, verify_url, *, tm=None) -> Voucher:
    """Print (render and fix) one voucher of a completed application, once.

    ``verify_url(code)`` gives the public verification address printed on it. A list
    longer than the job threshold is rendered by a job sent after ``tm`` commits.
    """
    item = runtime.catalogue.items.get(application.item_code)
    if item is None or layout_code not in {layout.code for layout in layouts_for(item, runtime.catalogue)}:
        raise BusinessError("该业务没有此凭证")
    existing = db.scalars(select(Voucher).where(Voucher.application_id == application.id,
                                                Voucher.layout == layout_code)).one_or_none()
    if existing is not None and existing.status != "failed":
        return existing
    if not printable(application):
        raise BusinessError("业务办结后才能打印凭证")
    layout = runtime.catalogue.voucher_layouts[layout_code]
    rows = db.scalar(select(func.count()).select_from(ApplicationRow)
                     .where(ApplicationRow.application_id == application.id)) or 0
    voucher = existing or Voucher(application_id=application.id, layout=layout_code, title=layout.title,
                                  code=new_code(), status="pending")
    voucher.row_count, voucher.status, voucher.error = rows, "pending", None
    db.add(voucher)
    db.flush()
    url = verify_url(voucher.code)
    if rows > job_threshold(runtime) and tm is not None:
        voucher.job_id = runtime.jobs.enqueue("core.vouchers.jobs.render", voucher.id, url, tm=tm,
                                              description=f"{layout.title} #{application.id}")
        return voucher
    return fix(runtime, db, voucher, url)


def issue_all(runtime, db: Session, application: Application, verify_url, *, tm=None) -> list[Voucher]:
    item = runtime.catalogue.items.get(application.item_code)
    if item is None:
        return []
    return [issue(runtime, db, application, layout.code, verify_url, tm=tm)
            for layout in layouts_for(item, runtime.catalogue)]


@dataclass(frozen=True)
class Verification:
    voucher: Voucher
    application: Application
    unit: Unit | None
    stored_sha256: str | None  # the hash of the bytes now in storage
    genuine: bool  # fixed, and the stored bytes hash to what was recorded when it was fixed


def verify(runtime, db: Session, code: str) -> Verification | None:
    voucher = db.scalars(select(Voucher).where(Voucher.code == code.strip().upper())).one_or_none()
    if voucher is None:
        return None
    application = db.get(Application, voucher.application_id)
    unit = db.get(Unit, application.unit_id)
    stored = None
    material = db.get(Material, voucher.material_id) if voucher.material_id else None
    if voucher.status == "fixed" and material is not None:
        try:
            stored = sha256(storage_for(runtime).get(material.sha256))
        except KeyError:
            stored = None
    genuine = (stored is not None and material is not None and material.fixed
               and stored == voucher.sha256 == material.sha256)
    return Verification(voucher, application, unit, stored, genuine)


def vouchers_of(db: Session, application: Application) -> dict[str, Voucher]:
    return {v.layout: v for v in db.scalars(select(Voucher).where(Voucher.application_id == application.id))}
