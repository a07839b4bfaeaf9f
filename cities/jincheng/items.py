"""The sixteen task items of the Jincheng manual (seed 000), numbered as it numbers them
(1–15 and 17; it has no 16), each mapped to the core item that does the business.

One line per item says what Jincheng calls it, where its menu puts it, which 清册
buttons its page shows (x.2 / x.4 of the manual), whether it takes materials (x.3) and
prints a voucher (x.4), and how the counter handles it (x.6).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.contract import ApprovalChain, Step

UNIT = ("缴存单位业务关联方", "缴存单位")
UNIT_INFO = (*UNIT, "采集单位信息")
DEPOSITS = (*UNIT, "汇补缴")
PERSONS = (*UNIT, "汇补缴人员调整")
PERSON_SERVICE = ("缴存人业务关联方", "缴存人", "缴存人缴存服务")

EDIT_LIST = ("add", "import", "edit", "delete")  # 清册增加/导入/修改/删除
FULL_LIST = ("add", "import", "export", "edit", "delete", "detail")  # ... and 导出, 详情

#: x.6 审批: 审批通过 / 退回 / 撤销 / 异常处理; items 12–14 also show 办理中
REVIEW = ApprovalChain((Step("first_review", "柜员审批", ("approve", "return", "revoke", "exception")),))
REVIEW_IN_PROGRESS = ApprovalChain((Step("first_review", "柜员审批"),))
INSTANT = ApprovalChain()  # 发起即办结 / 不涉及


@dataclass(frozen=True)
class JinchengItem:
    number: int  # the manual's section
    code: str  # the core item
    title: str
    menu: tuple[str, ...]
    chain: ApprovalChain
    row_actions: tuple[str, ...] = ()
    materials: bool = True  # x.3 材料项
    vouchers: bool = True  # x.4 prints its voucher (core's layouts for the item)


ITEMS = (
    JinchengItem(1, "unit_info_change", "单位缴存登记信息变更", UNIT_INFO, REVIEW),
    JinchengItem(2, "bank_account_registration", "单位银行账户信息登记", UNIT_INFO, REVIEW, vouchers=False),
    JinchengItem(3, "bank_account_change", "单位银行账户信息变更", UNIT_INFO, REVIEW, vouchers=False),
    JinchengItem(4, "unit_ratio_adjustment", "缴存单位缴存比例调整", DEPOSITS, REVIEW),
    JinchengItem(5, "ratio_reduction", "缴存单位缴存比例降低/恢复申请", DEPOSITS, REVIEW, materials=False,
                 vouchers=False),
    JinchengItem(6, "open_accounts", "个人账户设立", PERSONS, INSTANT, EDIT_LIST),
    JinchengItem(7, "seal", "个人账户封存", PERSONS, REVIEW, EDIT_LIST),
    JinchengItem(8, "unseal", "个人账户启封", PERSONS, REVIEW, EDIT_LIST),
    JinchengItem(9, "base_adjustment", "缴存人基数调整", PERSONS, REVIEW, EDIT_LIST),
    JinchengItem(10, "deposit_certificate", "缴存单位缴存证明申请", DEPOSITS, INSTANT, vouchers=False),
    JinchengItem(11, "remittance", "缴存单位汇缴办理", DEPOSITS, INSTANT),
    JinchengItem(12, "supplement", "缴存单位补缴办理", DEPOSITS, REVIEW_IN_PROGRESS, FULL_LIST),
    JinchengItem(13, "over_age_registration", "缴存人超龄缴存登记", PERSONS, REVIEW_IN_PROGRESS, EDIT_LIST,
                 materials=False),
    JinchengItem(14, "internal_transfer", "同城转移", PERSONS, REVIEW_IN_PROGRESS, EDIT_LIST),
    JinchengItem(15, "mispayment_adjustment", "缴存人错缴调整申请", UNIT, REVIEW, FULL_LIST),
    JinchengItem(17, "person_info_change", "缴存人基本信息变更", PERSON_SERVICE, REVIEW),
)
BY_CODE = {item.code: item for item in ITEMS}


def overrides(code: str) -> dict | None:
    """The core item's fields as Jincheng has them (None for an item Jincheng lacks)."""
    item = BY_CODE.get(code)
    if item is None:
        return None
    changes: dict = {"title": item.title, "menu_path": item.menu, "order": item.number}
    if item.row_actions:
        changes["row_actions"] = item.row_actions
    if not item.materials:
        changes["materials"] = ()
    if not item.vouchers:
        changes["vouchers"] = ()
    return changes
