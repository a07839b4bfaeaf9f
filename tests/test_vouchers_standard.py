"""The standard vouchers of core's items (the Jincheng manual's 凭证 and 清册): each one
printed for a real application made through the engine, on SQLite and PostgreSQL, and
read back from the fixed PDF with pdftotext (title, names, masked IDs, amounts)."""
from __future__ import annotations

import random
import shutil
from datetime import date
from decimal import Decimal

import pytest
import transaction
from sqlalchemy import select

from core.codes import AccountState
from core.codes import ApplicationStatus as S
from core.db import join_transaction
from core.demo import id_number
from core.materials.service import storage_for
from core.models import Account, Application, Material, Operator, Person, Unit
from core.money import months
from core.vouchers import service
from core.web.display import mask_id
from core.workflow import Workflow
from core.workflow.engine import Actor
from tests.test_materials import archive_app
from tests.test_vouchers import text_of

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")

FIRST = Actor("clerk", 901, "柜员一", roles=frozenset({"first_review"}))
SECOND = Actor("clerk", 902, "柜员二", roles=frozenset({"second_review"}))


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    return archive_app(tmp_path, monkeypatch, database_url)


def operator_of(runtime, demo) -> Actor:
    """The demo unit's first operator, as the engine's actor."""
    with runtime.session() as db:
        found = db.scalars(select(Operator).where(Operator.unit_id == demo.unit_id).order_by(Operator.id)).first()
        return Actor("operator", found.id, found.name, unit_id=demo.unit_id)


@pytest.fixture
def operator(runtime, demo) -> Actor:
    return operator_of(runtime, demo)


def run(runtime, actor, method, *args, **kw) -> int:
    """A Workflow call in its own transaction (jobs run after its commit)."""
    tm = transaction.TransactionManager(explicit=True)
    db = runtime.sessionmaker()
    try:
        with tm:
            join_transaction(db, tm)
            return getattr(Workflow(runtime, db, actor, tm), method)(*args, **kw).id
    finally:
        db.close()


def complete(runtime, operator, item_code: str, data: dict, rows: list[dict] | None = None) -> int:
    """Submit and take the application through its chain to 已办结."""
    application_id = run(runtime, operator, "submit", item_code, data, rows)
    for _ in range(5):
        with runtime.session() as db:
            application = db.get(Application, application_id)
            item = runtime.catalogue.items[item_code]
            status, role = application.status, (item.chain.steps[application.step].role
                                                 if application.step < len(item.chain.steps) else None)
        if status == S.COMPLETED:
            return application_id
        assert status == S.SUBMITTED, (status, application.error)
        if role == "unit_voucher_print":
            run(runtime, operator, "print_voucher", application_id)
        else:
            run(runtime, SECOND if role == "second_review" else FIRST, "act", application_id, "approve")
    raise AssertionError("the application did not complete")


def printed(runtime, application_id: int, tmp_path) -> dict[str, str]:
    """Every voucher of the application printed; {title: the PDF's text}."""
    texts = {}
    with runtime.session() as db:
        application = db.get(Application, application_id)
        vouchers = service.issue_all(runtime, db, application, lambda code: f"http://localhost/c/v/{code}")
        for voucher in vouchers:
            assert voucher.status == "fixed"
            pdf = storage_for(runtime).get(db.get(Material, voucher.material_id).sha256)
            texts[voucher.title] = text_of(pdf, tmp_path)
    return texts


def person_of(runtime, account_no: str) -> Person:
    with runtime.session() as db:
        return db.scalars(select(Person).join(Account, Account.person_id == Person.id)
                          .where(Account.account_no == account_no)).one()


def account(runtime, account_no: str) -> Account:
    with runtime.session() as db:
        return db.scalars(select(Account).where(Account.account_no == account_no)).one()


def unit(runtime, demo) -> Unit:
    with runtime.session() as db:
        return db.get(Unit, demo.unit_id)


def resident(n: int, born: date = date(1990, 3, 4)) -> str:
    return id_number(random.Random(n), "140502", born, "1")


def test_unit_info_change_voucher(runtime, demo, operator, tmp_path):
    before = unit(runtime, demo)
    data = {name: getattr(before, name) or "" for name in
            ("unit_no", "name", "credit_code", "address", "postcode", "legal_rep", "contact_name", "contact_phone")}
    rows = [{"field": "contact_name", "label": "联系人", "before": before.contact_name, "after": "赵新联"}]
    texts = printed(runtime, complete(runtime, operator, "unit_info_change", data, rows), tmp_path)
    text = texts["单位缴存登记信息变更凭证"]
    assert "联系人" in text and before.contact_name in text and "赵新联" in text and demo.unit_no in text


def test_ratio_adjustment_voucher(runtime, demo, operator, tmp_path):
    before = unit(runtime, demo)
    month = months.following(before.paid_to)
    application_id = complete(runtime, operator, "unit_ratio_adjustment",
                              {"unit_ratio": "10", "personal_ratio": "9", "effective_month": month})
    text = printed(runtime, application_id, tmp_path)["缴存比例调整凭证"]
    old = f"{(before.unit_ratio * 100).normalize():f}%"
    assert "调整前单位缴存比例" in text and old in text and "10%" in text and "9%" in text and month in text


def test_account_opening_form(runtime, demo, operator, tmp_path):
    id_no = resident(1)
    rows = [{"name": "王小明", "id_type": "01", "id_no": id_no, "phone": "", "base": "5000", "department": ""}]
    application_id = complete(runtime, operator, "open_accounts", {}, rows)
    text = printed(runtime, application_id, tmp_path)["住房公积金个人账户设立登记表"]
    with runtime.session() as db:
        opened = db.get(Application, application_id).result["accounts"][0]
    monthly = account(runtime, opened).monthly_amount
    assert "王小明" in text and mask_id(id_no) in text and id_no not in text
    assert "5,000.00" in text and f"{monthly:,.2f}" in text and opened in text


def test_unseal_register(runtime, demo, operator, tmp_path):
    account_no = demo.accounts[1]
    complete(runtime, operator, "seal", {}, [{"account_no": account_no, "reason": "离职"}])
    application_id = complete(runtime, operator, "unseal", {}, [{"account_no": account_no, "base": "6200"}])
    text = printed(runtime, application_id, tmp_path)["缴存人账户启封清册"]
    person = person_of(runtime, account_no)
    assert account_no in text and person.name in text and mask_id(person.id_no) in text and "6,200.00" in text
    assert f"{account(runtime, account_no).monthly_amount:,.2f}" in text


def test_base_adjustment_register(runtime, demo, operator, tmp_path):
    account_no = demo.accounts[0]
    old = account(runtime, account_no)
    application_id = complete(runtime, operator, "base_adjustment", {}, [{"account_no": account_no, "base": "7300"}])
    text = printed(runtime, application_id, tmp_path)["缴存人基数调整清册"]
    new = account(runtime, account_no)
    assert person_of(runtime, account_no).name in text and "7,300.00" in text
    assert f"{old.base:,.2f}" in text and f"{old.monthly_amount:,.2f}" in text and f"{new.monthly_amount:,.2f}" in text


def test_remittance_prints_three_vouchers(runtime, demo, operator, tmp_path):
    earlier = months.following(unit(runtime, demo).paid_to)
    complete(runtime, operator, "remittance", {"month": earlier, "count": 1})
    complete(runtime, operator, "base_adjustment", {}, [{"account_no": demo.accounts[1], "base": "9100"}])
    newcomer = complete(runtime, operator, "open_accounts", {}, [
        {"name": "钱新来", "id_type": "01", "id_no": resident(2), "phone": "", "base": "4000", "department": ""}])
    with runtime.session() as db:
        new_account = db.get(Application, newcomer).result["accounts"][0]
    application_id = complete(runtime, operator, "remittance", {"month": months.following(earlier), "count": 1})
    texts = printed(runtime, application_id, tmp_path)
    assert set(texts) == {"住房公积金汇缴书", "缴存单位汇缴办理清册", "住房公积金汇缴变更清册"}
    with runtime.session() as db:
        amount = Decimal(db.get(Application, application_id).result["amount"])
    first = account(runtime, demo.accounts[0])
    register = texts["缴存单位汇缴办理清册"]
    assert f"{amount:,.2f}" in register and first.account_no in register and f"{first.base:,.2f}" in register
    assert person_of(runtime, demo.accounts[0]).name in register and "单位月缴存额" in register
    changes = texts["住房公积金汇缴变更清册"]
    assert "钱新来" in changes and new_account in changes and "增加" in changes and earlier in changes
    assert demo.accounts[1] in changes and "基数变更" in changes and "9,100.00" in changes
    assert demo.accounts[0] not in changes  # unchanged since the previous verification


def test_supplement_voucher_and_register(runtime, demo, operator, tmp_path):
    account_no = demo.accounts[0]
    month = unit(runtime, demo).paid_to
    application_id = complete(runtime, operator, "supplement", {"kind": "free", "reason": "少缴补足"},
                              [{"account_no": account_no, "month": month, "amount": "321.50"}])
    texts = printed(runtime, application_id, tmp_path)
    assert set(texts) == {"缴存单位补缴办理凭证", "缴存单位补缴清册"}
    assert "不定额补缴" in texts["缴存单位补缴办理凭证"] and "叁佰贰拾壹元伍角" in texts["缴存单位补缴办理凭证"]
    register = texts["缴存单位补缴清册"]
    assert account_no in register and person_of(runtime, account_no).name in register and "321.50" in register


def test_over_age_registration_voucher(runtime, demo, operator, tmp_path):
    id_no = resident(3, born=date(1962, 2, 1))
    opened = complete(runtime, operator, "open_accounts", {}, [
        {"name": "孙长青", "id_type": "01", "id_no": id_no, "phone": "", "base": "3000", "department": ""}])
    with runtime.session() as db:
        account_no = db.get(Application, opened).result["accounts"][0]
    until = months.add(months.of(date.today()), 12)
    application_id = complete(runtime, operator, "over_age_registration", {},
                              [{"account_no": account_no, "until_month": until}])
    text = printed(runtime, application_id, tmp_path)["超龄缴存登记凭证"]
    assert "孙长青" in text and mask_id(id_no) in text and until in text and "1962-02-01" in text


def test_internal_transfer_register(runtime, demo, operator, tmp_path):
    with runtime.session() as db:
        moving, person, other = db.execute(
            select(Account, Person, Unit).join(Person, Person.id == Account.person_id)
            .join(Unit, Unit.id == Account.unit_id)
            .where(Account.unit_id != demo.unit_id, Account.state == AccountState.NORMAL.value)
            .order_by(Account.account_no).limit(1)).one()
    rows = [{"account_no": moving.account_no, "id_type": "01", "id_no": person.id_no, "name": person.name}]
    application_id = complete(runtime, operator, "internal_transfer", {}, rows)
    text = printed(runtime, application_id, tmp_path)["同城转移清册"]
    assert moving.account_no in text and person.name in text and mask_id(person.id_no) in text
    assert other.unit_no in text and f"{moving.balance:,.2f}" in text


def test_mispayment_voucher(runtime, demo, operator, tmp_path):
    source, target = demo.accounts[0], demo.accounts[1]
    line = {"from_account_no": source, "to_account_no": target, "amount": "88.80",
            "month": unit(runtime, demo).paid_to, "reason": "错缴到他人账户"}
    item = runtime.catalogue.items["mispayment_adjustment"]
    data, rows = ({}, [line]) if item.kind == "list" else (line, None)
    application_id = complete(runtime, operator, "mispayment_adjustment", data, rows)
    text = printed(runtime, application_id, tmp_path)["错缴调整申请凭证"]
    assert source in text and target in text and person_of(runtime, target).name in text
    assert "88.80" in text and "捌拾捌元捌角" in text


def test_person_change_voucher(runtime, demo, operator, tmp_path):
    account_no = demo.accounts[2]
    before = person_of(runtime, account_no)
    rows = [{"account_no": account_no, "name": "周改名", "id_type": "01", "id_no": "", "phone": "13912345678"}]
    application_id = complete(runtime, operator, "person_change", {}, rows)
    text = printed(runtime, application_id, tmp_path)["缴存人基本信息变更凭证"]
    assert "周改名" in text and before.name in text and "13912345678" in text and "手机号码" in text
