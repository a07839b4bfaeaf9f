"""Code values of JGJ/T 320-2014 (住房公积金基础数据标准) that the schema stores.

Stored as the standard's two-character codes so exports and data exchange with other
systems need no translation; the Chinese labels are what the interface shows.
"""
from enum import StrEnum


class LabelledCode(StrEnum):
    label: str

    def __new__(cls, code: str, label: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class AccountState(LabelledCode):
    """个人账户状态."""

    NORMAL = "01", "正常"
    SEALED = "02", "封存"
    CLOSED_MERGED = "03", "合并销户"
    CLOSED_TRANSFERRED_OUT = "04", "外部转出销户"
    CLOSED_WITHDRAWN = "05", "提取销户"
    FROZEN = "06", "冻结"
    OTHER = "99", "其他"


class UnitState(LabelledCode):
    """单位账户状态."""

    NORMAL = "01", "正常"
    OPENING = "02", "开户"
    DEFERRED = "03", "缓缴"
    CLOSED = "04", "销户"
    SEALED = "05", "封存"
    OTHER = "99", "其他"


class IdType(LabelledCode):
    """证件类型."""

    ID_CARD = "01", "身份证"
    OFFICER = "02", "军官证"
    PASSPORT = "03", "护照"
    FOREIGN_PERMANENT_RESIDENT = "04", "外国人永久居留证"
    OTHER = "99", "其他"


class CollectionType(LabelledCode):
    """归集业务类型: what a ledger entry or change record was for."""

    REMITTANCE = "01", "汇缴"
    SUPPLEMENT = "02", "补缴"
    OPEN = "03", "开户"
    UNSEAL = "04", "启封"
    SEAL = "05", "封存"
    INTERNAL_TRANSFER = "06", "内部转移"
    TRANSFER_OUT = "07", "外部转出"
    TRANSFER_IN = "08", "外部转入"
    INTEREST = "09", "年终结息"
    BASE_ADJUSTMENT = "10", "基数调整"
    DEFERRAL = "13", "缓缴处理"
    FREEZE = "14", "冻结"
    UNFREEZE = "15", "解冻"
    OTHER = "99", "其他"


class ApplicationStatus(StrEnum):
    """Where an application stands; the application engine moves it."""

    DRAFT = "draft"            # 暂存
    SUBMITTED = "submitted"    # 已提交, waiting for the next step
    IN_PROGRESS = "in_progress"  # 办理中
    RETURNED = "returned"      # 退回
    EXCEPTION = "exception"    # 异常
    COMPLETED = "completed"    # 办结
    REVOKED = "revoked"        # 撤销
    ENDED = "ended"            # 结束流程
