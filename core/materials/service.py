"""Attaching and deleting materials; what a submission still lacks; the e-archive numbers.

An item's material slots are the types it names (``BusinessItem.materials``), each
required when its :class:`core.contract.MaterialType` says so. An item naming none gets
core's defaults for it (:data:`DEFAULT_MATERIALS`), all optional, so core items never
block a submission; a city makes materials required by pointing the item at required
types with ``opengjj_item_overrides``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.codes import ApplicationStatus as S
from core.contract import BusinessItem, MaterialType
from core.materials.checks import EXTENSIONS, check_content, max_bytes
from core.materials.storage import MaterialStorage, make_storage
from core.models import Application, Material
from core.money.errors import BusinessError
from core.passwords import CHINA

#: the type of the vouchers fixed (固化) among the materials; not uploadable
VOUCHER_TYPE = "voucher"
#: optional material slots of core items that name none (any other item: 其他)
DEFAULT_MATERIALS: dict[str, tuple[str, ...]] = {
    "open_accounts": ("id_card", "application_form", "other"),
    "seal": ("application_form", "other"),
    "unseal": ("id_card", "application_form", "other"),
    "person_change": ("id_card", "application_form", "other"),
    "unit_info_change": ("business_licence", "application_form", "authorisation", "other"),
    "bank_account": ("business_licence", "application_form", "other"),
    "bank_account_registration": ("business_licence", "application_form", "other"),
    "bank_account_change": ("business_licence", "application_form", "other"),
    "person_info_change": ("id_card", "application_form", "other"),
    "unit_deregistration": ("business_licence", "application_form", "authorisation", "other"),
    "operator_management": ("id_card", "authorisation", "other"),
    "ratio_reduction": ("application_form", "other"),
    "deferral": ("application_form", "other"),
}
EDITABLE = (S.DRAFT.value, S.RETURNED.value)


@dataclass(frozen=True)
class Slot:
    """One kind of material an item takes, and how many the application holds."""

    type: MaterialType
    required: bool

    @property
    def code(self) -> str:
        return self.type.code

    @property
    def title(self) -> str:
        return self.type.title

    @property
    def max_count(self) -> int | None:
        return self.type.max_count


def setting(runtime, key: str, default: str | None = None) -> str | None:
    """An app setting (the ini's ``[app:main]``), else the centre's own setting."""
    registry = getattr(runtime, "registry", None)
    settings: Mapping[str, Any] = getattr(registry, "settings", None) or {}
    value = settings.get(key)
    return value if value not in (None, "") else runtime.centre.setting(key, default)


def _settings(runtime) -> dict[str, str]:
    keys = ("opengjj.materials.path", "opengjj.materials.backend", "opengjj.materials.max_bytes")
    return {key: value for key in keys if (value := setting(runtime, key)) is not None}


def storage_for(runtime) -> MaterialStorage:
    return make_storage(runtime.centre, _settings(runtime))


def slots(item: BusinessItem, catalogue) -> list[Slot]:
    known = catalogue.material_types
    explicit = item.materials is not None
    codes = item.materials if explicit else DEFAULT_MATERIALS.get(item.code, ("other",))
    return [Slot(known[code], known[code].required and explicit) for code in codes
            if code in known and code != VOUCHER_TYPE]


def missing_required(item: BusinessItem, application: Application, catalogue) -> list[str]:
    """The titles of the required material types the application holds none of."""
    held = {m.material_type for m in application.materials}
    return [slot.title for slot in slots(item, catalogue) if slot.required and slot.code not in held]


def scan_serial(application: Application, today: date | None = None) -> str:
    """扫描流水号: the day the e-archive was opened and the application's number."""
    return f"SM{(today or _local_day(datetime.now(UTC))):%Y%m%d}{application.id:08d}"


def archive_no(application: Application) -> str:
    """档案编号: the day the application completed (its e-archive closed) and its number."""
    moment = application.completed_at or application.created_at
    day = _local_day(moment) if moment else date.today()
    return f"DA{day:%Y%m%d}{application.id:08d}"


def _local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date()


def _require_editable(application: Application, doing: str) -> None:
    if application.status not in EDITABLE:
        raise BusinessError(f"业务已提交，不能{doing}材料", field="materials")


def _safe_name(filename: str, content_type: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')[:150]
    return name or f"材料{EXTENSIONS[content_type]}"


def store_fixed(db: Session, storage: MaterialStorage, application: Application, material_type: str,
                filename: str, content_type: str, data: bytes) -> Material:
    """Keep ``data`` among the application's materials, fixed (固化): never deletable.
    Used for printed vouchers; no status check (a completed application's archive)."""
    return _keep(db, storage, application, material_type, filename, content_type, data, fixed=True)


def _keep(db: Session, storage: MaterialStorage, application: Application, material_type: str, filename: str,
          content_type: str, data: bytes, *, fixed: bool) -> Material:
    """Store the bytes by their hash and list them among the application's materials; the
    first material gives the application its scan serial (扫描流水号)."""
    material = Material(application_id=application.id, material_type=material_type, filename=filename,
                        content_type=content_type, size=len(data), sha256=storage.put(data), fixed=fixed)
    db.add(material)
    application.materials.append(material)
    if application.scan_serial is None:
        application.scan_serial = scan_serial(application)
    db.flush()
    return material


def attach(db: Session, runtime, item: BusinessItem, application: Application, material_type: str,
           filename: str, data: bytes) -> Material:
    """Check ``data`` by its content and attach it to a draft or returned application."""
    _require_editable(application, "上传")
    by_code = {slot.code: slot for slot in slots(item, runtime.catalogue)}
    slot = by_code.get(material_type)
    if slot is None:
        raise BusinessError("该业务不需要此类材料", field="material_type")
    held = sum(1 for m in application.materials if m.material_type == material_type)
    if slot.max_count is not None and held >= slot.max_count:
        raise BusinessError(f"{slot.title}最多上传{slot.max_count}份，请先删除已上传的文件", field="material_type")
    content_type = check_content(data, max_bytes(_settings(runtime)))
    return _keep(db, storage_for(runtime), application, material_type, _safe_name(filename, content_type),
                 content_type, data, fixed=False)


def delete(db: Session, application: Application, material_id: int) -> Material:
    """Remove a material from a draft or returned application (its bytes stay stored:
    other materials may share them). A fixed (固化) material is never deleted."""
    material = next((m for m in application.materials if m.id == material_id), None)
    if material is None:
        raise BusinessError("材料不存在", field="materials")
    if material.fixed:
        raise BusinessError("已固化的材料不能删除", field="materials")
    _require_editable(application, "删除")
    application.materials.remove(material)
    db.delete(material)
    db.flush()
    return material
