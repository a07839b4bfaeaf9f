"""Core's material types (电子档案 kinds), and the archive number given at completion.

Types marked required here only bind an item that names them: core's items name none
(they get optional defaults, see :mod:`core.materials.service`), so a city makes, say,
营业执照 required for 单位登记信息变更 with ``opengjj_item_overrides`` returning
``{"materials": ("business_licence", "authorisation", "other")}``.
"""
from core.contract import MaterialType
from core.hookspecs import hookimpl

CORE_TYPES = (
    MaterialType("business_licence", "营业执照", required=True, max_count=1),
    MaterialType("id_card", "身份证", required=True),
    MaterialType("application_form", "申请表", required=True, max_count=1),
    MaterialType("authorisation", "授权委托书", required=False, max_count=1),
    MaterialType("other", "其他材料", required=False),
    MaterialType("voucher", "业务凭证（固化）", required=False),
)


@hookimpl(trylast=True)
def opengjj_material_types(centre):
    return list(CORE_TYPES)


@hookimpl(trylast=True)
def opengjj_notify(centre, db, notification):
    """档案编号: given when an application completes (its e-archive is closed)."""
    if notification.event != "application.completed" or notification.application_id is None:
        return
    from core.materials.service import archive_no
    from core.models import Application

    application = db.get(Application, notification.application_id)
    if application is not None and application.archive_no is None:
        application.archive_no = archive_no(application)
