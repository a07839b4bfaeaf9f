"""An item's exports (BusinessItem.exports): 汇缴's three 清册 downloaded from the hall's
item page as .xlsx and read back with openpyxl, on the demo centre (SQLite and
PostgreSQL): the values, money as numbers with two decimals, masked ID numbers, and
only the operator's own unit."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.demo import id_number
from core.models import Account, OverAgeRegistration, Person, Unit
from core.money import accounts, remittance
from core.money.books import Books
from core.web.display import mask_id
from tests.support.web import Client, make_centre_app

FEN = Decimal("0.01")
DETAIL_HEADERS = ["个人账号", "姓名", "证件号码", "缴存基数", "单位缴存比例", "个人缴存比例", "单位月缴存额",
                  "个人月缴存额", "月缴存额合计"]


@pytest.fixture
def app(tmp_path, database_url):
    return make_centre_app(tmp_path, database_url)


def download(client: Client, index: int, title: str, unit_no: str) -> list[dict]:
    """The export's rows as {header: value}; checks the file's name and the money format."""
    response = client.get(f"/hall/items/remittance/exports/{index}")
    assert response.content_type.endswith("spreadsheetml.sheet")
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"{title}-{unit_no}-{date.today():%Y%m%d}.xlsx"
    ws = load_workbook(BytesIO(response.body))[title]
    headers = [cell.value for cell in ws[1]]
    rows = []
    for line in ws.iter_rows(min_row=2):
        row = {}
        for header, cell in zip(headers, line):
            if ("额" in header or "基数" in header) and cell.value is not None:
                assert cell.number_format == "#,##0.00" and isinstance(cell.value, (int, float))
                row[header] = Decimal(str(cell.value)).quantize(FEN)
            else:
                row[header] = cell.value
        rows.append(row)
    return rows


def books(db, runtime) -> Books:
    return Books(db=db, runtime=runtime, actor="clerk:1", today=date.today())


def account_id(db, number: str) -> int:
    return db.scalar(select(Account.id).where(Account.account_no == number))


def test_the_remittance_page_offers_one_export_button_per_list(hall):
    page = hall.item("remittance")
    links = [(a.text, a["href"]) for a in page.html.select("#exports a.item-export")]
    assert [text for text, _ in links] == ["导出缴存人汇缴明细清册", "导出汇缴核定变更清册", "导出汇缴缴存人超龄清册"]
    assert [href.split("/c", 1)[1] for _, href in links] == [f"/hall/items/remittance/exports/{n}" for n in range(3)]
    assert not hall.item("seal").html.select("#exports")  # an item without exports shows none
    assert hall.get("/hall/items/remittance/exports/3", status=404)
    assert hall.get("/hall/items/seal/exports/0", status=404)


def test_remittance_details_list_every_normal_account_of_the_unit(hall, runtime, demo):
    rows = download(hall, 0, "缴存人汇缴明细清册", demo.unit_no)
    with runtime.session() as db:
        expected = db.execute(select(Account, Person).join(Person, Person.id == Account.person_id)
                              .where(Account.unit_id == demo.unit_id, Account.state == "01")
                              .order_by(Account.account_no)).all()
        unit = db.get(Unit, demo.unit_id)
        ratio = f"{(unit.unit_ratio * 100).normalize():f}%"
    assert list(rows[0]) == DETAIL_HEADERS
    assert [row["个人账号"] for row in rows] == [a.account_no for a, _ in expected] == demo.accounts
    for row, (account, person) in zip(rows, expected):
        assert row["姓名"] == person.name
        assert row["证件号码"] == mask_id(person.id_no) and person.id_no not in row["证件号码"]
        assert (row["缴存基数"], row["单位月缴存额"], row["个人月缴存额"], row["月缴存额合计"]) == (
            account.base, account.unit_amount, account.personal_amount, account.monthly_amount)
        assert row["单位月缴存额"] + row["个人月缴存额"] == row["月缴存额合计"]
        assert row["单位缴存比例"] == ratio
    # the total is what a verification of the next month fixes
    with runtime.session() as db:
        [figures] = remittance.trial(books(db, runtime), demo.unit_id, 1)
    assert sum(row["月缴存额合计"] for row in rows) == figures.amount


def test_remittance_changes_since_the_previous_verification(app, hall, runtime, demo):
    assert download(hall, 1, "汇缴核定变更清册", demo.unit_no) == []  # nothing since the demo's last month
    sealed, rebased, moved_out = demo.accounts[:3]
    with runtime.session() as db:
        other = db.scalars(select(Unit).where(Unit.id != demo.unit_id).order_by(Unit.id)).first()
        other_id, other_no = other.id, other.unit_no
        moved_in = db.scalar(select(Account.account_no).where(Account.unit_id == other_id, Account.state == "01")
                             .order_by(Account.account_no))
        before = {a.account_no: (a.base, a.monthly_amount) for a in db.scalars(
            select(Account).where(Account.account_no.in_([sealed, rebased, moved_out, moved_in])))}
    with runtime.session() as db:
        b = books(db, runtime)
        accounts.seal(b, account_id(db, sealed), reason="离职")
        accounts.change_base(b, account_id(db, rebased), Decimal("8000.00"))
        accounts.transfer(b, account_id(db, moved_out), other_id)
        accounts.transfer(b, account_id(db, moved_in), demo.unit_id)
        opened = accounts.open_account(b, demo.unit_id, name="新职工", base=Decimal("6000.00"),
                                       id_no=id_number(random.Random(7), "140502", date(1995, 3, 8), "1"))
        opened_no, opened_amount = opened.account_no, opened.monthly_amount
        after = {a.account_no: (a.base, a.monthly_amount) for a in db.scalars(
            select(Account).where(Account.account_no.in_([rebased, moved_in])))}
    rows = download(hall, 1, "汇缴核定变更清册", demo.unit_no)
    shown = [(r["个人账号"], r["变更类型"], r["变更前缴存基数"], r["变更后缴存基数"], r["变更前月缴存额"],
              r["变更后月缴存额"]) for r in rows]
    zero = Decimal("0.00")
    assert shown == [
        (sealed, "封存", before[sealed][0], before[sealed][0], before[sealed][1], zero),
        (rebased, "基数调整", before[rebased][0], Decimal("8000.00"), before[rebased][1], after[rebased][1]),
        (moved_out, "转出", before[moved_out][0], before[moved_out][0], before[moved_out][1], zero),
        (moved_in, "转入", before[moved_in][0], after[moved_in][0], zero, after[moved_in][1]),
        (opened_no, "开户", None, Decimal("6000.00"), zero, opened_amount),
    ]
    assert all("*" in r["证件号码"] for r in rows) and all(r["变更时间"] for r in rows)

    # the other unit sees its own side of the transfers, and not this unit's seal
    stranger = Client(app)
    stranger.login(demo.other_operator_id_no).follow()
    theirs = download(stranger, 1, "汇缴核定变更清册", other_no)
    assert [(r["个人账号"], r["变更类型"]) for r in theirs] == [(moved_out, "转入"), (moved_in, "转出")]

    # once the next month is verified, the list starts again
    with runtime.session() as db:
        remittance.verify(books(db, runtime), demo.unit_id, 1)
    assert download(hall, 1, "汇缴核定变更清册", demo.unit_no) == []


def age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_remittance_over_age_lists_persons_past_retirement_with_their_registration(hall, runtime, demo):
    man, woman, young, sealed = demo.accounts[3], demo.accounts[4], demo.accounts[6], demo.accounts[5]
    with runtime.session() as db:
        for number, born, gender in ((man, date(1950, 1, 1), "1"), (woman, date(1965, 3, 1), "2"),
                                     (young, date(1970, 1, 1), "1"), (sealed, date(1940, 1, 1), "1")):
            account = db.scalar(select(Account).where(Account.account_no == number))
            person = db.get(Person, account.person_id)
            person.birth_date, person.gender = born, gender
        db.add(OverAgeRegistration(unit_id=demo.unit_id, account_id=account_id(db, woman), until_month="2027-06",
                                   status="active", actor="clerk:1"))
        accounts.seal(books(db, runtime), account_id(db, sealed), reason="退休")  # not in the remittance
        people = db.execute(select(Account.account_no, Account.monthly_amount, Person.gender, Person.birth_date)
                            .join(Person, Person.id == Account.person_id)
                            .where(Account.unit_id == demo.unit_id, Account.state == "01")).all()
    today = date.today()
    # the statutory ages of core's rule: 60 for men, 55 for women
    over = sorted(number for number, _, gender, born in people
                  if born and age(born, today) >= (60 if gender == "1" else 55))
    rows = download(hall, 2, "汇缴缴存人超龄清册", demo.unit_no)
    assert [r["个人账号"] for r in rows] == over and young not in over and sealed not in over
    shown = {r["个人账号"]: (r["性别"], r["出生日期"], r["年龄"], r["月缴存额"], r["是否超龄缴存登记"],
                         r["超龄缴存截止年月"]) for r in rows}
    amounts = {number: amount for number, amount, _, _ in people}
    assert shown[man] == ("男", "1950-01-01", age(date(1950, 1, 1), today), amounts[man], "否", None)
    assert shown[woman] == ("女", "1965-03-01", age(date(1965, 3, 1), today), amounts[woman], "是", "2027-06")
    assert all("*" in r["证件号码"] for r in rows)
