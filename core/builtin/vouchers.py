"""Core's voucher layouts: the generic receipt (业务办理凭证) of every item without its
own, the remittance slip (住房公积金汇缴书) and the seal list (个人账户封存清册)."""
from core.contract import VoucherLayout
from core.hookspecs import hookimpl
from core.vouchers import data

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


@hookimpl(trylast=True)
def opengjj_voucher_layouts(centre):
    return [RECEIPT, REMITTANCE_SLIP, SEAL_LIST]
