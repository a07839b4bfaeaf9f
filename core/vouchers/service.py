"""Printing a voucher: render it, fix it (固化) among the application's materials, and
verify it later by its short code.

When a voucher may be printed is the centre setting ``vouchers.print_from``:
``completed`` (default: once the application is completed) or ``draft`` (also while it
is a draft or returned, as the Jincheng hall prints and fixes before submitting).

Each print records a digest of what it says (``content_sha256``). Printing a layout again
returns the voucher already fixed when the content is the same; when the content changed
(the draft was edited, or the completed application now shows its result) the old print
is marked ``superseded`` (its material stays in the archive, no longer current) and a new
one is fixed. :func:`refuse_stale_prints` stops a submission whose current print no
longer matches the application.

A list longer than the centre's ``vouchers.job_threshold`` rows (default 2000) is
rendered by a job after the commit; the voucher waits as ``pending`` until then.
"""
from __future__ import annotations

import hashlib
import json
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
from core.vouchers import standard
from core.vouchers.fonts import voucher_font
from core.vouchers.render import VoucherDocument, render

#: the layout of items that name none, and core's own choices for a few items
RECEIPT = "application_receipt"
DEFAULT_VOUCHERS: dict[str, tuple[str, ...]] = {
    "unit_info_change": ("unit_info_change_voucher",),
    "unit_ratio_adjustment": ("ratio_adjustment_voucher",),
    "open_accounts": ("account_opening_form",),
    "seal": ("seal_register",),
    "unseal": ("unseal_register",),
    "base_adjustment": ("base_adjustment_register",),
    "remittance": ("remittance_slip", "remittance_register", "remittance_change_register"),
    "supplement": ("supplement_voucher", "supplement_register"),
    "over_age_registration": ("over_age_voucher",),
    "internal_transfer": ("internal_transfer_register",),
    "mispayment_adjustment": ("mispayment_voucher",),
    "person_change": ("person_change_voucher",),
    "person_info_change": ("person_change_voucher",),
}
DEFAULT_JOB_THRESHOLD = 2000
PRINT_FROM = ("completed", "draft")
#: values that change with the application's life, not with what it asks: left out of the digest
LIFECYCLE = frozenset({"status", "submitted_at", "completed_at", "scan_serial", "archive_no"})
CURRENT = ("pending", "fixed")
STALE = "凭证打印后业务内容已修改，请重新打印后再提交"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 10


def layouts_for(item: BusinessItem, catalogue) -> list[VoucherLayout]:
    """The item's layouts: its own (``()``: none), else core's choice for it, else the receipt."""
    known = catalogue.voucher_layouts
    if item.vouchers is not None:
        return [known[code] for code in item.vouchers if code in known]
    codes = DEFAULT_VOUCHERS.get(item.code, ()) or (RECEIPT,)
    found = [known[code] for code in codes if code in known]
    return found or ([known[RECEIPT]] if RECEIPT in known else [])


def print_from(runtime) -> str:
    """The centre's ``vouchers.print_from``: "completed" (default) or "draft"."""
    value = (setting(runtime, "vouchers.print_from") or "completed").strip()
    if value not in PRINT_FROM:
        raise ValueError(f"vouchers.print_from must be one of {PRINT_FROM}, not {value!r}")
    return value


def printable(runtime, application: Application) -> bool:
    """Whether the application's vouchers may be printed now, under the centre's setting."""
    if application.status == S.COMPLETED:
        return True
    return application.status in (S.DRAFT, S.RETURNED) and print_from(runtime) == "draft"


def not_printable_reason(runtime, application: Application) -> str:
    if print_from(runtime) == "draft" and application.status not in (S.DRAFT, S.RETURNED):
        return "业务审批中，办结后才能打印凭证"
    return "业务办结后才能打印凭证"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def job_threshold(runtime) -> int:
    value = setting(runtime, "vouchers.job_threshold")
    return int(value) if value else DEFAULT_JOB_THRESHOLD


@dataclass(frozen=True)
class Content:
    """What a voucher of an application says, before it is drawn."""

    values: dict
    header: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    rows: list[dict]
    totals: dict[str, str]
    amount: Decimal | None

    #: the header as printed, less the dates and numbers of the application's life
    business_header: list[tuple[str, str]]

    @property
    def digest(self) -> str:
        """SHA-256 of what the voucher says about the business (header, table, totals,
        amount), not of when it was submitted, completed or archived."""
        payload = {"header": self.business_header, "columns": self.columns, "rows": self.rows,
                   "totals": self.totals, "amount": D.shown(self.amount)}
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def content(runtime, db: Session, application: Application, layout: VoucherLayout) -> Content:
    item = runtime.catalogue.items.get(application.item_code)
    centre = runtime.centre
    with standard.for_centre(runtime):
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
    header = D.header(layout, item, values, db, application, centre)
    keyed = layout.header_fields or D.STANDARD_HEADER  # the first pairs of the header, in order
    business = [pair for n, pair in enumerate(header) if n >= len(keyed) or keyed[n][0] not in LIFECYCLE]
    return Content(values=values, header=header, columns=columns,
                   rows=[{key: D.shown(value) for key, value in row.items()} for row in rows],
                   totals={key: D.shown(total) for key, total in sums.items()}, amount=amount,
                   business_header=business)


def document(runtime, db: Session, application: Application, layout: VoucherLayout, code: str,
             verify_url: str, said: Content | None = None) -> VoucherDocument:
    said = said or content(runtime, db, application, layout)
    return VoucherDocument(
        title=layout.title, centre_title=runtime.catalogue.theme.title or runtime.centre.title, code=code,
        verify_url=verify_url, header=said.header, columns=said.columns, rows=said.rows, totals=said.totals,
        amount=said.amount, remarks=layout.remarks, seal=layout.seal, seal_title=layout.seal_title,
        printed_on=date.today())


def render_voucher(runtime, db: Session, voucher: Voucher, verify_url: str) -> bytes:
    application = db.get(Application, voucher.application_id)
    layout = runtime.catalogue.voucher_layouts[voucher.layout]
    said = content(runtime, db, application, layout)
    voucher.content_sha256 = said.digest  # what this very PDF says
    doc = document(runtime, db, application, layout, voucher.code, verify_url, said)
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


def current(db: Session, application: Application, layout_code: str) -> Voucher | None:
    """The latest print of a layout that is not superseded (pending, fixed or failed)."""
    return db.scalars(select(Voucher).where(Voucher.application_id == application.id, Voucher.layout == layout_code,
                                            Voucher.status != "superseded")
                      .order_by(Voucher.id.desc()).limit(1)).first()


def issue(runtime, db: Session, application: Application, layout_code: str, verify_url, *, tm=None) -> Voucher:
    """Print (render and fix) one voucher of an application.

    The same content prints once: printing again returns the voucher already fixed; a
    print whose content has changed since is superseded by a new one. ``verify_url(code)``
    gives the public verification address printed on it. A list longer than the job
    threshold is rendered by a job sent after ``tm`` commits.
    """
    item = runtime.catalogue.items.get(application.item_code)
    if item is None or layout_code not in {layout.code for layout in layouts_for(item, runtime.catalogue)}:
        raise BusinessError("该业务没有此凭证")
    layout = runtime.catalogue.voucher_layouts[layout_code]
    existing = current(db, application, layout_code)
    allowed = printable(runtime, application)
    if existing is not None and existing.status != "failed":
        if not allowed or existing.content_sha256 is None:
            return existing  # under review nothing can change; a print older than digests stands
        digest = content(runtime, db, application, layout).digest
        if existing.content_sha256 == digest:
            return existing
        existing.status = "superseded"
        existing = None
    if not allowed:
        raise BusinessError(not_printable_reason(runtime, application))
    rows = db.scalar(select(func.count()).select_from(ApplicationRow)
                     .where(ApplicationRow.application_id == application.id)) or 0
    voucher = existing or Voucher(application_id=application.id, layout=layout_code, title=layout.title,
                                  code=new_code(), status="pending")
    voucher.row_count, voucher.status, voucher.error = rows, "pending", None
    db.add(voucher)
    db.flush()
    url = verify_url(voucher.code)
    if rows > job_threshold(runtime) and tm is not None:
        voucher.content_sha256 = content(runtime, db, application, layout).digest
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


def refuse_stale_prints(runtime, db: Session, application: Application) -> None:
    """Before a submission: refuse it when a voucher printed from the draft no longer says
    what the application now asks (the unit must print it again)."""
    if application.status == S.COMPLETED:
        return
    layouts = runtime.catalogue.voucher_layouts
    for voucher in db.scalars(select(Voucher).where(Voucher.application_id == application.id,
                                                    Voucher.status.in_(CURRENT),
                                                    Voucher.content_sha256.is_not(None))):
        layout = layouts.get(voucher.layout)
        if layout is not None and content(runtime, db, application, layout).digest != voucher.content_sha256:
            raise BusinessError(STALE, field="vouchers")


@dataclass(frozen=True)
class Verification:
    voucher: Voucher
    application: Application
    unit: Unit | None
    stored_sha256: str | None  # the hash of the bytes now in storage
    genuine: bool  # fixed, and the stored bytes hash to what was recorded when it was fixed

    @property
    def superseded(self) -> bool:
        """Printed from a draft that changed afterwards: kept, but no longer current."""
        return self.voucher.status == "superseded"


def verify(runtime, db: Session, code: str) -> Verification | None:
    voucher = db.scalars(select(Voucher).where(Voucher.code == code.strip().upper())).one_or_none()
    if voucher is None:
        return None
    application = db.get(Application, voucher.application_id)
    unit = db.get(Unit, application.unit_id)
    stored = None
    material = db.get(Material, voucher.material_id) if voucher.material_id else None
    if voucher.status in ("fixed", "superseded") and material is not None:
        try:
            stored = sha256(storage_for(runtime).get(material.sha256))
        except KeyError:
            stored = None
    genuine = (stored is not None and material is not None and material.fixed
               and stored == voucher.sha256 == material.sha256)
    return Verification(voucher, application, unit, stored, genuine)


def vouchers_of(db: Session, application: Application) -> dict[str, Voucher]:
    """The current print of each layout (superseded prints left out)."""
    found = db.scalars(select(Voucher).where(Voucher.application_id == application.id,
                                             Voucher.status != "superseded").order_by(Voucher.id))
    return {v.layout: v for v in found}


def superseded_of(db: Session, application: Application) -> list[Voucher]:
    """The application's superseded prints (作废), oldest first, kept for the record."""
    return list(db.scalars(select(Voucher).where(Voucher.application_id == application.id,
                                                 Voucher.status == "superseded").order_by(Voucher.id)))
