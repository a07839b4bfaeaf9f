"""The standard person and organisation items (core.items.persons, core.items.organisation),
on SQLite and PostgreSQL.

Each test seeds unit 110001 (ratios 12% + 12%, departments 综合办公室 / 财务部) with
accounts opened through the money engine, deserializes what a unit would type through
the item's bound schema, and runs the item's effect as the application engine would:
in one transaction that a refusal rolls back whole.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import colander
import pytest
from sqlalchemy import func, select

from core.codes import AccountState, CollectionType
from core.contract import INSTANT, ONE_REVIEW, TWO_REVIEWS
from core.demo import id_number
from core.invariants import check_ledgers
from core.items import lookups, organisation, persons
from core.models import (
    Account,
    Application,
    Base,
    ChangeRecord,
    Department,
    LedgerEntry,
    Operator,
    Person,
    Unit,
)
from core.money import accounts
from core.money.books import Books
from core.money.errors import BusinessError
from core.money.ledger import new_flow_no, post_account, post_unit
from core.passwords import hash_password, verify_password
from tests.conftest import make_runtime

D = Decimal
TODAY = date(2026, 7, 15)
LATER = date(2026, 8, 20)


def resident(n: int, gender: str = "1") -> str:
    """A valid resident ID number, different for each ``n``."""
    return id_number(random.Random(n), "110101", date(1985, 1, 1) + timedelta(days=7 * n), gender)


def bad_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


# --- the desk: seeding and running items ---------------------------------------------------

class Desk:
    """Seeds units and accounts, and runs items' effects in their own transactions."""

    def __init__(self, runtime):
        self.runtime = runtime

    def books(self, db, today: date = TODAY, application_id: int | None = None) -> Books:
        return Books(db=db, runtime=self.runtime, actor="operator:1", today=today, application_id=application_id)

    def unit(self, unit_no: str = "110001", departments=("综合办公室", "财务部")) -> int:
        with self.runtime.session() as db:
            unit = Unit(unit_no=unit_no, name=f"单位{unit_no}", unit_ratio=D("0.12"), personal_ratio=D("0.12"),
                        paid_to="2026-06")
            db.add(unit)
            db.flush()
            db.add_all([Department(unit_id=unit.id, name=name) for name in departments])
            db.add(Operator(unit_id=unit.id, name="管理员", id_no=resident(900 + unit.id), login_name="admin",
                            password_hash=hash_password("Old@2026"), must_change_password=False, is_admin=True))
            return unit.id

    def open(self, unit_id: int, n: int, base: str = "5000", department: str | None = None,
             name: str | None = None) -> str:
        with self.runtime.session() as db:
            department_id = lookups.department_by_name(db, unit_id, department).id if department else None
            account = accounts.open_account(self.books(db), unit_id, name=name or f"职工{n}", id_no=resident(n),
                                            base=D(base), department_id=department_id)
            return account.account_no

    def credit(self, account_no: str, amount: str) -> None:
        """Give an account money (a free supplement), with the unit's line."""
        with self.runtime.session() as db:
            books = self.books(db)
            account = db.scalar(select(Account).where(Account.account_no == account_no))
            unit = db.get(Unit, account.unit_id)
            flow = new_flow_no(db, TODAY)
            post_account(books, account, unit, business_type="02", amount=D(amount), summary="补缴", flow_no=flow)
            post_unit(books, unit, business_type="02", amount=D(amount), summary="补缴", flow_no=flow)

    def seal(self, account_no: str, reason: str = "离职") -> None:
        with self.runtime.session() as db:
            account = db.scalar(select(Account).where(Account.account_no == account_no))
            accounts.seal(self.books(db), account.id, reason=reason)

    def parse(self, code: str, unit_id: int, data: dict | None = None, rows=()) -> tuple[dict, list[dict]]:
        """Deserialize a form and its rows through the item's bound schemas."""
        item = self.runtime.catalogue.items[code]
        with self.runtime.session() as db:
            kw = {"request": None, "centre": self.runtime.centre, "db": db, "unit": db.get(Unit, unit_id)}
            values = item.schema().bind(**kw).deserialize(data or {}) if item.schema else {}
            schema = item.row_schema().bind(**kw) if item.row_schema else None
            return values, [schema.deserialize(row) for row in rows]

    def errors(self, code: str, unit_id: int, data: dict | None = None, row: dict | None = None) -> dict:
        """What the item's schema says about a form (or one row): {field: message}."""
        with pytest.raises(colander.Invalid) as refused:
            self.parse(code, unit_id, data, [row] if row is not None else ())
        return {key.split(".")[-1] or "form": message for key, message in refused.value.asdict().items()}

    def application(self, code: str, unit_id: int, data: dict | None = None) -> int:
        """A submitted application, committed before its effect runs (as in the engine)."""
        with self.runtime.session() as db:
            application = Application(item_code=code, unit_id=unit_id, data=data or {}, status="submitted")
            db.add(application)
            db.flush()
            return application.id

    def effect(self, application_id: int, values: dict, rows: list[dict], today: date = TODAY) -> dict | None:
        """Run the item's effect in one transaction, as the engine does when the chain completes."""
        with self.runtime.session() as db:
            application = db.get(Application, application_id)
            item = self.runtime.catalogue.items[application.item_code]
            return item.effect(self.books(db, today, application.id), application, values, rows)

    def run(self, code: str, unit_id: int, data: dict | None = None, rows=(), today: date = TODAY) -> dict | None:
        """Deserialize what the unit typed and run the item's effect."""
        values, parsed = self.parse(code, unit_id, data, rows)
        return self.effect(self.application(code, unit_id, data), values, parsed, today)

    def refused(self, code: str, unit_id: int, data: dict | None = None, rows=(), today: date = TODAY) -> BusinessError:
        """Run an effect that must be refused, and prove it wrote nothing."""
        values, parsed = self.parse(code, unit_id, data, rows)
        application_id = self.application(code, unit_id, data)
        before = self.dump()
        with pytest.raises(BusinessError) as refusal:
            self.effect(application_id, values, parsed, today)
        assert self.dump() == before
        return refusal.value

    def account(self, account_no: str) -> Account:
        with self.runtime.session() as db:
            return db.scalar(select(Account).where(Account.account_no == account_no))

    def person(self, account_no: str) -> Person:
        with self.runtime.session() as db:
            return db.get(Person, self.account(account_no).person_id)

    def all(self, query) -> list:
        with self.runtime.session() as db:
            return list(db.scalars(query))

    def records(self, entity: str, action: str) -> list[ChangeRecord]:
        return self.all(select(ChangeRecord).where(ChangeRecord.entity == entity, ChangeRecord.action == action)
                        .order_by(ChangeRecord.id))

    def dump(self) -> dict:
        with self.runtime.session() as db:
            return {table.name: sorted(map(tuple, db.execute(table.select()).all()), key=repr)
                    for table in Base.metadata.sorted_tables}

    def ledgers_ok(self) -> list:
        with self.runtime.session() as db:
            return check_ledgers(db)


@pytest.fixture
def runtime(database_url):
    return make_runtime(database_url)


@pytest.fixture
def desk(runtime):
    return Desk(runtime)


@pytest.fixture
def unit_id(desk):
    return desk.unit()


def checked(errors: dict) -> bool:
    """The schema refused the ID number, and only it, for its check digit (core.items.fields
    prefixes the engine's message with the field name)."""
    return list(errors) == ["id_no"] and errors["id_no"].endswith("证件号码校验位错误")


def violations(error: BusinessError) -> list[tuple[int | None, str | None]]:
    return [(v.row, v.field) for v in error.violations]


# --- the catalogue -----------------------------------------------------------------------

def test_the_items_are_in_the_catalogue_with_their_chains_and_menus(runtime):
    items = runtime.catalogue.items
    expected = {
        "open_accounts": ("个人账户设立", INSTANT, "list", CollectionType.OPEN.value),
        "seal": ("个人账户封存", ONE_REVIEW, "list", CollectionType.SEAL.value),
        "unseal": ("个人账户启封", ONE_REVIEW, "list", CollectionType.UNSEAL.value),
        "bulk_seal": ("集中封存", ONE_REVIEW, "form", CollectionType.SEAL.value),
        "base_adjustment": ("缴存基数调整", ONE_REVIEW, "list", CollectionType.BASE_ADJUSTMENT.value),
        "person_change": ("缴存人基本信息变更", ONE_REVIEW, "list", None),
        "person_info_change": ("缴存人基本信息变更", ONE_REVIEW, "form", None),
        "internal_transfer": ("同城转移", TWO_REVIEWS, "list", CollectionType.INTERNAL_TRANSFER.value),
        "account_merge": ("个人账户合并", ONE_REVIEW, "form", None),
        "operator_management": ("经办人管理", ONE_REVIEW, "list", None),
        "departments": ("部门管理", INSTANT, "form", None),
    }
    for code, (title, chain, kind, collection_type) in expected.items():
        item = items[code]
        assert (item.title, item.chain, item.kind, item.collection_type) == (title, chain, kind, collection_type)
    assert {item.code for item in persons.ITEMS} == set(list(expected)[:9])
    assert items["person_info_change"].checks == ("population",)
    assert all(item.menu_path == ("缴存人业务",) for item in persons.ITEMS)
    assert all(item.menu_path == ("单位管理",) for item in organisation.ITEMS)
    menu = [entry.item for entry in runtime.catalogue.menu if entry.path == ("缴存人业务",)]
    assert menu[:3] == ["open_accounts", "seal", "unseal"]


# --- lookups -------------------------------------------------------------------------------

def test_account_in_unit_names_the_field_and_row(desk, unit_id):
    other = desk.unit("110002")
    number = desk.open(unit_id, 1)
    stranger = desk.open(other, 2)
    with desk.runtime.session() as db:
        assert lookups.account_in_unit(db, unit_id, f" {number} ").account_no == number
        for wrong in (stranger, "999999"):
            with pytest.raises(BusinessError) as refused:
                lookups.account_in_unit(db, unit_id, wrong, row=3)
            assert (refused.value.row, refused.value.field) == (3, "account_no")
            assert refused.value.message == f"个人账号{wrong}不存在或不属于本单位"
    assert lookups.split_numbers("A1, A2，A3 A1；A4") == ["A1", "A2", "A3", "A4"]


# --- 个人账户设立 --------------------------------------------------------------------------

def test_open_accounts_opens_one_account_per_row(desk, unit_id):
    rows = [
        {"name": "张三", "id_type": "01", "id_no": resident(1), "phone": "13800000001", "base": "5000",
         "department": "财务部"},
        {"name": "李四", "id_no": resident(2, "2"), "base": "6,000.5"},
    ]
    result = desk.run("open_accounts", unit_id, rows=rows)
    assert result == {"accounts": ["1100010001", "1100010002"]}
    zhang, li = desk.account("1100010001"), desk.account("1100010002")
    assert (zhang.state, zhang.base, zhang.monthly_amount) == (AccountState.NORMAL.value, D("5000.00"), D("1200.00"))
    assert (li.base, li.unit_amount, li.monthly_amount) == (D("6000.50"), D("720.06"), D("1440.12"))
    with desk.runtime.session() as db:
        assert db.get(Department, zhang.department_id).name == "财务部"
    assert li.department_id is None
    assert desk.person("1100010001").phone == "13800000001"
    assert desk.person("1100010002").gender == "2"
    assert len(desk.records("account", "open")) == 2


def test_open_accounts_refuses_bad_rows_naming_them_and_writes_nothing(desk, unit_id):
    rows = [
        {"name": "张三", "id_no": resident(1), "base": "5000"},
        {"name": "李四", "id_no": resident(2), "base": "1000"},  # below the floor of 1900
        {"name": "王五", "id_no": resident(3), "base": "5000", "department": "财务部"},
        {"name": "赵六", "id_no": resident(4), "base": "40000"},  # above the cap of 30000
    ]
    refusal = desk.refused("open_accounts", unit_id, rows=rows)
    assert violations(refusal) == [(2, "base"), (4, "base")]
    assert "不得低于1900" in refusal.violations[0].message
    twice = desk.refused("open_accounts", unit_id, rows=[rows[0], {**rows[2], "name": "张三"}, rows[0]])
    assert violations(twice) == [(3, "id_no")] and "与第1行重复" in twice.message


def test_open_accounts_refuses_a_person_with_a_normal_account(desk, unit_id):
    desk.open(desk.unit("110002"), 1)
    refusal = desk.refused("open_accounts", unit_id, rows=[{"name": "张三", "id_no": resident(1), "base": "5000"}])
    assert violations(refusal) == [(1, "id_no")] and "已有正常状态的个人账户" in refusal.message


def test_open_accounts_row_schema_refuses_bad_input_in_chinese(desk, unit_id):
    good = {"name": "张三", "id_no": resident(1), "base": "5000"}
    assert checked(desk.errors("open_accounts", unit_id, row={**good, "id_no": bad_check_digit(resident(1))}))
    assert desk.errors("open_accounts", unit_id, row={**good, "base": "-100"}) == {"base": "缴存基数须不小于0.01"}
    assert desk.errors("open_accounts", unit_id, row={**good, "base": "五千"}) == {"base": "缴存基数须为数字"}
    assert desk.errors("open_accounts", unit_id, row={**good, "base": "5000.123"}) == {"base": "缴存基数最多2位小数"}
    assert desk.errors("open_accounts", unit_id, row={**good, "department": "销售部"}) == {"department": "请选择部门"}
    assert "手机号码" in desk.errors("open_accounts", unit_id, row={**good, "phone": "12345"})["phone"]
    assert desk.errors("open_accounts", unit_id, row={"id_no": resident(1)}) == {"name": "Required", "base": "Required"}
    # a passport number is not checked as a resident ID
    _, (row,) = desk.parse("open_accounts", unit_id, rows=[{**good, "id_type": "03", "id_no": "E1234567"}])
    assert (row["id_type"], row["id_no"], row["base"]) == ("03", "E1234567", D("5000.00"))


def test_the_department_select_lists_the_bound_units_departments(desk, unit_id):
    item = desk.runtime.catalogue.items["open_accounts"]
    with desk.runtime.session() as db:
        bound = item.row_schema().bind(request=None, centre=desk.runtime.centre, db=db, unit=db.get(Unit, unit_id))
        assert bound["department"].widget.values[1:] == [("综合办公室", "综合办公室"), ("财务部", "财务部")]
    assert [n.name for n in bound.children] == ["name", "id_type", "id_no", "phone", "base", "department"]


# --- 封存 / 启封 ----------------------------------------------------------------------------

def test_seal_seals_the_listed_accounts_with_their_reasons(desk, unit_id):
    a, b, c = (desk.open(unit_id, n) for n in (1, 2, 3))
    result = desk.run("seal", unit_id, rows=[{"account_no": a, "reason": "离职"}, {"account_no": c, "reason": "退休"}])
    assert result == {"accounts": [a, c]}
    assert [(desk.account(n).state, desk.account(n).seal_reason) for n in (a, b, c)] == [
        ("02", "离职"), ("01", None), ("02", "退休")]
    assert desk.account(a).sealed_on == TODAY
    records = desk.records("account", "seal")
    assert [r.business_type for r in records] == ["05", "05"]
    assert records[0].before["state"] == "01" and records[0].after["state"] == "02"


def test_seal_refuses_another_units_account_naming_the_row(desk, unit_id):
    a = desk.open(unit_id, 1)
    stranger = desk.open(desk.unit("110002"), 2)
    refusal = desk.refused("seal", unit_id, rows=[{"account_no": a, "reason": "离职"},
                                                  {"account_no": stranger, "reason": "离职"}])
    assert violations(refusal) == [(2, "account_no")]
    assert refusal.message == f"个人账号{stranger}不存在或不属于本单位"
    assert str(refusal).startswith("第2行")
    assert desk.account(a).state == "01"
    desk.seal(a)
    again = desk.refused("seal", unit_id, rows=[{"account_no": a, "reason": "调出"}])
    assert violations(again) == [(1, "state")] and "只有“正常”状态的账户可以封存" in again.message


def test_seal_row_schema_offers_the_reasons(desk, unit_id):
    assert desk.errors("seal", unit_id, row={"account_no": "1", "reason": "不想交"}) == {"reason": "请选择封存原因"}
    assert desk.errors("seal", unit_id, row={"reason": "离职"}) == {"account_no": "Required"}


def test_unseal_resumes_deposits_and_changes_the_base_when_given(desk, unit_id):
    a, b = desk.open(unit_id, 1), desk.open(unit_id, 2, base="8000")
    desk.seal(a)
    desk.seal(b)
    result = desk.run("unseal", unit_id, rows=[{"account_no": a, "base": "6000"}, {"account_no": b}], today=LATER)
    assert result == {"accounts": [a, b]}
    first, second = desk.account(a), desk.account(b)
    assert (first.state, first.base, first.monthly_amount, first.sealed_on) == ("01", D("6000.00"), D("1440.00"), None)
    assert (second.state, second.base, second.monthly_amount) == ("01", D("8000.00"), D("1920.00"))
    assert len(desk.records("account", "unseal")) == 2
    assert [r.after["base"] for r in desk.records("account", "base_change")] == ["6000.00"]


def test_unseal_refuses_a_normal_account_and_a_bad_base(desk, unit_id):
    a, b = desk.open(unit_id, 1), desk.open(unit_id, 2)
    desk.seal(a)
    refusal = desk.refused("unseal", unit_id, rows=[{"account_no": a, "base": "50000"}, {"account_no": b}],
                           today=LATER)
    assert violations(refusal) == [(1, "base"), (2, "state")]
    assert desk.account(a).state == "02"
    assert desk.errors("unseal", unit_id, row={"account_no": a, "base": "-1"}) == {"base": "新缴存基数须不小于0.01"}


# --- 集中封存 ------------------------------------------------------------------------------

def test_bulk_seal_seals_one_department_then_the_whole_unit(desk, unit_id):
    finance = [desk.open(unit_id, n, department="财务部") for n in (1, 2)]
    office = desk.open(unit_id, 3, department="综合办公室")
    loose = desk.open(unit_id, 4)
    desk.seal(finance[1])
    result = desk.run("bulk_seal", unit_id, {"reason": "调出", "scope": "department", "department": "财务部"})
    assert result == {"accounts": [finance[0]], "count": "1"}
    assert (desk.account(office).state, desk.account(loose).state) == ("01", "01")
    assert desk.account(finance[1]).seal_reason == "离职"  # already sealed: left as it was
    result = desk.run("bulk_seal", unit_id, {"reason": "其他", "scope": "all"})
    assert result == {"accounts": [office, loose], "count": "2"}
    assert desk.all(select(func.count()).select_from(Account).where(Account.state == "01")) == [0]
    refusal = desk.refused("bulk_seal", unit_id, {"reason": "其他", "scope": "all"})
    assert refusal.field == "scope" and refusal.message == "本单位没有正常状态的个人账户可以封存"


def test_bulk_seal_form_needs_the_department_for_a_department_scope(desk, unit_id):
    assert desk.errors("bulk_seal", unit_id, {"reason": "离职", "scope": "department"}) == \
        {"department": "封存范围为指定部门时，请选择部门"}
    assert desk.errors("bulk_seal", unit_id, {"reason": "离职", "scope": "everyone"}) == {"scope": "请选择封存范围"}


# --- 缴存基数调整 ---------------------------------------------------------------------------

def test_base_adjustment_changes_all_bases_in_one_call(desk, unit_id):
    a, b, c = desk.open(unit_id, 1), desk.open(unit_id, 2), desk.open(unit_id, 3)
    result = desk.run("base_adjustment", unit_id, rows=[{"account_no": a, "base": "7000"},
                                                        {"account_no": c, "base": "2500.55"}])
    assert result == {"accounts": [a, c]}
    assert [desk.account(n).base for n in (a, b, c)] == [D("7000.00"), D("5000.00"), D("2500.55")]
    assert desk.account(a).monthly_amount == D("1680.00")
    assert desk.account(c).unit_amount == D("300.07")
    records = desk.records("account", "base_change")
    assert [(r.business_type, r.before["base"], r.after["base"]) for r in records] == [
        ("10", "5000.00", "7000.00"), ("10", "5000.00", "2500.55")]


def test_base_adjustment_reports_every_bad_row_and_changes_nothing(desk, unit_id):
    a, b = desk.open(unit_id, 1), desk.open(unit_id, 2)
    desk.seal(b)
    refusal = desk.refused("base_adjustment", unit_id, rows=[{"account_no": a, "base": "99999"},
                                                             {"account_no": b, "base": "6000"}])
    assert violations(refusal) == [(1, "base"), (2, "state")]
    missing = desk.refused("base_adjustment", unit_id, rows=[{"account_no": a, "base": "6000"},
                                                             {"account_no": "nobody", "base": "6000"},
                                                             {"account_no": a, "base": "6100"}])
    assert violations(missing) == [(2, "account_no"), (3, "account_no")]
    assert desk.account(a).base == D("5000.00")


def test_base_adjustment_row_schema(desk, unit_id):
    assert desk.errors("base_adjustment", unit_id, row={"account_no": "1", "base": "-5000"}) == \
        {"base": "缴存基数须不小于0.01"}
    assert desk.errors("base_adjustment", unit_id, row={"account_no": "1", "base": "1e3x"}) == \
        {"base": "缴存基数须为数字"}
    _, (row,) = desk.parse("base_adjustment", unit_id, rows=[{"account_no": "1", "base": "5,000.5"}])
    assert row["base"] == D("5000.50") and isinstance(row["base"], Decimal)


# --- 缴存人基本信息变更 ----------------------------------------------------------------------

def test_person_change_changes_only_what_is_filled_in(desk, unit_id):
    a, b = desk.open(unit_id, 1, name="张三"), desk.open(unit_id, 2, name="李四")
    new_id = resident(50, "2")
    result = desk.run("person_change", unit_id, rows=[
        {"account_no": a, "name": "张叁", "phone": "13900000001"},
        {"account_no": b, "name": "", "id_no": new_id, "phone": ""},
    ])
    assert result == {"accounts": [a, b]}
    zhang, li = desk.person(a), desk.person(b)
    assert (zhang.name, zhang.phone, zhang.id_no) == ("张叁", "13900000001", resident(1))
    assert (li.name, li.id_no, li.gender) == ("李四", new_id, "2")
    records = desk.records("person", "person_change")
    assert [(r.before["name"], r.after["name"]) for r in records] == [("张三", "张叁"), ("李四", "李四")]
    assert records[1].before["id_no"] == resident(2) and records[1].after["id_no"] == new_id


def test_person_change_refuses_a_taken_id_number_and_another_type(desk, unit_id):
    a, b = desk.open(unit_id, 1), desk.open(unit_id, 2)
    refusal = desk.refused("person_change", unit_id, rows=[{"account_no": a, "name": "新名"},
                                                           {"account_no": b, "id_no": resident(1)}])
    assert violations(refusal) == [(2, "id_no")] and "已登记给缴存人" in refusal.message
    passport = {"account_no": a, "id_type": "03", "id_no": "E1234567"}
    typed = desk.refused("person_change", unit_id, rows=[passport])
    assert violations(typed) == [(1, "id_type")] and "柜台" in typed.message
    assert desk.person(a).name == "职工1"


def test_person_change_row_schema(desk, unit_id):
    assert desk.errors("person_change", unit_id, row={"account_no": "1"}) == \
        {"form": "请至少填写一项要变更的内容（姓名、证件号码或手机号码）"}
    wrong_id = {"account_no": "1", "id_no": bad_check_digit(resident(7))}
    assert checked(desk.errors("person_change", unit_id, row=wrong_id))
    assert "手机号码" in desk.errors("person_change", unit_id, row={"account_no": "1", "phone": "1380000"})["phone"]


def test_person_info_change_changes_one_person(desk, unit_id):
    a, b = desk.open(unit_id, 1, name="张三"), desk.open(unit_id, 2, name="李四")
    new_id = resident(51, "2")
    result = desk.run("person_info_change", unit_id, {"account_no": a, "name": "张叁", "id_no": new_id,
                                                      "phone": ""})
    assert result == {"account_no": a, "changed": "姓名、证件号码"}
    zhang = desk.person(a)
    assert (zhang.name, zhang.id_no, zhang.gender, zhang.phone) == ("张叁", new_id, "2", None)
    assert desk.person(b).name == "李四"
    [record] = desk.records("person", "person_change")
    assert (record.before["name"], record.after["name"], record.after["id_no"]) == ("张三", "张叁", new_id)


def test_person_info_change_refusals(desk, unit_id):
    a, b = desk.open(unit_id, 1, name="张三"), desk.open(unit_id, 2)
    stranger = desk.open(desk.unit("110002"), 3)
    assert desk.errors("person_info_change", unit_id, {"account_no": a}) == \
        {"form": "请至少填写一项要变更的内容（姓名、证件号码或手机号码）"}
    wrong_id = {"account_no": a, "id_no": bad_check_digit(resident(9))}
    assert checked(desk.errors("person_info_change", unit_id, wrong_id))
    taken = desk.refused("person_info_change", unit_id, {"account_no": a, "id_no": resident(2)})
    assert violations(taken) == [(None, "id_no")] and "已登记给缴存人" in taken.message
    other = desk.refused("person_info_change", unit_id, {"account_no": stranger, "name": "新名"})
    assert other.field == "account_no" and "不属于本单位" in other.message
    same = desk.refused("person_info_change", unit_id, {"account_no": a, "name": "张三"})
    assert same.field == "name" and "相同" in same.message
    assert desk.person(a).name == "张三" and desk.person(b).id_no == resident(2)


# --- 同城转移 -----------------------------------------------------------------------------

def test_internal_transfer_moves_accounts_and_their_money_into_the_unit(desk, unit_id):
    old = desk.unit("110002")
    by_number, by_id = desk.open(old, 1, name="张三"), desk.open(old, 2, name="李四")
    desk.credit(by_number, "1200.00")
    desk.credit(by_id, "800.50")
    desk.seal(by_id)
    result = desk.run("internal_transfer", unit_id, rows=[{"account_no": by_number, "name": "张三"},
                                                          {"id_no": resident(2), "name": "李四"}])
    assert result == {"accounts": [by_number, by_id]}
    for number in (by_number, by_id):
        account = desk.account(number)
        assert (account.unit_id, account.state, account.department_id) == (unit_id, "01", None)
    with desk.runtime.session() as db:
        assert db.get(Unit, unit_id).balance == D("2000.50")
        assert db.get(Unit, old).balance == D("0.00")
    assert desk.ledgers_ok() == []
    lines = desk.all(select(LedgerEntry).where(LedgerEntry.business_type == "06", LedgerEntry.kind == "unit"))
    assert sorted(line.amount for line in lines) == [D("-1200.00"), D("-800.50"), D("800.50"), D("1200.00")]
    assert [r.business_type for r in desk.records("account", "transfer")] == ["06", "06"]


def test_internal_transfer_refuses_wrong_names_and_own_accounts(desk, unit_id):
    old = desk.unit("110002")
    theirs, ours = desk.open(old, 1, name="张三"), desk.open(unit_id, 2, name="李四")
    refusal = desk.refused("internal_transfer", unit_id, rows=[
        {"account_no": theirs, "name": "张四"},
        {"account_no": ours, "name": "李四"},
        {"account_no": "nobody", "name": "王五"},
        {"id_no": resident(3), "name": "赵六"},
    ])
    assert violations(refusal) == [(1, "name"), (2, "account_no"), (3, "account_no"), (4, "id_no")]
    assert "已在本单位" in refusal.violations[1].message
    assert desk.account(theirs).unit_id == old


def test_internal_transfer_row_schema(desk, unit_id):
    assert desk.errors("internal_transfer", unit_id, row={"name": "张三"}) == \
        {"account_no": "请填写转出个人账号或证件号码"}
    assert checked(desk.errors("internal_transfer", unit_id, row={"name": "张三", "id_no": bad_check_digit(resident(3))}))


# --- 个人账户合并 ---------------------------------------------------------------------------

def test_account_merge_moves_the_balance_and_closes_the_duplicate(desk, unit_id):
    old = desk.unit("110002")
    duplicate = desk.open(old, 1)
    desk.credit(duplicate, "1000.00")
    desk.seal(duplicate)
    kept = desk.open(unit_id, 1)
    desk.credit(kept, "500.00")
    result = desk.run("account_merge", unit_id, {"from_account_no": duplicate, "into_account_no": kept})
    assert result == {"from_account": duplicate, "into_account": kept, "balance": "1500.00"}
    closed = desk.account(duplicate)
    assert (closed.state, closed.balance, closed.merged_into_id) == ("03", D("0.00"), desk.account(kept).id)
    assert desk.ledgers_ok() == []
    assert [r.action for r in desk.all(select(ChangeRecord).where(ChangeRecord.action.like("merge%"))
                                       .order_by(ChangeRecord.id))] == ["merge_out", "merge_in"]


def test_account_merge_refusals_name_the_field(desk, unit_id):
    other = desk.unit("110002")
    theirs = desk.open(other, 1)
    desk.seal(theirs)
    desk.run("unseal", other, rows=[{"account_no": theirs}], today=LATER)  # normal again in the other unit
    ours = desk.open(unit_id, 2)
    refusal = desk.refused("account_merge", unit_id, {"from_account_no": theirs, "into_account_no": ours})
    assert refusal.field == "from_account_no" and "未封存" in refusal.message
    refusal = desk.refused("account_merge", unit_id, {"from_account_no": ours, "into_account_no": theirs})
    assert refusal.field == "into_account_no" and "不属于本单位" in refusal.message
    mine = desk.open(unit_id, 3)
    refusal = desk.refused("account_merge", unit_id, {"from_account_no": mine, "into_account_no": ours})
    assert refusal.field == "into_account_id" and "不属于同一缴存人" in refusal.message
    assert desk.errors("account_merge", unit_id, {"from_account_no": ours, "into_account_no": ours}) == \
        {"into_account_no": "保留个人账号不能与被合并个人账号相同"}


# --- 经办人管理 ----------------------------------------------------------------------------

def operators(desk, unit_id) -> dict[str, Operator]:
    return {o.login_name: o for o in desk.all(select(Operator).where(Operator.unit_id == unit_id))}


def test_operator_management_adds_changes_and_disables(desk, unit_id):
    result = desk.run("operator_management", unit_id, rows=[
        {"action": "add", "login_name": "wang", "name": "王五", "id_no": resident(11), "phone": "13700000011"},
        {"action": "add", "login_name": "zhao", "name": "赵六", "id_no": resident(12)},
    ])
    assert result["operators"] == ["wang", "zhao"]
    passwords = result["initial_passwords"]
    assert set(passwords) == {"wang", "zhao"} and passwords["wang"] != passwords["zhao"]
    found = operators(desk, unit_id)
    for login in ("wang", "zhao"):
        assert verify_password(found[login].password_hash, passwords[login])
        assert (found[login].must_change_password, found[login].active, found[login].is_admin) == (True, True, False)
        assert len(passwords[login]) >= 12
    assert found["wang"].phone == "13700000011"
    result = desk.run("operator_management", unit_id, rows=[
        {"action": "change", "login_name": "wang", "phone": "13700000099"},
        {"action": "disable", "login_name": "zhao"},
    ])
    assert result == {"operators": ["wang", "zhao"], "initial_passwords": {}}
    found = operators(desk, unit_id)
    assert (found["wang"].phone, found["wang"].name, found["zhao"].active) == ("13700000099", "王五", False)
    records = desk.all(select(ChangeRecord).where(ChangeRecord.entity == "operator").order_by(ChangeRecord.id))
    assert [r.action for r in records] == ["operator_add", "operator_add", "operator_change", "operator_disable"]
    assert records[2].before["phone"] == "13700000011" and records[2].after["phone"] == "13700000099"
    assert records[3].before["active"] is True and records[3].after["active"] is False
    for record in records:
        text = repr(record.before) + repr(record.after)
        assert "password_hash" not in text and not any(p in text for p in passwords.values())


def test_operator_management_refuses_duplicates_naming_the_row(desk, unit_id):
    add = {"action": "add", "login_name": "wang", "name": "王五", "id_no": resident(11)}
    taken = desk.refused("operator_management", unit_id, rows=[add, {**add, "login_name": "admin"}])
    assert violations(taken) == [(2, "login_name")] and taken.message == "登录名“admin”已存在"
    twice = desk.refused("operator_management", unit_id, rows=[add, {**add, "name": "王六"}])
    assert violations(twice) == [(2, "login_name")] and "与第1行重复" in twice.message
    same_person = desk.refused("operator_management", unit_id, rows=[{**add, "id_no": resident(901)}])
    assert violations(same_person) == [(1, "id_no")] and "已是本单位经办人" in same_person.message
    last = desk.refused("operator_management", unit_id, rows=[{"action": "disable", "login_name": "admin"}])
    assert violations(last) == [(1, "login_name")] and "最后一个经办人" in last.message
    unknown = desk.refused("operator_management", unit_id, rows=[{"action": "change", "login_name": "ghost",
                                                                  "name": "鬼"}])
    assert violations(unknown) == [(1, "login_name")]
    assert set(operators(desk, unit_id)) == {"admin"}


def test_operator_management_row_schema(desk, unit_id):
    assert desk.errors("operator_management", unit_id, row={"action": "add", "login_name": "wang"}) == \
        {"name": "新增经办人须填写姓名", "id_no": "新增经办人须填写证件号码"}
    assert checked(desk.errors("operator_management", unit_id, row={
        "action": "add", "login_name": "wang", "name": "王五", "id_no": bad_check_digit(resident(11))}))
    assert desk.errors("operator_management", unit_id, row={"action": "delete", "login_name": "wang"}) == \
        {"action": "请选择操作"}


def test_initial_passwords_are_random_and_mixed():
    drawn = {organisation.initial_password() for _ in range(50)}
    assert len(drawn) == 50
    for password in drawn:
        assert len(password) == 12
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)


# --- 部门管理 ------------------------------------------------------------------------------

def departments(desk, unit_id) -> list[str]:
    return desk.all(select(Department.name).where(Department.unit_id == unit_id).order_by(Department.name))


def test_departments_add_rename_move_and_remove(desk, unit_id):
    a, b = desk.open(unit_id, 1, department="财务部"), desk.open(unit_id, 2)
    assert desk.run("departments", unit_id, {"action": "add", "new_name": "销售部"}) == \
        {"action": "add", "department": "销售部"}
    assert desk.run("departments", unit_id, {"action": "rename", "department": "销售部", "new_name": "市场部"}) == \
        {"action": "rename", "department": "市场部"}
    assert departments(desk, unit_id) == sorted(["综合办公室", "财务部", "市场部"])
    moved = desk.run("departments", unit_id, {"action": "move", "department": "市场部", "account_nos": f"{a}，{b} {a}"})
    assert moved == {"action": "move", "department": "市场部", "accounts": [a, b]}
    with desk.runtime.session() as db:
        market = lookups.department_by_name(db, unit_id, "市场部")
    assert desk.account(a).department_id == desk.account(b).department_id == market.id
    assert desk.run("departments", unit_id, {"action": "remove", "department": "财务部"}) == \
        {"action": "remove", "department": "财务部"}
    assert departments(desk, unit_id) == sorted(["综合办公室", "市场部"])
    records = desk.all(select(ChangeRecord).where(ChangeRecord.entity == "department").order_by(ChangeRecord.id))
    assert [(r.action, (r.before or {}).get("name"), (r.after or {}).get("name")) for r in records] == [
        ("department_add", None, "销售部"), ("department_rename", "销售部", "市场部"),
        ("department_remove", "财务部", None)]
    moves = desk.records("account", "department_change")
    assert [(r.before["department"], r.after["department"]) for r in moves] == [("财务部", "市场部"), (None, "市场部")]


def test_departments_refusals(desk, unit_id):
    a = desk.open(unit_id, 1, department="财务部")
    stranger = desk.open(desk.unit("110002"), 2)
    refusal = desk.refused("departments", unit_id, {"action": "remove", "department": "财务部"})
    assert refusal.field == "department" and refusal.message.startswith("部门“财务部”下还有1个")
    refusal = desk.refused("departments", unit_id, {"action": "add", "new_name": "财务部"})
    assert refusal.field == "new_name" and refusal.message == "部门“财务部”已存在"
    refusal = desk.refused("departments", unit_id, {"action": "move", "department": "综合办公室",
                                                    "account_nos": f"{a} {stranger}"})
    assert refusal.field == "account_nos" and stranger in refusal.message
    assert desk.account(a).department_id is not None
    assert desk.errors("departments", unit_id, {"action": "move", "department": "财务部"}) == \
        {"account_nos": "请填写要调整的个人账号"}
    assert desk.errors("departments", unit_id, {"action": "rename"}) == \
        {"department": "请选择部门", "new_name": "请填写新部门名称"}
    assert desk.errors("departments", unit_id, {"action": "remove", "department": "销售部"}) == \
        {"department": "请选择部门"}
