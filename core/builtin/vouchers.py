"""Core's voucher layouts: the generic receipt (业务办理凭证) of every item without its
own, and the standard vouchers and lists the manuals name for core's items (住房公积金
汇缴书, 个人账户封存清册, 单位缴存登记信息变更凭证, ...; which item prints which is
:data:`core.vouchers.service.DEFAULT_VOUCHERS`). Their data: :mod:`core.vouchers.data`
and :mod:`core.vouchers.standard`."""
from core.contract import VoucherLayout
from core.hookspecs import hookimpl
from core.vouchers import data
from core.vouchers import standard as std

UNIT = (("unit_no", "单位账号"), ("unit_name", "单位名称"), ("application_id", "业务编号"))
DATES = (("submitted_at", "申请时间"), ("completed_at", "办结时间"), ("scan_serial", "扫描流水号"),
         ("archive_no", "档案编号"))
ARCHIVED = "本凭证由住房公积金网上服务大厅生成并固化存档，可扫描二维码或访问校验网址核验真伪。"

RECEIPT = VoucherLayout(
    code="application_receipt", title="业务办理凭证",
    remarks="本凭证由住房公积金网上服务大厅生成并固化存档，可扫描二维码或访问校验网址核验真伪。")

REMITTANCE_SLIP = VoucherLayout(
    code="remittance_slip", title="住房公积金汇缴书",
    header_fields=(("unit_no", "单位账号"), ("unit_name", "单位名称"), ("batch_no", "核定批次号"),
                   ("months", "汇缴年月"), ("headcount", "缴存人数"), ("application_id", "业务编号"),
                   ("completed_at", "核定时间"), ("archive_no", "档案编号")),
    table_columns=(("month", "汇缴年月"), ("headcount", "人数"), ("unit_amount", "单位缴存额"),
                   ("personal_amount", "个人缴存额"), ("amount", "汇缴金额"), ("status", "状态")),
    totals=("unit_amount", "personal_amount", "amount"), amount="amount",
    rows=data.remittance_rows, values=data.remittance_values,
    remarks="请按核定金额足额缴款，缴款时注明单位账号和核定批次号；多缴、少缴的款项转入暂收户待处理。")

SEAL_LIST = VoucherLayout(
    code="seal_register", title="个人账户封存清册",
    header_fields=(("unit_no", "单位账号"), ("unit_name", "单位名称"), ("application_id", "业务编号"),
                   ("count", "封存人数"), ("submitted_at", "申请时间"), ("completed_at", "办结时间"),
                   ("scan_serial", "扫描流水号"), ("archive_no", "档案编号")),
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("reason", "封存原因")),
    rows=data.seal_rows, values=data.seal_values,
    remarks="封存期间停止缴存，账户余额继续计息；职工重新就业后办理启封或转移。")

UNIT_INFO_CHANGE = VoucherLayout(
    code="unit_info_change_voucher", title="单位缴存登记信息变更凭证",
    header_fields=UNIT + (("count", "变更项目数"),) + DATES,
    table_columns=(("label", "变更项目"), ("before", "变更前"), ("after", "变更后")),
    rows=std.unit_change_rows, values=std.count, remarks=ARCHIVED)

RATIO_ADJUSTMENT = VoucherLayout(
    code="ratio_adjustment_voucher", title="缴存比例调整凭证",
    header_fields=UNIT + (("effective_month", "生效年月"), ("old_unit_ratio", "调整前单位缴存比例"),
                          ("new_unit_ratio", "调整后单位缴存比例"), ("old_personal_ratio", "调整前个人缴存比例"),
                          ("new_personal_ratio", "调整后个人缴存比例")) + DATES,
    rows=std.no_table, values=std.ratio_values,
    remarks="自生效年月起，单位全部正常缴存人按调整后的比例计算月缴存额。")

ACCOUNT_OPENING = VoucherLayout(
    code="account_opening_form", title="住房公积金个人账户设立登记表",
    header_fields=UNIT + (("count", "设立人数"), ("unit_ratio", "单位缴存比例"), ("personal_ratio", "个人缴存比例"))
    + DATES,
    table_columns=(("name", "姓名"), ("id_no", "证件号码"), ("base", "缴存基数"), ("monthly_amount", "月缴存额"),
                   ("account_no", "个人账号")),
    totals=("monthly_amount",), rows=std.opening_rows, values=std.opening_values,
    remarks="个人账号在业务办结后生成；月缴存额按缴存基数和单位、个人缴存比例计算。")

UNSEAL_LIST = VoucherLayout(
    code="unseal_register", title="缴存人账户启封清册",
    header_fields=UNIT + (("count", "启封人数"),) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("base", "缴存基数"),
                   ("monthly_amount", "月缴存额")),
    totals=("monthly_amount",), rows=std.unseal_rows, values=std.count,
    remarks="启封后按缴存基数恢复缴存。")

BASE_ADJUSTMENT_LIST = VoucherLayout(
    code="base_adjustment_register", title="缴存人基数调整清册",
    header_fields=UNIT + (("count", "调整人数"),) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("old_base", "原缴存基数"), ("new_base", "新缴存基数"),
                   ("old_amount", "原月缴存额"), ("new_amount", "新月缴存额")),
    totals=("old_amount", "new_amount"), rows=std.base_rows, values=std.count,
    remarks="月缴存额按新缴存基数和现行缴存比例计算。")

REMITTANCE_LIST = VoucherLayout(
    code="remittance_register", title="缴存单位汇缴办理清册",
    header_fields=UNIT + (("batch_no", "核定批次号"), ("months", "汇缴年月"), ("headcount", "缴存人数")) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("base", "缴存基数"), ("unit_amount", "单位月缴存额"),
                   ("personal_amount", "个人月缴存额"), ("amount", "合计")),
    totals=("unit_amount", "personal_amount", "amount"), rows=std.remittance_register_rows,
    values=data.remittance_values, remarks="每月汇缴金额为各缴存人单位与个人月缴存额之和。")

REMITTANCE_CHANGES = VoucherLayout(
    code="remittance_change_register", title="住房公积金汇缴变更清册",
    header_fields=UNIT + (("batch_no", "核定批次号"), ("previous_month", "上次核定年月"), ("added", "增加人数"),
                          ("removed", "减少人数"), ("changed", "基数变更人数")) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("change", "变更类型"), ("old_base", "原缴存基数"),
                   ("new_base", "新缴存基数"), ("old_amount", "原月缴存额"), ("new_amount", "新月缴存额")),
    totals=("old_amount", "new_amount"), rows=std.remittance_change_rows, values=std.remittance_change_values,
    remarks="与上次汇缴核定相比增加、减少和缴存基数变更的缴存人。")

SUPPLEMENT_VOUCHER = VoucherLayout(
    code="supplement_voucher", title="缴存单位补缴办理凭证",
    header_fields=UNIT + (("batch_no", "补缴批次号"), ("kind", "补缴类型"), ("reason", "补缴原因"),
                          ("headcount", "补缴人数"), ("amount", "补缴金额")) + DATES,
    rows=std.no_table, values=std.supplement_values, amount="amount",
    remarks="请按补缴金额足额缴款，缴款时注明单位账号和补缴批次号。")

SUPPLEMENT_LIST = VoucherLayout(
    code="supplement_register", title="缴存单位补缴清册",
    header_fields=UNIT + (("batch_no", "补缴批次号"), ("kind", "补缴类型"), ("headcount", "补缴人数")) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("month", "补缴年月"), ("base", "缴存基数"),
                   ("unit_amount", "单位补缴额"), ("personal_amount", "个人补缴额"), ("amount", "补缴金额")),
    totals=("unit_amount", "personal_amount", "amount"), amount="amount", rows=std.supplement_rows,
    values=std.supplement_values, remarks=ARCHIVED)

OVER_AGE = VoucherLayout(
    code="over_age_voucher", title="超龄缴存登记凭证",
    header_fields=UNIT + (("count", "登记人数"),) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("birth_date", "出生日期"),
                   ("until_month", "超龄缴存截止年月")),
    rows=std.over_age_rows, values=std.count, remarks="超龄缴存至截止年月止，到期后请办理封存或提取。")

INTERNAL_TRANSFER = VoucherLayout(
    code="internal_transfer_register", title="同城转移清册",
    header_fields=UNIT + (("count", "转移人数"),) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("from_unit", "转出单位"),
                   ("balance", "转移余额")),
    totals=("balance",), rows=std.transfer_rows, values=std.count,
    remarks="个人账户连同余额由转出单位转入本单位，转入后按本单位缴存比例缴存。")

MISPAYMENT = VoucherLayout(
    code="mispayment_voucher", title="错缴调整申请凭证",
    header_fields=UNIT + (("count", "调整笔数"), ("flow_no", "调整流水号")) + DATES,
    table_columns=(("from_account_no", "转出个人账号"), ("from_name", "转出人姓名"), ("to_account_no", "转入个人账号"),
                   ("to_name", "转入人姓名"), ("month", "错缴年月"), ("amount", "调整金额"), ("reason", "调整原因")),
    totals=("amount",), amount="amount", rows=std.mispayment_rows, values=std.mispayment_values, remarks=ARCHIVED)

PERSON_CHANGE = VoucherLayout(
    code="person_change_voucher", title="缴存人基本信息变更凭证",
    header_fields=UNIT + (("count", "变更人数"),) + DATES,
    table_columns=(("account_no", "个人账号"), ("name", "姓名"), ("item", "变更项目"), ("before", "变更前"),
                   ("after", "变更后")),
    rows=std.person_change_rows, values=std.person_change_values, remarks=ARCHIVED)

STANDARD = (RECEIPT, REMITTANCE_SLIP, SEAL_LIST, UNIT_INFO_CHANGE, RATIO_ADJUSTMENT, ACCOUNT_OPENING, UNSEAL_LIST,
            BASE_ADJUSTMENT_LIST, REMITTANCE_LIST, REMITTANCE_CHANGES, SUPPLEMENT_VOUCHER, SUPPLEMENT_LIST, OVER_AGE,
            INTERNAL_TRANSFER, MISPAYMENT, PERSON_CHANGE)


@hookimpl(trylast=True)
def opengjj_voucher_layouts(centre):
    return list(STANDARD)
