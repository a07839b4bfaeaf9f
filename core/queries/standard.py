"""Core's standard record queries (registered by ``core.builtin.queries``).

Each is a :class:`RecordQuery` over the core tables; every source selects ``unit_id``
and already narrows to the unit it is given (the framework adds the same condition
again, always). Names of the manuals: 单位明细查询 (seed 002), 个人明细账查询 (seed 003),
清册流水查询 (seed 000), 账户状态变更查询 (seed 001), 单位结息对账单查询, 年度个人对账.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from sqlalchemy import String, and_, case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import aliased

from core.codes import AccountState, CollectionType, IdType
from core.db.meta import Money
from core.models import (
    Account, ChangeRecord, Department, LedgerEntry, Person, RemittanceVerification, Supplement, SupplementDetail,
    Unit,
)
from core.money import months
from core.queries.types import Computed, Link, QueryColumn as C, QueryFilter as F, RecordQuery

MENU = ("查询",)
BUSINESS_TYPES = tuple(CollectionType.choices())
ACCOUNT_STATES = tuple(AccountState.choices())
STATUSES = (("verified", "待缴款"), ("paid", "已缴款"), ("cancelled", "已取消"))
ENTITIES = (("account", "个人账户"), ("person", "缴存人"), ("unit", "单位"), ("operator", "经办人"),
            ("department", "部门"), ("bank_account", "单位银行账户"), ("direct_debit_agreement", "委托代扣协议"),
            ("application", "业务申请"))
ACTIONS = (("open", "开户"), ("register", "缴存人登记"), ("update", "缴存人信息更新"), ("seal", "封存"),
           ("unseal", "启封"), ("base_change", "基数调整"), ("ratio_change", "比例调整"),
           ("person_change", "个人信息变更"), ("transfer", "内部转移"), ("merge_in", "合并转入"),
           ("merge_out", "合并转出"), ("close", "销户"), ("info_change", "单位信息变更"),
           ("ratio_reduction", "降低缴存比例"), ("ratio_restoration", "恢复缴存比例"), ("deferral", "缓缴"),
           ("direct_debit_sign", "签订委托代扣"), ("direct_debit_end", "终止委托代扣"),
           ("deregistration", "单位注销"), ("over_age_registration", "超龄缴存登记"),
           ("deposit_certificate", "缴存证明"), ("department_change", "部门变更"),
           ("operator_add", "新增经办人"), ("operator_change", "经办人变更"), ("operator_disable", "停用经办人"),
           ("bank_account_register", "银行账户登记"), ("bank_account_change", "银行账户变更"),
           ("bank_account_deactivate", "银行账户注销"), ("mispayment_out", "错缴调整转出"),
           ("mispayment_in", "错缴调整转入"))
FIELD_LABELS = {"state": "状态", "base": "缴存基数", "unit_ratio": "单位比例", "personal_ratio": "个人比例",
                "monthly_amount": "月缴存额", "unit_amount": "单位月缴存额", "personal_amount": "个人月缴存额",
                "name": "姓名", "phone": "手机号码", "id_no": "证件号码", "id_type": "证件类型",
                "seal_reason": "封存原因", "unit_id": "单位", "department_id": "部门", "paid_to": "缴至年月",
                "balance": "余额", "sealed_on": "封存日期", "closed_on": "销户日期"}
HIDDEN = {"id_no", "phone"}  # changed, but not repeated in a list (the value stays masked)
STATE_LABELS = dict(ACCOUNT_STATES)


def _link(code: str, **values: Any) -> Link:
    return Link(code, tuple((k, str(v)) for k, v in values.items() if v))


def _fund_year(values: Mapping[str, str]) -> int:
    """The fund year asked for; by default the last one whose settlement day has passed."""
    year = values.get("fund_year")
    if year and year.isdigit():
        return int(year)
    return months.fund_year_of(date.today()) - 1


# --- 单位缴存流水 ---------------------------------------------------------------------

def unit_ledger_source(unit_id: int, values: Mapping[str, str]):
    le = LedgerEntry
    return (select(le.id, le.unit_id, le.booked_on, le.flow_no, le.business_type, le.summary, le.amount,
                   le.interest, le.balance_after, le.application_id)
            .where(le.kind == "unit", le.unit_id == unit_id))


UNIT_LEDGER = RecordQuery(
    code="unit_ledger", title="单位缴存流水", menu_path=MENU, menu_order=10,
    description="单位账户的每一笔资金变动（单位明细查询）",
    columns=(C("booked_on", "记录日期", "date"), C("flow_no", "业务流水号"),
             C("business_type", "业务类型", "code", labels=BUSINESS_TYPES), C("summary", "摘要"),
             C("amount", "发生额(元)", "money"), C("interest", "发生利息额(元)", "money"),
             C("balance_after", "单位账户余额(元)", "money")),
    filters=(F("booked_on", "记录日期", "date_range", column="booked_on"),
             F("business_type", "业务类型", "select", column="business_type", choices=BUSINESS_TYPES),
             F("flow_no", "业务流水号", column="flow_no"),
             F("summary", "摘要", column="summary", match="contains")),
    order=("-booked_on", "-id"), totals=("amount", "interest"), source=unit_ledger_source,
    detail=lambda row: _link("account_ledger", flow_no=row["flow_no"]),
)


# --- 个人账户明细 ---------------------------------------------------------------------

def account_ledger_source(unit_id: int, values: Mapping[str, str]):
    le = LedgerEntry
    return (select(le.id, le.unit_id, le.booked_on, le.flow_no, Account.account_no, Person.name, Person.id_no,
                   le.business_type, le.month, le.summary, le.amount, le.interest, le.balance_after,
                   le.application_id)
            .join(Account, Account.id == le.account_id).join(Person, Person.id == Account.person_id)
            .where(le.kind == "account", le.unit_id == unit_id))


ACCOUNT_LEDGER = RecordQuery(
    code="account_ledger", title="个人账户明细", menu_path=MENU, menu_order=20,
    description="本单位缴存人账户的资金变动（个人明细账查询），按个人账号或证件号码查询",
    columns=(C("booked_on", "记账日期", "date"), C("flow_no", "业务流水号"), C("account_no", "个人账号"),
             C("name", "姓名"), C("id_no", "证件号码", masked="id"),
             C("business_type", "业务类型", "code", labels=BUSINESS_TYPES), C("month", "缴存年月", "month"),
             C("summary", "摘要"), C("amount", "发生额(元)", "money"), C("interest", "利息(元)", "money"),
             C("balance_after", "余额(元)", "money")),
    filters=(F("account_no", "个人账号", column="account_no"),
             F("id_no", "证件号码", column="id_no", masked="id"),
             F("name", "姓名", column="name", match="contains"),
             F("booked_on", "记账日期", "date_range", column="booked_on"),
             F("month", "缴存年月", "month_range", column="month"),
             F("business_type", "业务类型", "select", column="business_type", choices=BUSINESS_TYPES),
             F("flow_no", "业务流水号", column="flow_no")),
    order=("-booked_on", "-id"), totals=("amount", "interest"), source=account_ledger_source,
    detail=lambda row: _link("unit_ledger", flow_no=row["flow_no"]),
)


# --- 缴存人清册 -----------------------------------------------------------------------

def persons_source(unit_id: int, values: Mapping[str, str]):
    return (select(Account.id, Account.unit_id, Account.account_no, Person.name, Person.id_type, Person.id_no,
                   Person.phone, Account.state, Department.name.label("department"), Account.base,
                   Account.unit_ratio, Account.personal_ratio, Account.monthly_amount, Account.balance,
                   Account.paid_to, Account.opened_on)
            .join(Person, Person.id == Account.person_id)
            .outerjoin(Department, Department.id == Account.department_id)
            .where(Account.unit_id == unit_id))


PERSONS = RecordQuery(
    code="persons", title="缴存人清册", menu_path=MENU, menu_order=30,
    description="本单位缴存人账户信息（账户信息查询）",
    columns=(C("account_no", "个人账号"), C("name", "姓名"), C("id_type", "证件类型", "code", labels=tuple(IdType.choices())),
             C("id_no", "证件号码", masked="id"), C("phone", "手机号码", masked="phone"),
             C("state", "账户状态", "code", labels=ACCOUNT_STATES), C("department", "部门"),
             C("base", "缴存基数(元)", "money"), C("unit_ratio", "单位比例", "ratio"),
             C("personal_ratio", "个人比例", "ratio"), C("monthly_amount", "月缴存额(元)", "money"),
             C("balance", "账户余额(元)", "money"), C("paid_to", "缴至年月", "month"), C("opened_on", "开户日期", "date")),
    filters=(F("account_no", "个人账号", column="account_no"), F("name", "姓名", column="name", match="contains"),
             F("id_no", "证件号码", column="id_no", masked="id"),
             F("state", "账户状态", "select", column="state", choices=ACCOUNT_STATES),
             F("opened_on", "开户日期", "date_range", column="opened_on"),
             F("department", "部门", column="department", match="contains")),
    order=("account_no",), totals=("monthly_amount", "balance"), source=persons_source,
    detail=lambda row: _link("account_ledger", account_no=row["account_no"]),
)


# --- 变更记录, 封存启封记录 ------------------------------------------------------------

def _plain(field: str, value: Any) -> str:
    if value is None or value == "":
        return "空"
    if field == "state":
        return STATE_LABELS.get(str(value), str(value))
    return str(value)


def describe_change(row: Mapping[str, Any]) -> str:
    """What changed between ``before`` and ``after``, in words (ID and phone numbers not
    repeated)."""
    before, after = row.get("before") or {}, row.get("after") or {}
    parts = []
    for field in sorted(set(before) | set(after), key=lambda f: (f not in FIELD_LABELS, f)):
        old, new = before.get(field), after.get(field)
        if old == new or field not in FIELD_LABELS:
            continue
        label = FIELD_LABELS[field]
        if field in HIDDEN:
            parts.append(f"{label}已变更")
        elif not before:
            parts.append(f"{label}：{_plain(field, new)}")
        else:
            parts.append(f"{label}：{_plain(field, old)}→{_plain(field, new)}")
    return "；".join(parts)


def changes_source(unit_id: int, values: Mapping[str, str], actions: tuple[str, ...] = ()):
    cr = ChangeRecord
    via_account, direct = aliased(Person), aliased(Person)
    query = (select(cr.id, cr.unit_id, cr.created_at, cr.entity, cr.action, cr.business_type,
                    Account.account_no, func.coalesce(via_account.name, direct.name).label("name"),
                    func.coalesce(via_account.id_no, direct.id_no).label("id_no"),
                    cr.before, cr.after, cr.application_id)
             .outerjoin(Account, and_(cr.entity == "account", Account.id == cr.entity_id))
             .outerjoin(via_account, via_account.id == Account.person_id)
             .outerjoin(direct, and_(cr.entity == "person", direct.id == cr.entity_id))
             .where(cr.unit_id == unit_id))
    return query.where(cr.action.in_(actions)) if actions else query


CHANGES = RecordQuery(
    code="changes", title="变更记录", menu_path=MENU, menu_order=40,
    description="单位、缴存人和账户的变更记录（客户信息变更查询、缴存信息变更查询）",
    columns=(C("created_at", "变更时间", "datetime"), C("entity", "变更对象", "code", labels=ENTITIES),
             C("action", "变更类型", "code", labels=ACTIONS), C("account_no", "个人账号"), C("name", "姓名"),
             C("id_no", "证件号码", masked="id"), C("changes", "变更内容", compute=describe_change)),
    filters=(F("entity", "变更对象", "select", column="entity", choices=ENTITIES),
             F("action", "变更类型", "select", column="action", choices=ACTIONS),
             F("created_at", "变更日期", "date_range", column="created_at"),
             F("account_no", "个人账号", column="account_no"),
             F("name", "姓名", column="name", match="contains")),
    order=("-created_at", "-id"), source=changes_source,
    detail=lambda row: _link("persons", account_no=row["account_no"]) if row.get("account_no") else None,
)


def _state_of(which: str):
    return lambda row: STATE_LABELS.get(str((row.get(which) or {}).get("state") or ""), "")


SEALS = RecordQuery(
    code="seals", title="封存启封记录", menu_path=MENU, menu_order=50,
    description="缴存人账户的封存、启封记录（账户状态变更查询）",
    columns=(C("created_at", "业务发生时间", "datetime"), C("action", "变更类型", "code", labels=ACTIONS),
             C("account_no", "个人账号"), C("name", "姓名"), C("id_no", "证件号码", masked="id"),
             C("state_before", "变更前状态", compute=_state_of("before")),
             C("state_after", "变更后状态", compute=_state_of("after")),
             C("base_before", "变更前缴存基数(元)", compute=lambda row: (row.get("before") or {}).get("base") or ""),
             C("reason", "封存原因", compute=lambda row: (row.get("after") or {}).get("seal_reason") or "")),
    filters=(F("action", "变更类型", "select", column="action", choices=(("seal", "封存"), ("unseal", "启封"))),
             F("created_at", "业务发生日期", "date_range", column="created_at"),
             F("account_no", "个人账号", column="account_no"),
             F("name", "姓名", column="name", match="contains")),
    order=("-created_at", "-id"),
    source=lambda unit_id, values: changes_source(unit_id, values, actions=("seal", "unseal")),
    detail=lambda row: _link("account_ledger", account_no=row["account_no"]),
)


# --- 转移记录 -------------------------------------------------------------------------

def transfers_source(unit_id: int, values: Mapping[str, str]):
    """Internal transfers into the unit (the record's unit) and out of it (the unit in
    the record's ``before``): one row for each side the unit is on."""
    cr = ChangeRecord
    from_unit_id = cr.before["unit_id"].as_integer()
    out_unit, in_unit = aliased(Unit), aliased(Unit)

    def side(direction: str, mine):
        return (select(cr.id, mine.label("unit_id"), cr.created_at, literal(direction, String()).label("direction"),
                       Account.account_no, Person.name, Person.id_no, out_unit.unit_no.label("from_unit_no"),
                       out_unit.name.label("from_unit"), in_unit.unit_no.label("to_unit_no"),
                       in_unit.name.label("to_unit"), cr.application_id)
                .join(Account, Account.id == cr.entity_id).join(Person, Person.id == Account.person_id)
                .outerjoin(out_unit, out_unit.id == from_unit_id).outerjoin(in_unit, in_unit.id == cr.unit_id)
                .where(cr.entity == "account", cr.action == "transfer", mine == unit_id))

    return union_all(side("in", cr.unit_id), side("out", from_unit_id)).subquery("transfers").select()


TRANSFERS = RecordQuery(
    code="transfers", title="转移记录", menu_path=MENU, menu_order=60,
    description="缴存人账户在本中心单位之间的内部转移（内部转移查询）",
    columns=(C("created_at", "转移时间", "datetime"),
             C("direction", "方向", "code", labels=(("in", "转入"), ("out", "转出"))),
             C("account_no", "个人账号"), C("name", "姓名"), C("id_no", "证件号码", masked="id"),
             C("from_unit_no", "转出单位账号"), C("from_unit", "转出单位"), C("to_unit_no", "转入单位账号"),
             C("to_unit", "转入单位")),
    filters=(F("direction", "方向", "select", column="direction", choices=(("in", "转入"), ("out", "转出"))),
             F("created_at", "转移日期", "date_range", column="created_at"),
             F("account_no", "个人账号", column="account_no"), F("name", "姓名", column="name", match="contains")),
    order=("-created_at", "-id"), source=transfers_source,
    detail=lambda row: _link("account_ledger", account_no=row["account_no"]),
)


# --- 汇补缴记录 -----------------------------------------------------------------------

def deposits_source(unit_id: int, values: Mapping[str, str]):
    """Remittance verifications (one month each) and supplements (the months their
    lines pay for, first to last; none for a free supplement without months)."""
    rv, s, sd = RemittanceVerification, Supplement, SupplementDetail
    remittances = select(rv.id, rv.unit_id, literal("remittance", String()).label("kind"), rv.batch_no, rv.month,
                         rv.month.label("month_to"), literal("", String()).label("reason"), rv.headcount, rv.amount,
                         rv.status, rv.created_at, rv.paid_at, rv.flow_no, rv.application_id).where(rv.unit_id == unit_id)
    first = select(func.min(sd.month)).where(sd.supplement_id == s.id).scalar_subquery()
    last = select(func.max(sd.month)).where(sd.supplement_id == s.id).scalar_subquery()
    supplements = select(s.id, s.unit_id, literal("supplement", String()).label("kind"), s.batch_no, first, last,
                         case((s.kind == "by_month", "按月补缴"), else_="不定额补缴") + literal(" ", String())
                         + s.reason, s.headcount, s.amount, s.status, s.created_at, s.paid_at, s.flow_no,
                         s.application_id).where(s.unit_id == unit_id)
    return union_all(remittances, supplements).subquery("deposits").select()


DEPOSITS = RecordQuery(
    code="deposits", title="汇补缴记录", menu_path=MENU, menu_order=70,
    description="汇缴核定与补缴记录及其缴款状态（单位汇补缴记录查询）",
    columns=(C("created_at", "核定时间", "datetime"),
             C("kind", "业务类型", "code", labels=(("remittance", "汇缴"), ("supplement", "补缴"))),
             C("batch_no", "核定批次号"), C("month", "缴存年月", "month"), C("month_to", "截止年月", "month"),
             C("reason", "补缴方式/原因"),
             C("headcount", "人数", "int"), C("amount", "金额(元)", "money"),
             C("status", "状态", "code", labels=STATUSES), C("paid_at", "缴款时间", "datetime"),
             C("flow_no", "业务流水号")),
    filters=(F("kind", "业务类型", "select", column="kind", choices=(("remittance", "汇缴"), ("supplement", "补缴"))),
             F("status", "状态", "select", column="status", choices=STATUSES),
             F("month", "缴存年月", "month_range", column="month"),
             F("created_at", "核定日期", "date_range", column="created_at"),
             F("batch_no", "核定批次号", column="batch_no")),
    order=("-created_at", "kind", "-id"), totals=("headcount", "amount"), source=deposits_source,
    detail=lambda row: _link("unit_ledger", flow_no=row["flow_no"]) if row.get("flow_no") else None,
)


# --- 结息对账单 -----------------------------------------------------------------------

def _statement_link(row: Mapping[str, Any]) -> Link | None:
    start, end = row.get("period") or (None, None)
    return Link("account_ledger", (("account_no", str(row["account_no"])),
                                   ("booked_on_from", start.isoformat() if start else ""),
                                   ("booked_on_to", end.isoformat() if end else "")))


def _yuan(value) -> str:
    return f"{value:,.2f}"


def interest_statement(db, runtime, unit_id: int, values: Mapping[str, str]) -> Computed:
    """The unit's 结息对账单 of a fund year (core.money.interest.unit_statement)."""
    from core.models import InterestSettlement
    from core.money.books import Books
    from core.money.interest import unit_statement

    year = _fund_year(values)
    statement = unit_statement(Books(db=db, runtime=runtime, actor="system", today=date.today()), unit_id, year)
    start, end = statement["period"]
    rows = [{**row, "unit_id": unit_id, "period": (start, end), "state_label": STATE_LABELS.get(row["state"], "")}
            for row in statement["rows"]]
    settlement = db.scalars(select(InterestSettlement).where(InterestSettlement.fund_year == year)).one_or_none()
    summary = (("结息年度", f"{year}年度（{start.isoformat()} 至 {end.isoformat()}）"),
               ("单位期初余额", _yuan(statement["opening_balance"]) + " 元"),
               ("本年发生额", _yuan(statement["deposits"]) + " 元"),
               ("本年利息", _yuan(statement["interest"]) + " 元"),
               ("单位期末余额", _yuan(statement["closing_balance"]) + " 元"),
               ("结息状态", f"已结息，年利率 {(settlement.rate * 100).normalize():f}%" if settlement else "本年度尚未结息"))
    return Computed(rows=rows, summary=summary)


INTEREST = RecordQuery(
    code="interest_statement", title="结息对账单", menu_path=MENU, menu_order=80,
    description="单位及其缴存人一个公积金年度的期初余额、发生额、利息与期末余额（单位结息对账单查询）",
    columns=(C("account_no", "个人账号"), C("name", "姓名"), C("state", "账户状态", "code", labels=ACCOUNT_STATES),
             C("opening_balance", "期初余额(元)", "money"), C("deposits", "本年发生额(元)", "money"),
             C("interest", "本年利息(元)", "money"), C("closing_balance", "期末余额(元)", "money")),
    filters=(F("fund_year", "结息年度", "year"), F("account_no", "个人账号", column="account_no"),
             F("name", "姓名", column="name", match="contains")),
    totals=("opening_balance", "deposits", "interest", "closing_balance"), compute=interest_statement,
    detail=_statement_link,
)


# --- 年度对账 -------------------------------------------------------------------------

def annual_source(unit_id: int, values: Mapping[str, str]):
    """Per account of the unit, one fund year: the deposits for the year's months, the
    months paid, the year's interest and the balance at its end (lines booked under
    this unit)."""
    year = _fund_year(values)
    start, end = months.fund_year_bounds(year)
    year_months = months.between(months.of(start), months.of(end))
    le = LedgerEntry
    zero = literal(0, Money())
    for_year = and_(le.month.in_(year_months), le.booked_on <= end)
    within = le.booked_on >= start
    sums = (select(le.account_id,
                   type_coerce(func.sum(case((le.booked_on < start, le.amount + le.interest), else_=zero)), Money())
                   .label("opening_balance"),
                   type_coerce(func.sum(case((for_year, le.amount), else_=zero)), Money()).label("deposits"),
                   func.count(func.distinct(case((and_(for_year, le.amount > zero), le.month)))).label("months_paid"),
                   type_coerce(func.sum(case((within, le.interest), else_=zero)), Money()).label("interest"),
                   type_coerce(func.sum(le.amount + le.interest), Money()).label("closing_balance"))
            .where(le.kind == "account", le.unit_id == unit_id, le.booked_on <= end)
            .group_by(le.account_id).subquery("annual"))
    return (select(Account.id, Account.unit_id, literal(year).label("fund_year"), Account.account_no, Person.name,
                   Person.id_no, Account.state, sums.c.months_paid, sums.c.opening_balance, sums.c.deposits,
                   sums.c.interest, sums.c.closing_balance)
            .join(sums, sums.c.account_id == Account.id).join(Person, Person.id == Account.person_id)
            .where(Account.unit_id == unit_id))


def _annual_link(row: Mapping[str, Any]) -> Link:
    start, end = months.fund_year_bounds(int(row["fund_year"]))
    return Link("account_ledger", (("account_no", str(row["account_no"])), ("booked_on_from", start.isoformat()),
                                   ("booked_on_to", end.isoformat())))


ANNUAL = RecordQuery(
    code="annual_statement", title="年度对账", menu_path=MENU, menu_order=90,
    description="按公积金年度查询本单位缴存人账户的收支情况（年度个人对账）",
    columns=(C("account_no", "个人账号"), C("name", "姓名"), C("id_no", "证件号码", masked="id"),
             C("state", "账户状态", "code", labels=ACCOUNT_STATES), C("months_paid", "缴存月数", "int"),
             C("opening_balance", "上年结转余额(元)", "money"), C("deposits", "本年缴存额(元)", "money"),
             C("interest", "本年利息(元)", "money"), C("closing_balance", "年末余额(元)", "money")),
    filters=(F("fund_year", "公积金年度", "year"), F("account_no", "个人账号", column="account_no"),
             F("name", "姓名", column="name", match="contains"), F("id_no", "证件号码", column="id_no", masked="id")),
    order=("account_no",), totals=("opening_balance", "deposits", "interest", "closing_balance"),
    source=annual_source, detail=_annual_link,
)

STANDARD_QUERIES = (UNIT_LEDGER, ACCOUNT_LEDGER, PERSONS, CHANGES, SEALS, TRANSFERS, DEPOSITS, INTEREST, ANNUAL)
