"""The standard unit and deposit items (core/items/unit.py, core/items/deposits.py), on
SQLite and PostgreSQL: each form is deserialized through its bound schema as the engine
does, the effect is applied to an application, and what a user notices is checked.

The seeded unit U1 (ratios 12% + 12%, paid to 2026-10) has three normal accounts:
A base 5000 (600 + 600 = 1200), B base 6000 (720 + 720 = 1440), C base 7000 (840 + 840 = 1680),
4320.00 a month. ``paid=True`` verifies and pays 2026-11, so A, B, C hold 1200, 1440, 1680.
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.codes import UnitState
from core.contract import INSTANT, ONE_REVIEW, TWO_REVIEWS
from core.invariants import check_ledgers
from core.items import deposits
from core.items import unit as unit_items
from core.models import (
    Account, Application, BankAccount, ChangeRecord, Deferral, DirectDebitAgreement, HistoryEntry, LedgerEntry,
    Message, OverAgeRegistration, Person, RatioChange, RatioReduction, RemittanceVerification, Supplement,
    SupplementDetail, Unit,
)
from core.money import remittance
from core.money.books import Books
from core.money.errors import BusinessError, ConcurrentChange
from core.workflow import forms
from core.workflow.forms import FormErrors
from tests.conftest import make_runtime

D = Decimal
TODAY = date(2026, 11, 20)
ITEMS = {item.code: item for item in unit_items.ITEMS + deposits.ITEMS}
CARD_1 = "6222020200000000006"  # Luhn-valid
CARD_2 = "6217000000000000004"


@pytest.fixture
def runtime(database_url):
    return make_runtime(database_url)


RATIO = Decimal("0.12")


def add_account(db, unit_id, number, base, paid_to="2026-10", state="01", ratio=RATIO, birth=None) -> int:
    person = Person(name=f"职工{number}", id_no=f"ID{number}", birth_date=birth, gender="1")
    db.add(person)
    db.flush()
    part = (base * ratio).quantize(D("0.01"))
    account = Account(account_no=number, person_id=person.id, unit_id=unit_id, state=state, base=base,
                      unit_ratio=ratio, personal_ratio=ratio, unit_amount=part, personal_amount=part,
                      monthly_amount=part * 2, paid_to=paid_to)
    db.add(account)
    db.flush()
    return account.id


def seed(runtime, number="U1", accounts=(("A", "5000"), ("B", "6000"), ("C", "7000")), paid=False):
    """A unit paid to 2026-10 with its accounts; returns (unit id, {name: account id})."""
    with runtime.session() as db:
        unit = Unit(unit_no=number, name=f"单位{number}", paid_to="2026-10", address="城东路1号", postcode="048000",
                    legal_rep="王法人", contact_name="李联系", contact_phone="13800138000")
        db.add(unit)
        db.flush()
        ids = {name: add_account(db, unit.id, f"{number}{name}", D(base)) for name, base in accounts}
        unit_id = unit.id
    if paid:
        with runtime.session() as db:
            b = books(db, runtime)
            [verified] = remittance.verify(b, unit_id, 1)
            payment = remittance.receive_payment(b, unit_id, verified.amount, source="counter",
                                                 reference=f"P-{number}", received_on=TODAY)
            remittance.allocate(b, payment.id)
    return unit_id, ids


def books(db, runtime, application_id=None, today=TODAY):
    return Books(db=db, runtime=runtime, actor="clerk:1", today=today, application_id=application_id)


def bound(code, db, unit_id, runtime, row=False):
    item = ITEMS[code]
    return forms.bind(item.row_schema if row else item.schema, centre=runtime.centre, db=db,
                      unit=db.get(Unit, unit_id))


def apply(runtime, code, unit_id, data=None, rows=(), *, history=(), today=TODAY):
    """Deserialize the stored form through the bound schemas, as the engine does, and
    apply the item's effect to a new application in one transaction."""
    item = ITEMS[code]
    with runtime.session() as db:
        values, parsed = forms.check(item, dict(data or {}), [dict(r) for r in rows], centre=runtime.centre,
                                     db=db, unit=db.get(Unit, unit_id))
        application = Application(item_code=code, unit_id=unit_id, status="submitted", data=dict(data or {}))
        db.add(application)
        db.flush()
        for opinion in history:
            db.add(HistoryEntry(application_id=application.id, step=0, role="first_review", actor="clerk:1",
                                actor_name="柜员", action="approve", from_status="submitted",
                                to_status="completed", opinion=opinion))
        db.flush()
        return item.effect(books(db, runtime, application.id, today), application, values, parsed)


def refused(runtime, code, unit_id, data=None, rows=(), *, error=BusinessError, **kw):
    with pytest.raises(error) as caught:
        apply(runtime, code, unit_id, data, rows, **kw)
    return caught.value


def count(runtime, model, **where):
    with runtime.session() as db:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.scalar(query)


def unit_of(runtime, unit_id):
    with runtime.session() as db:
        unit = db.get(Unit, unit_id)
        db.expunge(unit)
        return unit


def accounts_of(runtime, unit_id):
    with runtime.session() as db:
        return {a.account_no: a for a in db.scalars(select(Account).where(Account.unit_id == unit_id))
                if db.expunge(a) is None}


def assert_books_balance(runtime):
    with runtime.session() as db:
        assert check_ledgers(db) == []


# ----------------------------------------------------------------------------- the declarations


def test_items_are_declared_with_their_chains_menus_and_kinds():
    chains = {"unit_info_change": ONE_REVIEW, "bank_account": ONE_REVIEW, "bank_account_registration": ONE_REVIEW,
              "bank_account_change": ONE_REVIEW, "unit_ratio_adjustment": ONE_REVIEW,
              "ratio_reduction": TWO_REVIEWS, "deferral": TWO_REVIEWS, "direct_debit": ONE_REVIEW,
              "unit_deregistration": TWO_REVIEWS, "remittance": ONE_REVIEW, "supplement": ONE_REVIEW,
              "cancel_verification": INSTANT, "mispayment_adjustment": ONE_REVIEW,
              "over_age_registration": ONE_REVIEW, "deposit_certificate": INSTANT, "consultation": deposits.ANSWERED}
    assert {code: item.chain for code, item in ITEMS.items()} == chains
    assert {i.code for i in unit_items.ITEMS} == {c for c in chains if c in {
        "unit_info_change", "bank_account", "bank_account_registration", "bank_account_change",
        "unit_ratio_adjustment", "ratio_reduction", "deferral", "direct_debit", "unit_deregistration"}}
    assert all(item.menu_path == ("单位业务",) for item in unit_items.ITEMS)
    assert ITEMS["consultation"].menu_path == ("咨询建议",)
    assert all(item.menu_path == ("缴存业务",) for item in deposits.ITEMS if item.code != "consultation")
    assert ITEMS["unit_info_change"].kind == "change"
    assert ITEMS["supplement"].kind == ITEMS["over_age_registration"].kind == "list"
    assert ITEMS["mispayment_adjustment"].kind == "list" and ITEMS["mispayment_adjustment"].schema is None
    assert ITEMS["unit_info_change"].checks == ("enterprise", "credit_code")
    assert [title for title, _ in ITEMS["remittance"].exports] == ["缴存人汇缴明细清册", "汇缴核定变更清册",
                                                                    "汇缴缴存人超龄清册"]
    registration, change = ITEMS["bank_account_registration"], ITEMS["bank_account_change"]
    with_action = [name for item in (registration, change)
                   for name in forms.bind(item.schema, centre=None, db=None, unit=None).children if name == "action"]
    assert not with_action  # no 业务类型 select: the item is the action
    assert (ITEMS["remittance"].collection_type, ITEMS["supplement"].collection_type,
            ITEMS["deferral"].collection_type) == ("01", "02", "13")
    for item in ITEMS.values():  # every schema binds without a database (the docs page does this)
        for factory in (item.schema, item.row_schema):
            if factory is not None:
                assert forms.bind(factory, centre=None, db=None, unit=None).children


def test_the_items_are_in_a_centres_catalogue(runtime):
    assert set(ITEMS) <= set(runtime.catalogue.items)


# ----------------------------------------------------------------------------- 单位登记信息变更


def test_unit_info_change_shows_the_unit_and_applies_the_staged_changes(runtime):
    unit_id, _ = seed(runtime)
    with runtime.session() as db:
        initial = ITEMS["unit_info_change"].initial(db, db.get(Unit, unit_id))
        schema = bound("unit_info_change", db, unit_id, runtime)
        assert schema["unit_no"].widget.readonly and schema["name"].widget.readonly
        assert schema["credit_code"].widget.readonly and not schema["address"].widget.readonly
    assert initial == {"unit_no": "U1", "name": "单位U1", "credit_code": "", "address": "城东路1号",
                       "postcode": "048000", "legal_rep": "王法人", "contact_name": "李联系",
                       "contact_phone": "13800138000"}
    form = {**initial, "address": "城西路2号", "contact_phone": "0356-2021234"}
    rows = [{"field": "address", "label": "单位地址", "before": "城东路1号", "after": "城西路2号"},
            {"field": "contact_phone", "label": "联系电话", "before": "13800138000", "after": "0356-2021234"}]
    result = apply(runtime, "unit_info_change", unit_id, form, rows)
    assert result == {"changed": "单位地址、联系电话"}
    unit = unit_of(runtime, unit_id)
    assert (unit.address, unit.contact_phone, unit.name, unit.legal_rep) == (
        "城西路2号", "0356-2021234", "单位U1", "王法人")
    with runtime.session() as db:
        record = db.scalars(select(ChangeRecord).where(ChangeRecord.action == "info_change")).one()
        assert record.before == {"address": "城东路1号", "contact_phone": "13800138000"}
        assert record.after == {"address": "城西路2号", "contact_phone": "0356-2021234"}
        assert record.entity == "unit" and record.entity_id == unit_id and record.application_id is not None


def test_unit_info_change_refuses_bad_rows_naming_them_and_writes_nothing(runtime):
    unit_id, _ = seed(runtime)
    with runtime.session() as db:
        form = ITEMS["unit_info_change"].initial(db, db.get(Unit, unit_id))
    good = {"field": "address", "label": "单位地址", "before": "城东路1号", "after": "城西路2号"}
    error = refused(runtime, "unit_info_change", unit_id, form, [good, {
        "field": "postcode", "label": "邮政编码", "before": "048000", "after": "04800"}])
    assert (error.row, error.field) == (2, "after") and "6位数字" in error.message
    error = refused(runtime, "unit_info_change", unit_id, form, [
        {**good, "before": "旧地址"}], error=ConcurrentChange)
    assert (error.row, error.field) == (1, "before") and "城东路1号" in error.message
    error = refused(runtime, "unit_info_change", unit_id, form, [
        {"field": "name", "label": "单位名称", "before": "单位U1", "after": "新名称"}], error=FormErrors)
    assert error.rows == {1: {"field": "请选择变更项目"}}
    error = refused(runtime, "unit_info_change", unit_id, form, [], error=FormErrors)
    assert set(error.fields) == {"rows"}
    error = refused(runtime, "unit_info_change", unit_id, {**form, "contact_phone": "12345"}, [good],
                    error=FormErrors)
    assert set(error.fields) == {"contact_phone"}
    assert unit_of(runtime, unit_id).address == "城东路1号"
    assert count(runtime, ChangeRecord) == 0 and count(runtime, Application) == 0


# ----------------------------------------------------------------------------- 单位银行账户


def test_bank_account_register_change_and_deactivate(runtime):
    unit_id, _ = seed(runtime)
    result = apply(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "工商银行晋城分行",
                                                      "account_name": "单位U1", "account_no": CARD_1})
    bank_id = int(result["bank_account_id"])
    assert result == {"bank_account_id": str(bank_id), "account_no": CARD_1, "active": "是"}
    with runtime.session() as db:
        assert bound("bank_account", db, unit_id, runtime)["bank_account_id"].widget.values[1:] == [
            (str(bank_id), f"工商银行晋城分行 {CARD_1}（单位U1）")]
    apply(runtime, "bank_account", unit_id, {"action": "change", "bank_account_id": str(bank_id),
                                             "bank_name": "工商银行城区支行", "account_no": CARD_2})
    with runtime.session() as db:
        bank = db.get(BankAccount, bank_id)
        assert (bank.bank_name, bank.account_name, bank.account_no, bank.active) == (
            "工商银行城区支行", "单位U1", CARD_2, True)
        record = db.scalars(select(ChangeRecord).where(ChangeRecord.action == "bank_account_change")).one()
        assert record.before["account_no"] == CARD_1 and record.after["account_no"] == CARD_2
    apply(runtime, "bank_account", unit_id, {"action": "deactivate", "bank_account_id": str(bank_id)})
    with runtime.session() as db:
        assert db.get(BankAccount, bank_id).active is False
        assert bound("bank_account", db, unit_id, runtime)["bank_account_id"].widget.values == [("", "请选择")]


def test_bank_account_refusals(runtime):
    unit_id, _ = seed(runtime)
    error = refused(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "工商银行",
                                                       "account_name": "单位U1", "account_no": "6222020200000000007"},
                    error=FormErrors)
    assert "account_no" in error.fields and "校验位" in error.fields["account_no"]
    error = refused(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "工商银行"},
                    error=FormErrors)
    assert set(error.fields) == {"account_name", "account_no"}
    error = refused(runtime, "bank_account", unit_id, {"action": "change"}, error=FormErrors)
    assert set(error.fields) == {"bank_account_id"}
    apply(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "工商银行",
                                             "account_name": "单位U1", "account_no": CARD_1})
    error = refused(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "建设银行",
                                                       "account_name": "单位U1", "account_no": CARD_1})
    assert error.field == "account_no" and "已登记" in error.message
    assert count(runtime, BankAccount) == 1


def test_bank_account_registration_and_change_items(runtime):
    unit_id, _ = seed(runtime)
    result = apply(runtime, "bank_account_registration", unit_id, {
        "bank_name": "工商银行晋城分行", "account_name": "单位U1", "account_no": CARD_1})
    bank_id = int(result["bank_account_id"])
    assert result == {"bank_account_id": str(bank_id), "account_no": CARD_1, "active": "是"}
    with runtime.session() as db:  # the change item lists the registered account to choose
        assert bound("bank_account_change", db, unit_id, runtime)["bank_account_id"].widget.values[1:] == [
            (str(bank_id), f"工商银行晋城分行 {CARD_1}（单位U1）")]
    apply(runtime, "bank_account_change", unit_id, {"bank_account_id": str(bank_id), "account_no": CARD_2})
    with runtime.session() as db:
        bank = db.get(BankAccount, bank_id)
        assert (bank.bank_name, bank.account_name, bank.account_no, bank.active) == (
            "工商银行晋城分行", "单位U1", CARD_2, True)
        actions = db.scalars(select(ChangeRecord.action).where(ChangeRecord.entity == "bank_account")
                             .order_by(ChangeRecord.id)).all()
        assert actions == ["bank_account_register", "bank_account_change"]


def test_bank_account_registration_and_change_refusals(runtime):
    unit_id, _ = seed(runtime)
    error = refused(runtime, "bank_account_registration", unit_id, {"bank_name": "工商银行"}, error=FormErrors)
    assert set(error.fields) == {"account_name", "account_no"}
    bank_id = apply(runtime, "bank_account_registration", unit_id, {
        "bank_name": "工商银行", "account_name": "单位U1", "account_no": CARD_1})["bank_account_id"]
    error = refused(runtime, "bank_account_registration", unit_id, {
        "bank_name": "建设银行", "account_name": "单位U1", "account_no": CARD_1})
    assert error.field == "account_no" and "已登记" in error.message
    error = refused(runtime, "bank_account_change", unit_id, {"account_no": CARD_2}, error=FormErrors)
    assert set(error.fields) == {"bank_account_id"}
    error = refused(runtime, "bank_account_change", unit_id, {"bank_account_id": bank_id}, error=FormErrors)
    assert error.fields == {"account_no": "请至少填写一项要变更的银行账户信息"}
    error = refused(runtime, "bank_account_change", unit_id, {"bank_account_id": bank_id, "account_no": CARD_1})
    assert (error.field, error.message) == ("account_no", "银行账户信息没有变化")
    other_id, _ = seed(runtime, "U2", accounts=())
    error = refused(runtime, "bank_account_change", other_id, {"bank_account_id": bank_id, "account_no": CARD_2},
                    error=FormErrors)
    assert set(error.fields) == {"bank_account_id"}  # another unit's account is not among the choices
    assert count(runtime, BankAccount) == 1 and count(runtime, ChangeRecord, action="bank_account_change") == 0


# ----------------------------------------------------------------------------- 缴存比例调整


def test_unit_ratio_adjustment_changes_the_unit_and_its_accounts(runtime):
    unit_id, _ = seed(runtime)
    with runtime.session() as db:
        initial = ITEMS["unit_ratio_adjustment"].initial(db, db.get(Unit, unit_id))
        assert forms.serialize(ITEMS["unit_ratio_adjustment"].schema, initial, centre=None, db=db, unit=None) == {
            "unit_ratio": "12", "personal_ratio": "12", "effective_month": "2026-11"}
    result = apply(runtime, "unit_ratio_adjustment", unit_id,
                   {"unit_ratio": "10", "personal_ratio": "8%", "effective_month": "2026-12"})
    assert result == {"unit_ratio": "10%", "personal_ratio": "8%", "effective_month": "2026-12", "status": "used"}
    unit = unit_of(runtime, unit_id)
    assert (unit.unit_ratio, unit.personal_ratio) == (D("0.1000"), D("0.0800"))
    a = accounts_of(runtime, unit_id)["U1A"]
    assert (a.unit_amount, a.personal_amount, a.monthly_amount) == (D("500.00"), D("400.00"), D("900.00"))
    assert count(runtime, RatioChange, status="used") == 1


def test_unit_ratio_adjustment_refusals(runtime):
    unit_id, _ = seed(runtime)
    error = refused(runtime, "unit_ratio_adjustment", unit_id,
                    {"unit_ratio": "15", "personal_ratio": "12", "effective_month": "2026-12"})
    assert error.field == "unit_ratio" and "5%至12%" in error.message
    error = refused(runtime, "unit_ratio_adjustment", unit_id,
                    {"unit_ratio": "12", "personal_ratio": "12", "effective_month": "2026-12"})
    assert error.field == "unit_ratio" and "相同" in error.message
    error = refused(runtime, "unit_ratio_adjustment", unit_id,
                    {"unit_ratio": "10", "personal_ratio": "10", "effective_month": "2026-13"}, error=FormErrors)
    assert set(error.fields) == {"effective_month"}
    assert count(runtime, RatioChange) == 0 and unit_of(runtime, unit_id).unit_ratio == D("0.12")


# ----------------------------------------------------------------------------- 降低缴存比例/恢复


def test_ratio_reduction_then_restoration_to_the_ratios_before(runtime):
    unit_id, _ = seed(runtime)
    apply(runtime, "unit_ratio_adjustment", unit_id,
          {"unit_ratio": "10", "personal_ratio": "10", "effective_month": "2026-11"})
    result = apply(runtime, "ratio_reduction", unit_id, {
        "kind": "reduce", "unit_ratio": "5", "personal_ratio": "5", "from_month": "2026-12",
        "to_month": "2027-05", "reason": "生产经营困难"})
    assert result == {"kind": "reduce", "unit_ratio": "5%", "personal_ratio": "5%", "from_month": "2026-12",
                      "to_month": "2027-05"}
    assert accounts_of(runtime, unit_id)["U1B"].monthly_amount == D("600.00")  # 6000 × (5% + 5%)
    with runtime.session() as db:
        reduction = db.scalars(select(RatioReduction)).one()
        assert (reduction.status, reduction.previous_unit_ratio, reduction.previous_personal_ratio,
                reduction.from_month, reduction.to_month) == ("active", D("0.10"), D("0.10"), "2026-12", "2027-05")
    error = refused(runtime, "ratio_reduction", unit_id, {
        "kind": "reduce", "unit_ratio": "5", "personal_ratio": "5", "from_month": "2027-01",
        "to_month": "2027-02", "reason": "再次降低"})
    assert error.field == "kind" and "2026-12至2027-05" in error.message
    result = apply(runtime, "ratio_reduction", unit_id, {"kind": "restore", "from_month": "2027-03",
                                                         "reason": "经营好转"})
    assert result == {"kind": "restore", "unit_ratio": "10%", "personal_ratio": "10%", "from_month": "2027-03"}
    unit = unit_of(runtime, unit_id)
    assert (unit.unit_ratio, unit.personal_ratio) == (D("0.10"), D("0.10"))
    assert accounts_of(runtime, unit_id)["U1B"].monthly_amount == D("1200.00")
    with runtime.session() as db:
        reduction = db.scalars(select(RatioReduction)).one()
        assert reduction.status == "restored" and reduction.restored_at is not None
    error = refused(runtime, "ratio_reduction", unit_id, {"kind": "restore", "from_month": "2027-04",
                                                          "reason": "再恢复"})
    assert error.field == "kind" and "没有需要恢复" in error.message


def test_ratio_reduction_refusals(runtime):
    unit_id, _ = seed(runtime)
    error = refused(runtime, "ratio_reduction", unit_id, {"kind": "reduce", "from_month": "2026-12",
                                                          "reason": "困难"}, error=FormErrors)
    assert set(error.fields) == {"unit_ratio", "personal_ratio", "to_month"}
    error = refused(runtime, "ratio_reduction", unit_id, {
        "kind": "reduce", "unit_ratio": "5", "personal_ratio": "5", "from_month": "2027-03",
        "to_month": "2027-01", "reason": "困难"}, error=FormErrors)
    assert set(error.fields) == {"to_month"}
    error = refused(runtime, "ratio_reduction", unit_id, {
        "kind": "reduce", "unit_ratio": "4", "personal_ratio": "4", "from_month": "2026-12",
        "to_month": "2027-05", "reason": "困难"})
    assert {v.field for v in error.violations} == {"unit_ratio", "personal_ratio"}  # below the policy's floor
    assert "5%至12%" in error.message
    assert count(runtime, RatioReduction) == 0 and count(runtime, RatioChange) == 0


# ----------------------------------------------------------------------------- 缓缴


def test_deferral_defers_the_unit_and_refuses_an_overlapping_period(runtime):
    unit_id, _ = seed(runtime)
    result = apply(runtime, "deferral", unit_id, {"from_month": "2026-11", "to_month": "2027-04",
                                                  "reason": "疫情影响经营困难"})
    assert result == {"from_month": "2026-11", "to_month": "2027-04", "state": "缓缴"}
    assert unit_of(runtime, unit_id).state == UnitState.DEFERRED.value
    with runtime.session() as db:
        deferral = db.scalars(select(Deferral)).one()
        assert (deferral.from_month, deferral.to_month, deferral.status) == ("2026-11", "2027-04", "active")
        record = db.scalars(select(ChangeRecord).where(ChangeRecord.action == "deferral")).one()
        assert record.business_type == "13" and record.before == {"state": "01"} and record.after["state"] == "03"
    error = refused(runtime, "deferral", unit_id, {"from_month": "2027-04", "to_month": "2027-06",
                                                   "reason": "延长"})
    assert error.field == "from_month" and "2026-11至2027-04" in error.message
    apply(runtime, "deferral", unit_id, {"from_month": "2027-05", "to_month": "2027-06", "reason": "延长"})
    assert count(runtime, Deferral) == 2


def test_deferral_refusals(runtime):
    unit_id, _ = seed(runtime)
    error = refused(runtime, "deferral", unit_id, {"from_month": "2027-04", "to_month": "2027-01",
                                                   "reason": "困难"}, error=FormErrors)
    assert set(error.fields) == {"to_month"}
    error = refused(runtime, "deferral", unit_id, {"from_month": "2026-10", "to_month": "2027-01",
                                                   "reason": "困难"})
    assert error.field == "from_month" and "2026-10" in error.message
    assert count(runtime, Deferral) == 0 and unit_of(runtime, unit_id).state == "01"


# ----------------------------------------------------------------------------- 委托代扣协议


def register_bank(runtime, unit_id, card=CARD_1) -> str:
    return apply(runtime, "bank_account", unit_id, {"action": "register", "bank_name": "工商银行",
                                                    "account_name": "单位", "account_no": card})["bank_account_id"]


def test_direct_debit_one_active_agreement_per_unit(runtime):
    unit_id, _ = seed(runtime)
    first_bank, second_bank = register_bank(runtime, unit_id), register_bank(runtime, unit_id, CARD_2)
    with runtime.session() as db:
        options = bound("direct_debit", db, unit_id, runtime)["bank_account_id"].widget.values
        assert [value for value, _ in options] == ["", first_bank, second_bank]
    first = apply(runtime, "direct_debit", unit_id, {"bank_account_id": first_bank, "debit_day": "15",
                                                     "start_month": "2026-12"})
    assert first["agreement_no"].startswith("DK20261120") and first["bank_account_no"] == CARD_1
    assert (first["debit_day"], first["start_month"]) == ("15", "2026-12")
    second = apply(runtime, "direct_debit", unit_id, {"bank_account_id": second_bank, "debit_day": "28",
                                                      "start_month": "2027-03"})
    with runtime.session() as db:
        agreements = {a.agreement_no: a for a in db.scalars(select(DirectDebitAgreement))}
        old, new = agreements[first["agreement_no"]], agreements[second["agreement_no"]]
        assert (old.status, old.end_month) == ("ended", "2027-02")
        assert (new.status, new.debit_day, new.bank_account_id) == ("active", 28, int(second_bank))
    error = refused(runtime, "bank_account", unit_id, {"action": "deactivate", "bank_account_id": second_bank})
    assert error.field == "bank_account_id" and second["agreement_no"] in error.message


def test_direct_debit_refusals(runtime):
    unit_id, _ = seed(runtime)
    other_id, _ = seed(runtime, "U2", accounts=())
    bank = register_bank(runtime, unit_id)
    error = refused(runtime, "direct_debit", unit_id, {"bank_account_id": bank, "debit_day": "29",
                                                       "start_month": "2026-12"}, error=FormErrors)
    assert set(error.fields) == {"debit_day"} and "28" in error.fields["debit_day"]
    error = refused(runtime, "direct_debit", other_id, {"bank_account_id": bank, "debit_day": "5",
                                                        "start_month": "2026-12"}, error=FormErrors)
    assert set(error.fields) == {"bank_account_id"}  # another unit's account is not among the choices
    apply(runtime, "direct_debit", unit_id, {"bank_account_id": bank, "debit_day": "5", "start_month": "2026-12"})
    error = refused(runtime, "direct_debit", unit_id, {"bank_account_id": bank, "debit_day": "6",
                                                       "start_month": "2026-12"})
    assert error.field == "start_month"
    assert count(runtime, DirectDebitAgreement) == 1


# ----------------------------------------------------------------------------- 单位销户


def test_unit_deregistration_refused_while_the_unit_has_business(runtime):
    unit_id, ids = seed(runtime, paid=True)
    error = refused(runtime, "unit_deregistration", unit_id, {"reason": "单位注销"})
    assert error.field == "unit_id" and "3个正常状态" in error.message
    with runtime.session() as db:
        for account_id in ids.values():
            db.get(Account, account_id).state = "02"
    error = refused(runtime, "unit_deregistration", unit_id, {"reason": "单位注销"})
    assert "4320.00元" in error.message
    empty_id, _ = seed(runtime, "U2", accounts=())
    with runtime.session() as db:
        db.get(Unit, empty_id).suspense = D("12.50")
    error = refused(runtime, "unit_deregistration", empty_id, {"reason": "单位注销"})
    assert "暂存款12.50元" in error.message
    assert unit_of(runtime, unit_id).state == unit_of(runtime, empty_id).state == "01"


def test_unit_deregistration_closes_an_empty_unit(runtime):
    unit_id, _ = seed(runtime, accounts=())
    result = apply(runtime, "unit_deregistration", unit_id, {"reason": "单位注销"})
    assert result == {"state": "销户", "closed_on": "2026-11-20"}
    assert unit_of(runtime, unit_id).state == UnitState.CLOSED.value
    error = refused(runtime, "unit_deregistration", unit_id, {"reason": "再次销户"})
    assert "已销户" in error.message


def test_unit_deregistration_refused_with_an_unpaid_verification(runtime):
    unit_id, ids = seed(runtime, accounts=(("A", "5000"),))
    apply(runtime, "remittance", unit_id, {"month": "2026-11", "count": "1"})
    with runtime.session() as db:
        db.get(Account, ids["A"]).state = "02"
    error = refused(runtime, "unit_deregistration", unit_id, {"reason": "单位注销"})
    assert "未缴款的核定批次HJ" in error.message


# ----------------------------------------------------------------------------- 汇缴


def test_remittance_verifies_from_the_month_after_paid_to(runtime):
    unit_id, _ = seed(runtime)
    with runtime.session() as db:
        assert ITEMS["remittance"].initial(db, db.get(Unit, unit_id)) == {"month": "2026-11", "count": 1}
    result = apply(runtime, "remittance", unit_id, {"month": "2026-11", "count": "2"})
    assert result["batch_no"].startswith("HJ20261120")
    assert (result["months"], result["amount"], result["headcount"]) == (["2026-11", "2026-12"], "8640.00", "3")
    with runtime.session() as db:
        assert ITEMS["remittance"].initial(db, db.get(Unit, unit_id)) == {"month": "2027-01", "count": 1}
    error = refused(runtime, "remittance", unit_id, {"month": "2026-11", "count": "1"}, error=ConcurrentChange)
    assert error.field == "month" and "2027-01" in error.message
    error = refused(runtime, "remittance", unit_id, {"month": "2027-01", "count": "0"}, error=FormErrors)
    assert set(error.fields) == {"count"}
    assert count(runtime, RemittanceVerification) == 2


# ----------------------------------------------------------------------------- 补缴


def test_supplement_by_month_and_free(runtime):
    unit_id, _ = seed(runtime)
    result = apply(runtime, "supplement", unit_id, {"kind": "by_month", "reason": "漏缴"}, [
        {"account_no": "U1A", "month": "2026-09"}, {"account_no": "U1B", "month": "2026-09"}])
    assert result["batch_no"].startswith("BJ") and (result["amount"], result["headcount"]) == ("2640.00", "2")
    result = apply(runtime, "supplement", unit_id, {"kind": "free", "reason": "少缴"}, [
        {"account_no": "U1C", "amount": "100.01"}])
    assert result["amount"] == "100.01"
    with runtime.session() as db:
        line = db.scalars(select(SupplementDetail).join(Supplement).where(Supplement.kind == "free")).one()
        assert (line.month, line.amount, line.unit_amount + line.personal_amount) == (None, D("100.01"),
                                                                                       D("100.01"))


def test_supplement_refusals_name_every_row(runtime):
    unit_id, _ = seed(runtime)
    seed(runtime, "U2", accounts=(("A", "5000"),))
    error = refused(runtime, "supplement", unit_id, {"kind": "by_month", "reason": "漏缴"}, [
        {"account_no": "U1A", "month": "2026-09", "amount": "10"}, {"account_no": "U2A", "month": "2026-09"},
        {"account_no": "U1B"}])
    assert [(v.row, v.field) for v in error.violations] == [(1, "amount"), (2, "account_no"), (3, "month")]
    error = refused(runtime, "supplement", unit_id, {"kind": "free", "reason": "少缴"}, [
        {"account_no": "U1A", "amount": "10"}, {"account_no": "U1B"}])
    assert [(v.row, v.field) for v in error.violations] == [(2, "amount")]
    error = refused(runtime, "supplement", unit_id, {"kind": "by_month", "reason": "漏缴"}, [
        {"account_no": "U1A", "month": "2026-09"}, {"account_no": "U1A", "month": "2026-09"}])
    assert [(v.row, v.field) for v in error.violations] == [(2, "month")]
    error = refused(runtime, "supplement", unit_id, {"kind": "free", "reason": "少缴"}, [
        {"account_no": "U1A", "amount": "1.001"}], error=FormErrors)
    assert set(error.rows[1]) == {"amount"}
    assert count(runtime, Supplement) == 0


# ----------------------------------------------------------------------------- 取消核定


def test_cancel_verification_lists_and_cancels_unpaid_batches(runtime):
    unit_id, _ = seed(runtime)
    remit = apply(runtime, "remittance", unit_id, {"month": "2026-11", "count": "2"})
    supp = apply(runtime, "supplement", unit_id, {"kind": "free", "reason": "少缴"}, [
        {"account_no": "U1A", "amount": "50"}])
    with runtime.session() as db:
        options = bound("cancel_verification", db, unit_id, runtime)["batch_no"].widget.values
    assert options == [("", "请选择"), (remit["batch_no"], f"{remit['batch_no']} 汇缴 2026-11至2026-12 8640.00元"),
                       (supp["batch_no"], f"{supp['batch_no']} 不定额补缴 50.00元")]
    result = apply(runtime, "cancel_verification", unit_id, {"batch_no": remit["batch_no"]})
    assert result == {"batch_no": remit["batch_no"], "cancelled": "汇缴核定", "months": ["2026-11", "2026-12"]}
    result = apply(runtime, "cancel_verification", unit_id, {"batch_no": supp["batch_no"]})
    assert result == {"batch_no": supp["batch_no"], "cancelled": "补缴核定", "amount": "50.00"}
    assert count(runtime, RemittanceVerification, status="cancelled") == 2
    assert count(runtime, Supplement, status="cancelled") == 1
    error = refused(runtime, "cancel_verification", unit_id, {"batch_no": remit["batch_no"]}, error=FormErrors)
    assert set(error.fields) == {"batch_no"}  # no longer offered


def test_cancel_verification_refuses_another_units_batch(runtime):
    unit_id, _ = seed(runtime)
    other_id, _ = seed(runtime, "U2", accounts=(("A", "5000"),))
    theirs = apply(runtime, "remittance", other_id, {"month": "2026-11", "count": "1"})
    error = refused(runtime, "cancel_verification", unit_id, {"batch_no": theirs["batch_no"]}, error=FormErrors)
    assert set(error.fields) == {"batch_no"}
    with runtime.session() as db:  # even past the form, the effect refuses it
        application = Application(item_code="cancel_verification", unit_id=unit_id, status="submitted", data={})
        db.add(application)
        db.flush()
        with pytest.raises(BusinessError) as caught:
            deposits.cancel_verification(books(db, runtime, application.id), application,
                                         {"batch_no": theirs["batch_no"]}, [])
        assert caught.value.field == "batch_no"
    assert count(runtime, RemittanceVerification, status="verified") == 1


# ----------------------------------------------------------------------------- 错缴调整


def mispayment(from_no, to_no, amount, month="2026-11", reason="张三的缴存额误缴入李四账户") -> dict:
    return {"from_account_no": from_no, "to_account_no": to_no, "amount": amount, "month": month, "reason": reason}


def test_mispayment_adjustment_moves_money_line_by_line_with_ledger_lines_on_both_sides(runtime):
    unit_id, ids = seed(runtime, paid=True)
    result = apply(runtime, "mispayment_adjustment", unit_id, None, [
        mispayment("U1A", "U1B", "200.50"), mispayment("U1C", "U1A", "80.00", "2026-10", "错缴")])
    assert (result["count"], result["amount"]) == ("2", "280.50")
    assert [(line["from_balance"], line["to_balance"]) for line in result["lines"]] == [
        ("999.50", "1640.50"), ("1600.00", "1079.50")]
    balances = {no: a.balance for no, a in accounts_of(runtime, unit_id).items()}
    assert balances == {"U1A": D("1079.50"), "U1B": D("1640.50"), "U1C": D("1600.00")}
    assert unit_of(runtime, unit_id).balance == D("4320.00")  # money moves between the unit's own accounts
    first, second = result["flow_no"].split("、")
    with runtime.session() as db:
        def lines(flow_no):
            return db.execute(select(Account.account_no, LedgerEntry.amount, LedgerEntry.balance_after,
                                     LedgerEntry.month, LedgerEntry.kind)
                              .join(Account, Account.id == LedgerEntry.account_id)
                              .where(LedgerEntry.flow_no == flow_no).order_by(LedgerEntry.amount)).all()
        assert lines(first) == [("U1A", D("-200.50"), D("999.50"), "2026-11", "account"),
                                ("U1B", D("200.50"), D("1640.50"), "2026-11", "account")]
        assert lines(second) == [("U1C", D("-80.00"), D("1600.00"), "2026-10", "account"),
                                 ("U1A", D("80.00"), D("1079.50"), "2026-10", "account")]
        records = db.scalars(select(ChangeRecord).where(ChangeRecord.action.like("mispayment_%"))
                             .order_by(ChangeRecord.id)).all()
        assert [(r.action, r.entity_id, r.before["balance"], r.after["balance"]) for r in records] == [
            ("mispayment_out", ids["A"], "1200.00", "999.50"), ("mispayment_in", ids["B"], "1440.00", "1640.50"),
            ("mispayment_out", ids["C"], "1680.00", "1600.00"), ("mispayment_in", ids["A"], "999.50", "1079.50")]
    assert_books_balance(runtime)


def test_mispayment_adjustment_refuses_bad_rows_by_number_and_field_and_writes_nothing(runtime):
    unit_id, _ = seed(runtime, paid=True)
    seed(runtime, "U2", accounts=(("A", "5000"),))
    with runtime.session() as db:
        before = db.scalar(select(func.count()).select_from(LedgerEntry))
    error = refused(runtime, "mispayment_adjustment", unit_id, None, [
        mispayment("U1A", "U1B", "100"), mispayment("U1C", "U1B", "1680.01"), mispayment("U1C", "U2A", "1"),
        mispayment("NOPE", "U1A", "1")])
    assert [(v.row, v.field) for v in error.violations] == [(2, "amount"), (3, "to_account_no"),
                                                           (4, "from_account_no")]
    assert "1680.01" in error.violations[0].message and "1680.00" in error.violations[0].message
    assert "不属于本单位" in error.violations[1].message
    error = refused(runtime, "mispayment_adjustment", unit_id, None,
                    [mispayment("U1A", "U1B", "-5"), mispayment("U1A", "U1A", "1")], error=FormErrors)
    assert set(error.rows) == {1, 2} and set(error.rows[1]) == {"amount"} and set(error.rows[2]) == {"to_account_no"}
    error = refused(runtime, "mispayment_adjustment", unit_id, None, [], error=FormErrors)
    assert "rows" in error.fields
    with runtime.session() as db:  # the good first line was rolled back with the rest
        assert db.scalar(select(func.count()).select_from(LedgerEntry)) == before
    assert accounts_of(runtime, unit_id)["U1A"].balance == D("1200.00")
    assert count(runtime, ChangeRecord, action="mispayment_out") == 0
    assert_books_balance(runtime)


def test_mispayment_adjustment_asks_the_rules(database_url):
    from core.contract import Violation
    from tests.conftest import plugin

    def rules(centre, db, operation):
        if operation.kind == "mispayment_adjustment" and operation.values["month"] < "2026-11":
            return [Violation("只能调整本年度的错缴", field="month")]
        return []

    runtime = make_runtime(database_url, plugin(opengjj_operation_rules=rules))
    unit_id, _ = seed(runtime, paid=True)
    error = refused(runtime, "mispayment_adjustment", unit_id, None, [
        mispayment("U1A", "U1B", "1"), mispayment("U1A", "U1B", "1", "2026-06", "误缴")])
    assert [(v.row, v.field, v.message) for v in error.violations] == [(2, "month", "只能调整本年度的错缴")]
    assert_books_balance(runtime)


# ----------------------------------------------------------------------------- 超龄缴存登记


def test_over_age_registration_records_each_row_and_replaces_the_previous(runtime):
    unit_id, ids = seed(runtime)
    assert apply(runtime, "over_age_registration", unit_id, None, [
        {"account_no": "U1A", "until_month": "2027-06"}, {"account_no": "U1B", "until_month": "2026-12"}]) == {
        "count": "2"}
    apply(runtime, "over_age_registration", unit_id, None, [{"account_no": "U1A", "until_month": "2027-12"}])
    with runtime.session() as db:
        rows = db.execute(select(OverAgeRegistration.account_id, OverAgeRegistration.until_month,
                                 OverAgeRegistration.status).order_by(OverAgeRegistration.id)).all()
    assert rows == [(ids["A"], "2027-06", "ended"), (ids["B"], "2026-12", "active"), (ids["A"], "2027-12", "active")]


def test_over_age_registration_refuses_bad_rows_together(runtime):
    unit_id, ids = seed(runtime)
    with runtime.session() as db:
        db.get(Account, ids["C"]).state = "02"
    error = refused(runtime, "over_age_registration", unit_id, None, [
        {"account_no": "U1A", "until_month": "2026-10"}, {"account_no": "U1C", "until_month": "2027-01"},
        {"account_no": "U1B", "until_month": "2027-01"}, {"account_no": "U1B", "until_month": "2027-02"}])
    assert [(v.row, v.field) for v in error.violations] == [(1, "until_month"), (2, "account_no"),
                                                           (4, "account_no")]
    error = refused(runtime, "over_age_registration", unit_id, None, [], error=FormErrors)
    assert "rows" in error.fields
    assert count(runtime, OverAgeRegistration) == 0


# ----------------------------------------------------------------------------- 缴存证明


def test_deposit_certificates_of_the_unit_and_of_a_person(runtime):
    unit_id, _ = seed(runtime, paid=True)
    unit_cert = apply(runtime, "deposit_certificate", unit_id, {"scope": "unit", "purpose": "招投标"})
    assert unit_cert["certificate_no"] == "ZM20261120000001"
    assert {k: unit_cert[k] for k in ("balance", "paid_to", "monthly_amount", "headcount", "unit_no")} == {
        "balance": "4320.00", "paid_to": "2026-11", "monthly_amount": "4320.00", "headcount": "3",
        "unit_no": "U1"}
    person = apply(runtime, "deposit_certificate", unit_id, {"scope": "person", "account_no": "U1B",
                                                             "purpose": "购房贷款"})
    assert person["certificate_no"] == "ZM20261120000002"
    assert {k: person[k] for k in ("account_no", "name", "state", "balance", "paid_to", "monthly_amount")} == {
        "account_no": "U1B", "name": "职工U1B", "state": "正常", "balance": "1440.00", "paid_to": "2026-11",
        "monthly_amount": "1440.00"}
    assert count(runtime, ChangeRecord, action="deposit_certificate") == 2


def test_deposit_certificate_refusals(runtime):
    unit_id, _ = seed(runtime)
    seed(runtime, "U2", accounts=(("A", "5000"),))
    error = refused(runtime, "deposit_certificate", unit_id, {"scope": "person", "purpose": "贷款"},
                    error=FormErrors)
    assert set(error.fields) == {"account_no"}
    error = refused(runtime, "deposit_certificate", unit_id, {"scope": "person", "account_no": "U2A",
                                                              "purpose": "贷款"})
    assert error.field == "account_no"
    assert count(runtime, ChangeRecord) == 0


# ----------------------------------------------------------------------------- 咨询建议


def test_consultation_answer_is_sent_as_a_message(runtime):
    unit_id, _ = seed(runtime, accounts=())
    form = {"type": "policy", "title": "提取政策", "content": "租房提取需要什么材料？"}
    assert apply(runtime, "consultation", unit_id, form, history=["请携带租房合同和身份证办理。"]) is None
    with runtime.session() as db:
        message = db.scalars(select(Message).where(Message.event == "consultation.answered")).one()
        assert (message.unit_id, message.title, message.body) == (
            unit_id, "咨询建议答复：提取政策", "请携带租房合同和身份证办理。")
        assert message.application_id is not None


def test_consultation_answered_through_the_workflow(runtime):
    from core.workflow.engine import Actor, Workflow, WorkflowError

    unit_id, _ = seed(runtime, accounts=())
    operator = Actor("operator", None, "经办人", unit_id=unit_id)
    clerk = Actor("clerk", 1, "柜员", roles=frozenset({"first_review"}))
    with runtime.session() as db:
        application = Workflow(runtime, db, operator, today=TODAY).submit(
            "consultation", {"type": "complaint", "title": "窗口排队", "content": "排队太久"})
        application_id = application.id
    with pytest.raises(WorkflowError, match="审批通过须填写意见"), runtime.session() as db:
        Workflow(runtime, db, clerk, today=TODAY).act(application_id, "approve")  # the opinion is the answer
    with runtime.session() as db:
        Workflow(runtime, db, clerk, today=TODAY).act(application_id, "approve", opinion="已增加窗口，感谢反馈。")
    with runtime.session() as db:
        message = db.scalars(select(Message).where(Message.event == "consultation.answered")).one()
        assert (message.body, message.application_id, message.unit_id) == ("已增加窗口，感谢反馈。", application_id,
                                                                          unit_id)


def test_consultation_form_refusals(runtime):
    unit_id, _ = seed(runtime, accounts=())
    error = refused(runtime, "consultation", unit_id, {"type": "other", "title": "", "content": "x"},
                    error=FormErrors)
    assert set(error.fields) == {"type", "title"}
    assert count(runtime, Message) == 0
