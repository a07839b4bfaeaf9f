"""Record queries (查询): filters, pages, totals, .xlsx, PDF, links, 分享 — always one unit's rows."""
from __future__ import annotations

import shutil
import subprocess
import time
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.models import Account, Application, LedgerEntry, Unit
from core.money import accounts as account_services
from core.money import supplement
from core.money.books import Books
from core.money.interest import settle, unit_statement, yearly_personal_statement
from core.queries import QueryColumn, RecordQuery, clean, collect, run, share
from core.queries.export import xlsx
from core.queries.standard import STANDARD_QUERIES
from tests.support.web import Client, demo_facts, fill, make_centre_app

SECRET = "tests-only-secret"


def _history(runtime, demo, application_id: int) -> dict:
    """A transfer out of the first unit, a supplement made by an application, the 2025 interest."""
    with runtime.session() as db:
        units = db.scalars(select(Unit.id).order_by(Unit.id)).all()
        by_no = dict(db.execute(select(Account.account_no, Account.id)).all())
        books = Books(db=db, runtime=runtime, actor="clerk:1", today=date(2026, 11, 23))
        account_services.transfer(books, by_no[demo.accounts[-1]], units[1])
        books = Books(db=db, runtime=runtime, actor="operator:1", today=date(2026, 11, 23),
                      application_id=application_id)
        batch = supplement.verify_free(books, units[0], [(by_no[demo.accounts[0]], Decimal("100.00"), None)], "漏缴")
        settle(Books(db=db, runtime=runtime, actor="clerk:1", today=date(2026, 11, 23)), 2025)
        return {"units": units, "transferred": demo.accounts[-1], "supplement": batch.batch_no}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_centre_app(tmp_path_factory.mktemp("queries"))
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    owner = Client(app)
    owner.login(demo.operator_id_no).follow()
    form = fill(owner.item("unit_ratio_adjustment").forms["deform"], unit_ratio="11", personal_ratio="11",
                effective_month="2026-12")
    application = int(form.submit("submit").headers["Location"].split("?")[0].rsplit("/", 1)[1])
    facts = _history(runtime, demo, application)
    stranger = Client(app)
    stranger.login(demo.other_operator_id_no).follow()
    return {"app": app, "runtime": runtime, "demo": demo, "owner": owner, "stranger": stranger,
            "application": application, **facts}


def _rows(page) -> list[list[str]]:
    table = page.html.find("table", class_="query-result")
    return [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]
            if "totals" not in (tr.get("class") or []) and not tr.find("td", class_="empty")]


def _total(page) -> int:
    return int(page.html.find("p", class_="pager").get_text().split("/")[1].split()[0]) if page.html.find(
        "p", class_="pager") else None


def _query(runtime, code) -> RecordQuery:
    return collect(runtime.centre, runtime.pm)[code]


def test_every_query_opens_with_no_condition(world):
    page = world["owner"].get("/hall/queries")
    for query in STANDARD_QUERIES:
        assert query.title in page.text
        assert world["owner"].get(f"/hall/queries/{query.code}").status_int == 200
    assert world["owner"].get("/hall/queries/no_such_query", expect_errors=True).status_int == 404


def test_every_filter_is_optional_and_filters_combine(world):
    runtime, unit_id = world["runtime"], world["units"][0]
    query = _query(runtime, "account_ledger")
    account_no = world["demo"].accounts[0]
    with runtime.session() as db:
        everything = run(db, runtime, query, unit_id, {})
        direct = db.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.kind == "account", LedgerEntry.unit_id == unit_id))
        assert everything.total == direct
        one = run(db, runtime, query, unit_id, {"account_no": account_no}, per_page=1000)
        assert one.total and {r["account_no"] for r in one.rows} == {account_no}
        both = run(db, runtime, query, unit_id, {"account_no": account_no, "business_type": "01",
                                                 "month_from": "2026-10"}, per_page=1000)
        assert both.total == 1 and both.rows[0]["month"] == "2026-10"
        assert run(db, runtime, query, unit_id, {"account_no": account_no, "business_type": "02"}).total == 0
        months = run(db, runtime, query, unit_id, {"account_no": account_no, "month_from": "2026-02",
                                                   "month_to": "2026-04"}, per_page=1000)
        assert sorted(r["month"] for r in months.rows) == ["2026-02", "2026-03", "2026-04"]
        id_no = one.rows[0]["id_no"]
        assert run(db, runtime, query, unit_id, {"id_no": id_no}).total == one.total
        assert run(db, runtime, query, unit_id, {"id_no": id_no, "account_no": "nobody"}).total == 0


def test_conditions_are_cleaned():
    query = next(q for q in STANDARD_QUERIES if q.code == "account_ledger")
    values = clean(query, {"account_no": " 123 ", "business_type": "zz", "booked_on_from": "2026-13-01",
                           "month_to": "2026-07", "page": "3", "unknown": "x", "name": ""})
    assert values == {"account_no": "123", "month_to": "2026-07"}


def test_date_ranges_include_both_days(world):
    page = world["owner"].get("/hall/queries/unit_ledger", params={"booked_on_from": "2026-09-15",
                                                                    "booked_on_to": "2026-10-15"})
    days = sorted({row[1] for row in _rows(page)})
    assert days == ["2026-09-15", "2026-10-15"]
    changes = world["owner"].get("/hall/queries/seals", params={"created_at_from": "2000-01-01",
                                                                "created_at_to": "2000-12-31"})
    assert not _rows(changes) and "没有符合条件的记录" in changes.text


def test_pages_cover_every_row_once_and_totals_cover_all_pages(world):
    runtime, unit_id = world["runtime"], world["units"][0]
    query = _query(runtime, "account_ledger")
    values = {"booked_on_from": "2026-09-01"}
    with runtime.session() as db:
        first = run(db, runtime, query, unit_id, values, page=1, per_page=50)
        assert first.pages > 2
        seen = [r["id"] for p in range(1, first.pages + 1)
                for r in run(db, runtime, query, unit_id, values, page=p, per_page=50).rows]
        assert len(seen) == len(set(seen)) == first.total
        amount, interest = db.execute(select(func.sum(LedgerEntry.amount), func.sum(LedgerEntry.interest)).where(
            LedgerEntry.kind == "account", LedgerEntry.unit_id == unit_id,
            LedgerEntry.booked_on >= date(2026, 9, 1))).one()
        assert first.totals == {"amount": amount, "interest": interest}
        assert run(db, runtime, query, unit_id, values, page=10_000, per_page=50).page == first.pages
    page = world["owner"].get("/hall/queries/account_ledger", params={**values, "page": "2"})
    assert "第 2 /" in page.text and len(_rows(page)) == 20
    assert page.html.find("span", attrs={"data-column": "amount"}).get_text() == f"{amount:,.2f}"


def test_export_xlsx_has_every_matching_row_and_the_totals(world):
    response = world["owner"].get("/hall/queries/unit_ledger/export.xlsx", params={"business_type": "01"})
    assert response.content_type.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("记录日期", "业务流水号", "业务类型")
    body, totals = rows[2:-1], rows[-1]
    runtime, unit_id = world["runtime"], world["units"][0]
    with runtime.session() as db:
        expected = db.scalar(select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.kind == "unit", LedgerEntry.unit_id == unit_id, LedgerEntry.business_type == "01"))
        count = db.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.kind == "unit", LedgerEntry.unit_id == unit_id, LedgerEntry.business_type == "01"))
    assert len(body) == count and {r[2] for r in body} == {"汇缴"}
    assert totals[0] == "合计" and Decimal(str(totals[4])) == expected
    persons = load_workbook(BytesIO(world["owner"].get("/hall/queries/persons/export.xlsx").body)).active
    assert all("*" in (row[3] or "") for row in list(persons.iter_rows(values_only=True))[2:-1])  # masked


def test_export_neutralises_formulas():
    query = RecordQuery(code="x", title="测试", columns=(QueryColumn("summary", "摘要"),),
                        source=lambda unit_id, values: None)
    rows = [{"summary": text} for text in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "平常")]
    sheet = load_workbook(BytesIO(xlsx(query, rows))).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "平常"]


def test_print_is_a_pdf_with_chinese_text(world, tmp_path):
    response = world["owner"].get("/hall/queries/persons/print.pdf", params={"state": "02"})
    assert response.content_type == "application/pdf" and response.body.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "persons.pdf"
        path.write_bytes(response.body)
        words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "缴存人清册" in words and "封存" in words and "正常" not in words
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(tmp_path / "persons.pdf"),
                        str(tmp_path / "page")], check=True)
        assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_detail_and_done_task_links(world):
    owner = world["owner"]
    page = owner.get("/hall/queries/unit_ledger", params={"business_type": "01"})
    detail = page.html.find_all("a", class_="detail")[-1]["href"]  # a month's remittance
    assert "/hall/queries/account_ledger?flow_no=" in detail
    lines = owner.get(detail.replace("http://localhost/c", ""))
    flow_no = detail.rsplit("=", 1)[1]
    assert _rows(lines) and all(row[2] == flow_no for row in _rows(lines))
    deposits = owner.get("/hall/queries/deposits", params={"kind": "supplement"})
    done = deposits.html.find("a", class_="done-task")["href"]
    assert done.endswith(f"/hall/applications/{world['application']}")
    assert owner.get(done.replace("http://localhost/c", "")).status_int == 200
    stranger = world["stranger"].get(done.replace("http://localhost/c", ""), expect_errors=True)
    assert stranger.status_int == 403


def _share(world, code: str, **values) -> str:
    page = world["owner"].post(f"/hall/queries/{code}/share", values)
    assert "分享链接" in page.text
    return page.html.find("input", id="share-url")["value"].replace("http://localhost/c", "")


def test_a_share_link_shows_the_result_without_login(world):
    link = _share(world, "seals", action="seal")
    anonymous = Client(world["app"])
    page = anonymous.get(link)
    assert page.status_int == 200 and "只读" in page.text and "变更类型：封存" in page.text
    rows = _rows(page)
    assert rows and {row[2] for row in rows} == {"封存"}
    assert not page.html.find("form", class_="filters") and not page.html.find("a", class_="detail")
    # the link's conditions are the ones signed: the address bar cannot widen them
    assert _rows(anonymous.get(link, params={"action": "unseal", "account_no": "x"})) == rows


def test_expired_and_tampered_share_links_are_refused(world):
    anonymous = Client(world["app"])
    link = _share(world, "unit_ledger")
    token = link.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    other = share.make_token(SECRET, "testhall", "unit_ledger", world["units"][1], {})[0].split(".")[0]
    for bad in (f"{other}.{signature}", f"{payload}.{signature[:-2]}xx", payload, "garbage"):
        refused = anonymous.get(f"/shared/{bad}", expect_errors=True)
        assert refused.status_int == 403 and "分享链接无效" in refused.text
    old, _ = share.make_token(SECRET, "testhall", "unit_ledger", world["units"][0], {},
                              now=time.time() - 8 * 86400)
    expired = anonymous.get(f"/shared/{old}", expect_errors=True)
    assert expired.status_int == 403 and "分享链接已过期" in expired.text
    foreign, _ = share.make_token(SECRET, "other", "unit_ledger", world["units"][0], {})
    assert anonymous.get(f"/shared/{foreign}", expect_errors=True).status_int == 403
    with pytest.raises(share.ShareRefused):
        share.read_token("another-secret", "testhall", token)


def test_share_days_setting(tmp_path):
    token, expires = share.make_token(SECRET, "c", "q", 1, {}, days=1, now=1000)
    assert expires == 1000 + 86400
    assert share.read_token(SECRET, "c", token, now=1000 + 86399).unit_id == 1
    with pytest.raises(share.ShareRefused, match="过期"):
        share.read_token(SECRET, "c", token, now=1000 + 86400)


def test_another_units_records_never_appear(world):
    owner, stranger = world["owner"], world["stranger"]
    mine = {row[2] for row in _rows(owner.get("/hall/queries/persons", params={"page": "1"}))}
    theirs = stranger.get("/hall/queries/account_ledger", params={"account_no": world["demo"].accounts[0]})
    assert not _rows(theirs)
    assert not mine & {row[0] for row in _rows(stranger.get("/hall/queries/persons"))}
    for code in ("unit_ledger", "deposits", "changes", "seals", "interest_statement", "annual_statement"):
        own = {tuple(r) for r in _rows(owner.get(f"/hall/queries/{code}", params={"fund_year": "2025"}))}
        other = {tuple(r) for r in _rows(stranger.get(f"/hall/queries/{code}", params={"fund_year": "2025"}))}
        assert own and not own & other, code
    # a transfer is seen by both of its units, as 转出 and as 转入
    out = _rows(owner.get("/hall/queries/transfers"))
    into = _rows(stranger.get("/hall/queries/transfers"))
    assert [r[2] for r in out] == ["转出"] and [r[2] for r in into] == ["转入"]
    assert out[0][3] == into[0][3] == world["transferred"]


def test_a_source_that_forgets_the_unit_is_narrowed_anyway(world):
    runtime = world["runtime"]
    careless = RecordQuery(code="careless", title="全部流水", columns=(QueryColumn("flow_no", "流水号"),),
                           source=lambda unit_id, values: select(LedgerEntry.id, LedgerEntry.unit_id,
                                                                 LedgerEntry.flow_no))
    with runtime.session() as db:
        result = run(db, runtime, careless, world["units"][0], {})
        assert result.total == db.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.unit_id == world["units"][0]))


def test_interest_and_annual_statements_agree_with_the_engine(world):
    runtime, unit_id = world["runtime"], world["units"][0]
    with runtime.session() as db:
        books = Books(db=db, runtime=runtime, actor="system", today=date(2026, 11, 23))
        statement = unit_statement(books, unit_id, 2025)
        result = run(db, runtime, _query(runtime, "interest_statement"), unit_id, {"fund_year": "2025"})
        assert result.total == statement["headcount"] > 0
        assert result.totals["interest"] == sum(r["interest"] for r in statement["rows"]) > 0
        assert ("结息状态", "已结息，年利率 1.5%") in result.summary
        annual = run(db, runtime, _query(runtime, "annual_statement"), unit_id,
                     {"fund_year": "2025", "account_no": world["demo"].accounts[1]})
        account_id = db.scalar(select(Account.id).where(Account.account_no == world["demo"].accounts[1]))
        engine = yearly_personal_statement(books, account_id, 2025)
        row = annual.rows[0]
        assert row["deposits"] == engine["deposits_total"] and row["months_paid"] == len(engine["months_paid"])
        assert row["interest"] == engine["interest"] and row["closing_balance"] == engine["closing_balance"]
    page = world["owner"].get("/hall/queries/interest_statement", params={"fund_year": "2025"})
    assert "2025年度" in page.text and "查看详情" in page.text


@pytest.mark.postgresql
def test_queries_on_postgresql(tmp_path, pg_databases):
    app = make_centre_app(tmp_path, database_url=pg_databases("queries"))
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    with runtime.session() as db:
        application = Application(item_code="supplement", unit_id=demo.unit_id, status="completed")
        db.add(application)
        db.flush()
        application_id = application.id
    facts = _history(runtime, demo, application_id)
    unit_id = facts["units"][0]
    queries = collect(runtime.centre, runtime.pm)
    with runtime.session() as db:
        standard = {q.code for q in STANDARD_QUERIES}  # the items' record queries have their own tests
        for query in (q for q in queries.values() if q.code in standard):
            result = run(db, runtime, query, unit_id, {"fund_year": "2025"})
            assert result.total > 0, query.code
        ledger = run(db, runtime, queries["account_ledger"], unit_id, {"booked_on_from": "2026-01-01"})
        amount = db.scalar(select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.kind == "account", LedgerEntry.unit_id == unit_id, LedgerEntry.booked_on >= date(2026, 1, 1)))
        assert ledger.totals["amount"] == amount and ledger.pages > 1
        assert run(db, runtime, queries["changes"], unit_id, {"created_at_from": date.today().isoformat(),
                                                             "action": "seal"}).total > 0
        transfers = run(db, runtime, queries["transfers"], facts["units"][1], {}).rows
        assert [r["direction"] for r in transfers] == ["in"]
        deposits = run(db, runtime, queries["deposits"], unit_id, {"kind": "supplement"}).rows
        assert deposits[0]["application_id"] == application_id
    client = Client(app)
    client.login(demo.operator_id_no).follow()
    assert client.get("/hall/queries/unit_ledger/export.xlsx").body.startswith(b"PK")
