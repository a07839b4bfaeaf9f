"""Account services and identity validation, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pluggy
import pytest
from sqlalchemy import select
from stdnum.cn import ric

from core import hookspecs
from core.builtin import BUILTIN_PLUGINS
from core.catalogue import build_catalogue
from core.centres import Centre
from core.codes import AccountState
from core.contract import DepositPolicy, Violation
from core.db import make_engine, make_sessionmaker
from core.db.migrate import upgrade
from core.invariants import check_ledgers
from core.jobs import make_job_service
from core.models import Account, Base, ChangeRecord, LedgerEntry, Person, RatioChange, Unit
from core.money import accounts, validation
from core.money.books import Books
from core.money.errors import BusinessError, RuleViolations
from core.money.ledger import new_flow_no, post_account, post_unit
from core.money.rules.accounts import age_limits, id_card_only, unseal_not_in_seal_month
from core.runtime import CentreRuntime
from tests.test_hooks import plugin

TODAY = date(2026, 7, 15)
D = Decimal


def id_no(first17: str) -> str:
    """A resident ID number with the right check digit."""
    return first17 + ric.calc_check_digit(first17 + "0")


ZHANG = id_no("11010119900307123")  # male, born 1990-03-07
LI = id_no("11010119920516124")  # female, born 1992-05-16
CHILD = id_no("11010120120515456")  # 14 on TODAY
WANG = id_no("11010119850101789")


def policy_plugin(**overrides):
    values = dict(base_floor=D("1880"), base_cap=D("28000"), rounding="half_up_fen")
    values.update(overrides)
    return plugin(opengjj_deposit_policy=lambda centre, fund_year: DepositPolicy(**values))


# --- fixtures -----------------------------------------------------------------------

@pytest.fixture
def centre(database_url):
    return Centre(name="testing", title="测试中心", city="kaifeng", database_url=database_url)


@pytest.fixture
def engine(centre):
    engine = make_engine(centre)
    upgrade(centre, engine)
    yield engine
    engine.dispose()


@pytest.fixture
def make_runtime(centre, engine):
    """``make_runtime(*plugins)``: the centre's runtime with core's built-ins and these
    plugins only (no city plugin, so the tests do not depend on any city's rules)."""

    def make(*plugins) -> CentreRuntime:
        pm = pluggy.PluginManager("opengjj")
        pm.add_hookspecs(hookspecs)
        for module in BUILTIN_PLUGINS:
            pm.register(module, name=module.__name__)
        for p in plugins:
            pm.register(p)
        pm.check_pending()
        return CentreRuntime(centre=centre, pm=pm, catalogue=build_catalogue(centre, pm), engine=engine,
                             sessionmaker=make_sessionmaker(engine), jobs=make_job_service(centre, {}))

    return make


@pytest.fixture
def runtime(make_runtime):
    return make_runtime(policy_plugin())


class Desk:
    """Runs each service in its own committed transaction, like a request would."""

    def __init__(self, runtime, today: date = TODAY):
        self.runtime, self.today = runtime, today

    def __call__(self, service, *args, **kwargs):
        with self.runtime.session() as db:
            books = Books(db=db, runtime=self.runtime, actor="clerk:1", today=self.today)
            result = service(books, *args, **kwargs)
            return getattr(result, "id", result)

    def get(self, model, id_):
        with self.runtime.session() as db:
            return db.get(model, id_)

    def all(self, query):
        with self.runtime.session() as db:
            return list(db.scalars(query))

    def unit(self, unit_no: str = "110001", **values) -> int:
        with self.runtime.session() as db:
            unit = Unit(unit_no=unit_no, name=f"单位{unit_no}", unit_ratio=values.pop("unit_ratio", D("0.12")),
                        personal_ratio=values.pop("personal_ratio", D("0.12")), paid_to="2026-06", **values)
            db.add(unit)
            db.flush()
            return unit.id

    def credit(self, account_id: int, amount: Decimal) -> None:
        """Give an account money (a free supplement), with the unit's line."""
        with self.runtime.session() as db:
            books = Books(db=db, runtime=self.runtime, actor="clerk:1", today=self.today)
            account = db.get(Account, account_id)
            unit = db.get(Unit, account.unit_id)
            flow = new_flow_no(db, self.today)
            post_account(books, account, unit, business_type="02", amount=amount, summary="补缴", flow_no=flow)
            post_unit(books, unit, business_type="02", amount=amount, summary="补缴", flow_no=flow)

    def ledgers_ok(self) -> list:
        with self.runtime.session() as db:
            return check_ledgers(db)

    def records(self, entity: str, entity_id: int) -> list[ChangeRecord]:
        return self.all(select(ChangeRecord).where(ChangeRecord.entity == entity, ChangeRecord.entity_id == entity_id)
                        .order_by(ChangeRecord.id))

    def dump(self) -> dict:
        """Every row of every table: to prove a failed operation wrote nothing."""
        with self.runtime.session() as db:
            return {table.name: sorted(map(tuple, db.execute(table.select()).all()), key=repr)
                    for table in Base.metadata.sorted_tables}


@pytest.fixture
def desk(runtime):
    return Desk(runtime)


def open_zhang(desk, unit_id, base=D("5000.00"), **kw):
    return desk(accounts.open_account, unit_id, name="张三", id_no=ZHANG, base=base, **kw)


# --- validation (no database) ---------------------------------------------------------

def test_resident_id_gives_birth_date_and_gender():
    found = validation.resident_id(ZHANG)
    assert found == validation.ResidentId(ZHANG, date(1990, 3, 7), "1")
    assert validation.resident_id(LI).gender == "2"
    assert validation.resident_id(" " + ZHANG.lower() + " ").number == ZHANG


@pytest.mark.parametrize("value, reason", [
    ("11010119900307123", "位数不对"),
    (ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "校验位错误"),
    (id_no("11010119901307123"), "出生日期无效"),
    (id_no("11010119900230123"), "出生日期无效"),
])
def test_resident_id_names_the_field_and_the_reason(value, reason):
    with pytest.raises(BusinessError) as refused:
        validation.resident_id(value, field="id_no")
    assert refused.value.field == "id_no"
    assert "证件号码" in refused.value.message and reason in refused.value.message


def test_age_on_counts_whole_years():
    assert validation.age_on(date(1990, 3, 7), date(2026, 3, 6)) == 35
    assert validation.age_on(date(1990, 3, 7), date(2026, 3, 7)) == 36
    assert validation.age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25


def test_credit_code_bank_card_and_mobile():
    assert validation.credit_code("91110000600037341l") == "91110000600037341L"
    with pytest.raises(BusinessError, match="校验位") as refused:
        validation.credit_code("91110000600037341M")
    assert refused.value.field == "credit_code"
    with pytest.raises(BusinessError, match="位数不对"):
        validation.credit_code("9111000060003734")
    assert validation.bank_card("6222 0202 0011 2345 679") == "6222020200112345679"
    with pytest.raises(BusinessError, match="校验位") as refused:
        validation.bank_card("6222020200112345678")
    assert refused.value.field == "bank_card"
    assert validation.mobile("13812345678") == "13812345678"
    for bad in ("12812345678", "1381234567", "1381234567a"):
        with pytest.raises(BusinessError) as refused:
            validation.mobile(bad)
        assert refused.value.field == "phone" and "手机号码" in refused.value.message


# --- open --------------------------------------------------------------------------

def test_open_account_refuses_a_bad_check_digit_naming_the_field(desk):
    unit_id = desk.unit()
    bad = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    with pytest.raises(BusinessError) as refused:
        desk(accounts.open_account, unit_id, name="张三", id_no=bad, base=D("5000"))
    assert refused.value.field == "id_no"
    assert "证件号码" in refused.value.message and "校验位" in refused.value.message


def test_open_account_registers_the_person_and_numbers_the_account(desk):
    unit_id = desk.unit()
    account = desk.get(Account, open_zhang(desk, unit_id, phone="13812345678"))
    assert account.account_no == "1100010001" and account.state == AccountState.NORMAL
    assert (account.base, account.unit_ratio, account.personal_ratio) == (D("5000.00"), D("0.1200"), D("0.1200"))
    assert (account.unit_amount, account.personal_amount, account.monthly_amount) == (
        D("600.00"), D("600.00"), D("1200.00"))
    assert account.paid_to == "2026-06" and account.opened_on == TODAY and account.balance == D("0.00")
    person = desk.get(Person, account.person_id)
    assert (person.name, person.birth_date, person.gender, person.phone) == (
        "张三", date(1990, 3, 7), "1", "13812345678")
    [record] = desk.records("account", account.id)
    assert record.business_type == "03" and record.before is None and record.after["base"] == "5000.00"
    assert record.actor == "clerk:1"
    second = desk.get(Account, desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("3000")))
    assert second.account_no == "1100010002"


def test_a_person_has_one_normal_account_in_the_centre(desk):
    first, other = desk.unit("110001"), desk.unit("110002")
    existing = desk.get(Account, open_zhang(desk, first))
    for unit_id in (first, other):
        with pytest.raises(BusinessError) as refused:
            open_zhang(desk, unit_id)
        assert refused.value.field == "id_no"
        assert "证件号码" in refused.value.message and existing.account_no in refused.value.message
    desk(accounts.seal, existing.id, reason="离职")
    again = desk.get(Account, desk(accounts.open_account, other, name="张叁", id_no=ZHANG, base=D("5000"),
                                   phone="13912345678"))
    assert again.person_id == existing.person_id and again.account_no == "1100020001"
    assert len(desk.all(select(Person))) == 1
    person = desk.get(Person, again.person_id)
    assert (person.name, person.phone) == ("张叁", "13912345678")
    update = desk.records("person", person.id)[-1]
    assert (update.action, update.before["name"], update.after["name"]) == ("update", "张三", "张叁")
    assert update.after["phone"] == "13912345678"


def test_account_numbers_skip_numbers_already_used(desk):
    unit_id = desk.unit()
    with desk.runtime.session() as db:  # e.g. migrated from the old system
        person = Person(name="王五", id_no=WANG, birth_date=date(1985, 1, 1), gender="1")
        db.add(person)
        db.flush()
        db.add(Account(account_no="1100010001", person_id=person.id, unit_id=unit_id, state="02"))
    assert desk.get(Account, open_zhang(desk, unit_id)).account_no == "1100010002"


def test_open_account_checks_base_and_unit(desk):
    unit_id = desk.unit()
    with pytest.raises(RuleViolations) as refused:
        open_zhang(desk, unit_id, base=D("1000"))
    assert refused.value.violations == [Violation("缴存基数不得低于1880元", field="base")]
    closed = desk.unit("110009", state="04")
    with pytest.raises(BusinessError, match="正常状态的单位") as refused:
        open_zhang(desk, closed)
    assert refused.value.field == "unit_id"
    with pytest.raises(TypeError, match="float"):
        open_zhang(desk, unit_id, base=5000.0)


def test_amounts_follow_the_centres_rounding(make_runtime):
    desk = Desk(make_runtime(policy_plugin(rounding="up_jiao_to_yuan")))
    unit_id = desk.unit(unit_ratio=D("0.07"), personal_ratio=D("0.05"))
    account = desk.get(Account, open_zhang(desk, unit_id, base=D("3456.78")))
    # 241.9746 → 242, 172.839 → 173 (见角进元)
    assert (account.unit_amount, account.personal_amount, account.monthly_amount) == (
        D("242.00"), D("173.00"), D("415.00"))
    desk = Desk(make_runtime(policy_plugin(rounding="truncate_fen", round_parts="total")))
    account = desk.get(Account, desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("3456.78")))
    # total 414.8136 → 414.81; unit part 241.97 (四舍五入到分), personal the rest
    assert (account.unit_amount, account.personal_amount, account.monthly_amount) == (
        D("241.97"), D("172.84"), D("414.81"))


# --- seal / unseal -------------------------------------------------------------------

def test_seal_and_unseal_change_states_with_records(desk):
    unit_id = desk.unit()
    account_id = open_zhang(desk, unit_id)
    desk(accounts.seal, account_id, reason="离职")
    account = desk.get(Account, account_id)
    assert (account.state, account.sealed_on, account.seal_reason) == ("02", TODAY, "离职")
    with pytest.raises(BusinessError, match="只有“正常”状态的账户可以封存") as refused:
        desk(accounts.seal, account_id, reason="离职")
    assert refused.value.field == "state"
    desk(accounts.unseal, account_id)
    account = desk.get(Account, account_id)
    assert (account.state, account.sealed_on, account.seal_reason) == ("01", None, None)
    with pytest.raises(BusinessError, match="只有“封存”状态的账户可以启封"):
        desk(accounts.unseal, account_id)
    _, sealed, unsealed = desk.records("account", account_id)
    assert (sealed.business_type, sealed.action) == ("05", "seal")
    assert sealed.before["state"] == "01" and sealed.after["state"] == "02"
    assert sealed.after["sealed_on"] == TODAY.isoformat() and sealed.after["seal_reason"] == "离职"
    assert (unsealed.business_type, unsealed.before["state"], unsealed.after["state"]) == ("04", "02", "01")


def test_unseal_is_refused_while_another_account_is_normal(desk):
    first, second = desk.unit("110001"), desk.unit("110002")
    old = open_zhang(desk, first)
    desk(accounts.seal, old, reason="离职")
    new = desk.get(Account, open_zhang(desk, second))
    with pytest.raises(BusinessError) as refused:
        desk(accounts.unseal, old)
    assert refused.value.field == "id_no" and new.account_no in refused.value.message


# --- bases and ratios ----------------------------------------------------------------

def test_change_base_recomputes_amounts(desk):
    unit_id = desk.unit()
    account_id = open_zhang(desk, unit_id)
    desk(accounts.change_base, account_id, D("6543.21"))
    account = desk.get(Account, account_id)
    assert (account.base, account.unit_amount, account.personal_amount, account.monthly_amount) == (
        D("6543.21"), D("785.19"), D("785.19"), D("1570.38"))
    record = desk.records("account", account_id)[-1]
    assert (record.business_type, record.before["base"], record.after["base"]) == ("10", "5000.00", "6543.21")
    with pytest.raises(RuleViolations) as refused:
        desk(accounts.change_base, account_id, D("30000"))
    assert refused.value.field == "base" and "28000" in refused.value.message


def test_adjust_bases_reports_every_bad_row(desk):
    unit_id = desk.unit()
    a = open_zhang(desk, unit_id)
    b = desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("3000"))
    before = desk.dump()
    with pytest.raises(RuleViolations) as refused:
        desk(accounts.adjust_bases, unit_id, {a: D("100"), b: D("99999")})
    assert [(v.row, v.field) for v in refused.value.violations] == [(1, "base"), (2, "base")]
    assert desk.dump() == before
    desk(accounts.adjust_bases, unit_id, {a: D("4000"), b: D("4500.50")})
    assert desk.get(Account, a).monthly_amount == D("960.00")
    assert desk.get(Account, b).monthly_amount == D("1080.12")


def test_ratio_change_applies_immediately(desk):
    unit_id = desk.unit()
    a = open_zhang(desk, unit_id, base=D("3456.78"))
    b = desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("5000"))
    desk(accounts.seal, b, reason="离职")
    change = desk.get(RatioChange, desk(accounts.change_unit_ratio, unit_id, unit_ratio=D("0.08"),
                                        personal_ratio=D("0.06"), effective_month="2026-08"))
    assert change.status == "used" and change.used_at is not None
    unit, account = desk.get(Unit, unit_id), desk.get(Account, a)
    assert (unit.unit_ratio, unit.personal_ratio) == (D("0.0800"), D("0.0600"))
    assert (account.unit_ratio, account.personal_ratio) == (D("0.0800"), D("0.0600"))
    assert (account.unit_amount, account.personal_amount, account.monthly_amount) == (
        D("276.54"), D("207.41"), D("483.95"))
    assert desk.get(Account, b).unit_ratio == D("0.1200")  # sealed accounts keep theirs until unsealed
    desk(accounts.unseal, b)
    assert desk.get(Account, b).monthly_amount == D("700.00")
    with pytest.raises(RuleViolations) as refused:
        desk(accounts.change_unit_ratio, unit_id, unit_ratio=D("0.13"), personal_ratio=D("0.06"),
             effective_month="2026-08")
    assert refused.value.field == "unit_ratio"


def test_ratio_change_waits_for_a_base_adjustment(make_runtime):
    desk = Desk(make_runtime(policy_plugin(ratio_change_applies="with_base_adjustment")))
    unit_id = desk.unit()
    a = open_zhang(desk, unit_id)
    b = desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("3000"))
    change_id = desk(accounts.change_unit_ratio, unit_id, unit_ratio=D("0.10"), personal_ratio=D("0.10"),
                     effective_month="2026-08")
    assert desk.get(RatioChange, change_id).status == "reviewed"  # 已复核
    assert desk.get(Unit, unit_id).unit_ratio == D("0.1200")
    assert desk.get(Account, a).monthly_amount == D("1200.00")
    desk(accounts.change_base, a, D("5500"))
    change = desk.get(RatioChange, change_id)
    assert change.status == "used" and change.used_at is not None  # 已使用
    assert desk.get(Unit, unit_id).unit_ratio == D("0.1000")
    assert desk.get(Account, a).monthly_amount == D("1100.00")
    assert desk.get(Account, b).monthly_amount == D("600.00")  # every normal account of the unit


# --- person --------------------------------------------------------------------------

def test_change_person(desk):
    unit_id = desk.unit()
    person_id = desk.get(Account, open_zhang(desk, unit_id)).person_id
    desk(accounts.change_person, person_id, name="张叁", phone="13912345678", id_no=WANG)
    person = desk.get(Person, person_id)
    assert (person.name, person.phone, person.id_no, person.birth_date) == (
        "张叁", "13912345678", WANG, date(1985, 1, 1))
    [_, record] = desk.records("person", person_id)
    assert record.before["name"] == "张三" and record.after["name"] == "张叁"
    assert record.before["id_no"] == ZHANG and record.after["id_no"] == WANG
    desk(accounts.open_account, unit_id, name="李四", id_no=LI, base=D("3000"))
    with pytest.raises(BusinessError, match="已登记给缴存人“李四”") as refused:
        desk(accounts.change_person, person_id, id_no=LI)
    assert refused.value.field == "id_no"
    with pytest.raises(BusinessError, match="手机号码") as refused:
        desk(accounts.change_person, person_id, phone="12345")
    with pytest.raises(BusinessError) as refused:
        desk(accounts.change_person, person_id, gender="2")
    assert refused.value.field == "gender"


# --- money-moving services -----------------------------------------------------------

def test_transfer_moves_the_balance_to_the_new_unit(make_runtime):
    desk = Desk(make_runtime(policy_plugin(rounding="up_jiao_to_yuan")))
    old, new = desk.unit("110001"), desk.unit("110002", unit_ratio=D("0.05"), personal_ratio=D("0.05"))
    account_id = open_zhang(desk, old, base=D("3456.78"))
    stays = desk(accounts.open_account, old, name="李四", id_no=LI, base=D("3000"))
    desk.credit(account_id, D("12345.67"))
    desk.credit(stays, D("100.01"))
    desk(accounts.transfer, account_id, new)
    account = desk.get(Account, account_id)
    assert account.unit_id == new and account.balance == D("12345.67")
    assert (account.unit_ratio, account.unit_amount, account.monthly_amount) == (D("0.0500"), D("173.00"), D("346.00"))
    assert desk.get(Unit, old).balance == D("100.01") and desk.get(Unit, new).balance == D("12345.67")
    lines = desk.all(select(LedgerEntry).where(LedgerEntry.business_type == "06").order_by(LedgerEntry.id))
    assert [(line.kind, line.unit_id, line.amount) for line in lines] == [
        ("unit", old, D("-12345.67")), ("unit", new, D("12345.67")), ("account", new, D("0.00"))]
    assert len({line.flow_no for line in lines}) == 1
    assert desk.ledgers_ok() == []
    record = desk.records("account", account_id)[-1]
    assert (record.business_type, record.before["unit_id"], record.after["unit_id"]) == ("06", old, new)
    with pytest.raises(BusinessError, match="相同") as refused:
        desk(accounts.transfer, account_id, new)
    assert refused.value.field == "to_unit_id"


@pytest.mark.parametrize("same_unit", [True, False])
def test_merge_moves_the_balance_and_closes_the_duplicate(desk, same_unit):
    first = desk.unit("110001")
    second = first if same_unit else desk.unit("110002")
    duplicate = open_zhang(desk, first)
    desk.credit(duplicate, D("1000.10"))
    desk(accounts.seal, duplicate, reason="重复开户")
    keep = open_zhang(desk, second)
    desk.credit(keep, D("0.90"))
    desk(accounts.merge, duplicate, keep)
    merged, kept = desk.get(Account, duplicate), desk.get(Account, keep)
    assert (merged.state, merged.closed_on, merged.merged_into_id, merged.balance) == ("03", TODAY, keep, D("0"))
    assert kept.balance == D("1001.00")
    assert desk.get(Unit, first).balance == (D("1001.00") if same_unit else D("0.00"))
    assert desk.get(Unit, second).balance == D("1001.00")
    assert desk.ledgers_ok() == []
    with pytest.raises(BusinessError, match="合并"):
        desk(accounts.merge, duplicate, keep)
    other = desk(accounts.open_account, first, name="李四", id_no=LI, base=D("3000"))
    with pytest.raises(BusinessError, match="不属于同一缴存人") as refused:
        desk(accounts.merge, other, keep)
    assert refused.value.field == "into_account_id"


@pytest.mark.parametrize("state, business_type", [("04", "07"), ("05", "99")])
def test_close_pays_out_the_balance(desk, state, business_type):
    unit_id = desk.unit()
    account_id = open_zhang(desk, unit_id)
    desk.credit(account_id, D("8888.88"))
    desk(accounts.close, account_id, state=state, reason="调往外地")
    account = desk.get(Account, account_id)
    assert (account.state, account.closed_on, account.balance) == (state, TODAY, D("0.00"))
    assert desk.get(Unit, unit_id).balance == D("0.00")
    lines = desk.all(select(LedgerEntry).where(LedgerEntry.business_type == business_type))
    assert sorted((line.kind, line.amount) for line in lines) == [
        ("account", D("-8888.88")), ("unit", D("-8888.88"))]
    assert desk.ledgers_ok() == []
    with pytest.raises(BusinessError, match="销户") as refused:
        desk(accounts.close, account_id, state=state, reason="再销一次")
    assert refused.value.field == "state"
    with pytest.raises(BusinessError) as refused:
        desk(accounts.close, account_id, state="03", reason="x")
    assert refused.value.field == "state"


# --- plugin rules ---------------------------------------------------------------------

def rules_plugin(*rules):
    return plugin(opengjj_operation_rules=lambda centre, db, operation: [
        v for rule in rules for v in rule(operation)])


def test_a_city_rule_refuses_an_under_16_person(make_runtime):
    desk = Desk(make_runtime(policy_plugin(), rules_plugin(age_limits, id_card_only)))
    unit_id = desk.unit()
    with pytest.raises(RuleViolations) as refused:
        desk(accounts.open_account, unit_id, name="小明", id_no=CHILD, base=D("3000"))
    assert [(v.code, v.message) for v in refused.value.violations] == [("counter", "未满16周岁，请到柜台办理")]
    with pytest.raises(RuleViolations, match="柜台") as refused:
        desk(accounts.open_account, unit_id, name="John", id_no="E1234567", id_type="03", base=D("3000"))
    assert refused.value.violations[0].field == "id_type"
    open_zhang(desk, unit_id)


def test_ready_made_rules_about_age_and_unseal_month():
    from core.contract import Operation

    def op(kind, today=TODAY, **values):
        return Operation(kind=kind, unit_id=1, account_id=None, today=today, values=values)

    assert age_limits(op("open_account", age=15, gender="1"))[0].code == "counter"
    assert age_limits(op("open_account", age=16, gender="1")) == []
    assert age_limits(op("unseal", age=55, gender="2"))[0].message == "超过退休年龄，请到柜台办理"
    assert age_limits(op("unseal", age=55, gender="1")) == []
    assert age_limits(op("unseal", age=56, gender="2"), female_max=60) == []
    assert age_limits(op("seal", age=15)) == []
    assert unseal_not_in_seal_month(op("unseal", seal_month="2026-07"))
    assert unseal_not_in_seal_month(op("unseal", seal_month="2026-06")) == []


def test_unseal_in_the_seal_month_is_refused_by_the_rule(make_runtime):
    runtime = make_runtime(policy_plugin(), rules_plugin(unseal_not_in_seal_month))
    desk = Desk(runtime)
    account_id = open_zhang(desk, desk.unit())
    desk(accounts.seal, account_id, reason="离职")
    with pytest.raises(RuleViolations, match="封存当月不能启封"):
        desk(accounts.unseal, account_id)
    Desk(runtime, today=date(2026, 8, 3))(accounts.unseal, account_id)
    assert desk.get(Account, account_id).state == "01"


def test_a_failed_operation_leaves_the_database_unchanged(make_runtime):
    refuse_all = plugin(opengjj_operation_rules=lambda centre, db, operation: [
        Violation("测试：一律拒绝", code="counter")] if operation.kind != "open_account" or
        operation.values["id_no"] == LI else [])
    desk = Desk(make_runtime(policy_plugin(), refuse_all))
    old, new = desk.unit("110001"), desk.unit("110002")
    account_id = open_zhang(desk, old)
    desk.credit(account_id, D("500.00"))
    with desk.runtime.session() as db:  # a sealed duplicate of the same person, to merge
        db.add(Account(account_no="1100010099", person_id=desk.get(Account, account_id).person_id,
                       unit_id=old, state="02", sealed_on=TODAY))
    duplicate = desk.all(select(Account.id).where(Account.account_no == "1100010099"))[0]
    before = desk.dump()
    attempts = [
        (accounts.unseal, (duplicate,), {}),  # refused by core (another normal account)
        (accounts.adjust_bases, (old, {account_id: D("6000")}), {}),
        (accounts.merge, (duplicate, account_id), {}),
        (accounts.open_account, (old,), dict(name="李四", id_no=LI, base=D("3000"), phone="13812345678")),
        (accounts.seal, (account_id,), dict(reason="离职")),
        (accounts.change_base, (account_id, D("6000")), {}),
        (accounts.change_unit_ratio, (old,), dict(unit_ratio=D("0.10"), personal_ratio=D("0.10"),
                                                  effective_month="2026-08")),
        (accounts.transfer, (account_id, new), {}),
        (accounts.close, (account_id,), dict(state="05", reason="退休")),
        (accounts.change_person, (desk.get(Account, account_id).person_id,), dict(name="张叁")),
    ]
    for service, args, kwargs in attempts:
        with pytest.raises(BusinessError, match="一律拒绝|已有正常状态的个人账户"):
            desk(service, *args, **kwargs)
        assert desk.dump() == before, service.__name__
