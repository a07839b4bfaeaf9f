"""Chinese labels for the keys an item's effect returns, shown as 办理结果 (a key not
listed shows as it is, so a plugin's own result stays readable once it labels it)."""

RESULT_LABELS = {
    "accounts": "个人账号", "account_no": "个人账号", "account_nos": "个人账号", "amount": "金额",
    "batch_no": "核定批次号", "months": "汇缴年月", "month": "年月", "headcount": "人数", "count": "笔数",
    "flow_no": "业务流水号", "certificate_no": "证明编号", "scope": "证明范围", "purpose": "用途",
    "issued_on": "开具日期", "unit_no": "单位账号", "unit_name": "单位名称", "balance": "余额",
    "unit_amount": "单位缴存额", "personal_amount": "个人缴存额", "monthly_amount": "月缴存额",
    "from_account_no": "转出个人账号", "to_account_no": "转入个人账号", "from_balance": "转出账户余额",
    "to_balance": "转入账户余额", "unit_ratio": "单位缴存比例", "personal_ratio": "个人缴存比例",
    "effective_month": "生效年月", "start_month": "起始年月", "from_month": "起始年月", "to_month": "截止年月",
    "until_month": "截止年月", "paid_to": "缴至年月", "bank_account_no": "银行账号", "agreement_no": "协议编号",
    "changed": "变更项目", "lines": "明细", "registered": "登记人数", "status": "状态", "state": "状态",
    "name": "姓名", "id_no": "证件号码", "phone": "手机号码", "base": "缴存基数", "reason": "原因",
}


def labelled(result: dict) -> dict:
    return {RESULT_LABELS.get(key, key): value for key, value in result.items()}
