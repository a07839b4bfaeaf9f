"""The item record queries (清册流水查询, seed 000 x.7): each is fed by the real item
effects and money services, every condition is optional, each narrows alone and they
combine, another unit's records never appear, and a centre titles and places them."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.centres import Centre, ConfigurationError
from core.demo import id_number
from core.models import Account, Application, BankAccount, Operator, Unit
from core.money import accounts as services
from core.money import supplement
from core.money.adjustments import adjust_mispayment
from core.money.books import Books
from core.queries import collect, run
from core.queries.registry import menu_entries, placed
from core.queries.unit_records import UNIT_RECORD_QUERIES
from core.queries.person_records import PERSON_RECORD_QUERIES
from core.workflow import forms
from tests.support.web import Client, demo_facts, make_centre_app

TODAY = date(2026, 11, 23)
CARD_1, CARD_2 = "6222020200000000006", "6217000000000000004"  # Luhn-valid
NEW = [q.code for q in UNIT_RECORD_QUERIES + PERSON_RECORD_QUERIES]
CHINA = timezone(timedelta(hours=8))
RETITLED = {"opengjj.centre.testhall.query.seals.title": "缴存人封存/启封记录流水",
            "opengjj.centre.testhall.query.seals.menu": "清册流水查询",
            "opengjj.centre.testhall.query.unit_info_changes.title": "缴存单位流水",
            "opengjj.centre.testhall.query.unit_info_changes.menu": "清册流水查询 / 缴存单位",
            "opengjj.centre.testhall.query.unit_info_changes.order": "1"}


class Hall:
    """Applications of one unit, made as its operator, their effects applied at once."""

    def __init__(self, runtime, unit_id: int):
        self.runtime, self.unit_id = runtime, unit_id
        with runtime.session() as db:
            self.operator_id = db.scalar(select(Operator.id).where(Operator.unit_id == unit_id))

    def _application(self, db, code: str, data: dict | None = None) -> Application:
        application = Application(item_code=code, unit_id=self.unit_id, operator_id=self.operator_id,
                                  status="completed", data=data or {})
        db.add(application)
        db.flush()
        return application

    def item(self, code: str, data: dict | None = None, rows=()) -> int:
        """Apply item ``code``'s effect, its form checked as the engine does; the application's id."""
        item = self.runtime.catalogue.items[code]
        with self.runtime.session() as db:
            values, parsed = forms.check(item, dict(data or {}), [dict(r) for r in rows], centre=self.runtime.centre,
                                         db=db, unit=db.get(Unit, self.unit_id))
            application = self._application(db, code, data)
            item.effect(self.books(db, application.id), application, values, parsed)
            return application.id

    def books(self, db, application_id: int | None) -> Books:
        return Books(db=db, runtime=self.runtime, actor=f"operator:{self.operator_id}", today=TODAY,
                     application_id=application_id)

    def service(self, code: str, action) -> int:
        """Run a money service as application ``code`` of this unit; the application's id."""
        with self.runtime.session() as db:
            application = self._application(db, code)
            action(self.books(db, application.id), db)
            return application.id


def _business(runtime, unit_id: int, n: int) -> dict:
    """Every kind of business the new queries show, for one unit (``n`` keeps numbers apart)."""
    hall, done = Hall(runtime, unit_id), {}
    with runtime.session() as db:
        unit = db.get(Unit, unit_id)
        initial = {"unit_no": unit.unit_no, "name": unit.name, "credit_code": unit.credit_code or "",
                   "address": unit.address or "", "postcode": unit.postcode or "", "legal_rep": unit.legal_rep or "",
                   "contact_name": unit.contact_name or "", "contact_phone": unit.contact_phone or ""}
        accounts = list(db.scalars(select(Account).where(Account.unit_id == unit_id, Account.state == "01")
                                   .order_by(Account.account_no)))
        ids = [a.id for a in accounts[:4]]
        numbers = [a.account_no for a in accounts[:4]]
        persons = [a.person_id for a in accounts[:4]]
    # 单位登记信息变更: two fields, then one
    done["info"] = hall.item("unit_info_change", {**initial, "address": f"城西路{n}号", "legal_rep": f"法人{n}"}, [
        {"field": "address", "label": "单位地址", "before": initial["address"], "after": f"城西路{n}号"},
        {"field": "legal_rep", "label": "法定代表人", "before": initial["legal_rep"], "after": f"法人{n}"}])
    done["info2"] = hall.item("unit_info_change", {**initial, "contact_name": f"联系人{n}"}, [
        {"field": "contact_name", "label": "联系人", "before": initial["contact_name"], "after": f"联系人{n}"}])
    # 单位银行账户: register, change, deactivate
    card = CARD_1 if n == 1 else CARD_2
    done["bank_register"] = hall.item("bank_account", {"action": "register", "bank_name": "中国银行晋城分行",
                                                       "account_name": f"单位{n}", "account_no": card})
    with runtime.session() as db:
        bank_id = db.scalar(select(BankAccount.id).where(BankAccount.unit_id == unit_id,
                                                         BankAccount.account_no == card))
    done["bank_change"] = hall.item("bank_account", {"action": "change", "bank_account_id": str(bank_id),
                                                     "bank_name": "中国工商银行晋城分行"})
    done["bank_close"] = hall.item("bank_account", {"action": "deactivate", "bank_account_id": str(bank_id)})
    done["card"] = card
    # 缴存比例: an adjustment, a reduction and its restoration
    done["ratio_adjust"] = hall.item("unit_ratio_adjustment", {"unit_ratio": "11", "personal_ratio": "11",
                                                               "effective_month": "2026-12"})
    done["ratio_reduce"] = hall.item("ratio_reduction", {"kind": "reduce", "unit_ratio": "5", "personal_ratio": "5",
                                                          "from_month": "2027-01", "to_month": "2027-06",
                                                          "reason": "经营困难"})
    done["ratio_restore"] = hall.item("ratio_reduction", {"kind": "restore", "from_month": "2027-07",
                                                           "reason": "经营好转"})
    # 缴存证明: the unit's and a person's
    done["cert_unit"] = hall.item("deposit_certificate", {"scope": "unit", "purpose": "招投标"})
    done["cert_person"] = hall.item("deposit_certificate", {"scope": "person", "account_no": numbers[0],
                                                             "purpose": "贷款"})
    # 个人账户设立: two new persons
    rng = random.Random(n)
    done["opened_ids"] = [id_number(rng, "140502", date(1990, 1, 1 + i), "1") for i in range(2)]
    done["open"] = hall.service("open_accounts", lambda books, db: [
        services.open_account(books, unit_id, name=f"新职工{n}{i}", id_no=id_no, base=Decimal(5000 + 1000 * i))
        for i, id_no in enumerate(done["opened_ids"])])
    # 基数调整, 超龄缴存登记, 个人信息变更, 封存/启封
    done["base"] = hall.service("base_adjustment", lambda books, db: services.change_base(
        books, ids[1], Decimal("8000.00")))
    done["over_age"] = hall.item("over_age_registration", rows=[{"account_no": numbers[2], "until_month": "2027-12"}])
    done["person"] = hall.service("person_change", lambda books, db: services.change_person(
        books, persons[3], name=f"改名{n}", phone="13912345678"))
    hall.service("seal", lambda books, db: services.seal(books, ids[3], reason="离职"))
    hall.service("unseal", lambda books, db: services.unseal(books, ids[3]))
    # 错缴调整, a supplement by month
    done["mispayment"] = hall.service("mispayment_adjustment", lambda books, db: done.update(
        flow=adjust_mispayment(books, ids[0], ids[1], amount=Decimal("100.00"), month="2026-10",
                               reason="错缴").flow_no))
    done["supplement"] = hall.service("supplement", lambda books, db: done.update(
        batch=supplement.verify_by_month(books, unit_id, [(ids[0], "2026-08"), (ids[0], "2026-09")],
                                         "漏缴").batch_no))
    done.update(ids=ids, numbers=numbers, persons=persons)
    return done


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_centre_app(tmp_path_factory.mktemp("records"), **RETITLED)
    runtime = app.runtimes["testhall"]
    demo = demo_facts(runtime)
    with runtime.session() as db:
        units = db.scalars(select(Unit.id).order_by(Unit.id)).all()
    mine, theirs = _business(runtime, units[0], 1), _business(runtime, units[1], 2)
    owner = Client(app)
    owner.login(demo.operator_id_no).follow()
    return {"app": app, "runtime": runtime, "units": units, "mine": mine, "theirs": theirs, "owner": owner,
            "queries": collect(runtime.centre, runtime.pm)}


def _run(world, code: str, values=None, unit: int = 0):
    runtime = world["runtime"]
    with runtime.session() as db:
        return run(db, runtime, world["queries"][code], world["units"][unit], values or {}, per_page=1000).rows


def _today() -> str:
    return datetime.now(CHINA).date().isoformat()


def _narrows(world, code: str, values: dict, keep) -> list[dict]:
    """``values`` alone gives exactly the rows of all (no condition) that ``keep`` picks."""
    everything = _run(world, code)
    found = _run(world, code, values)
    assert found and len(found) < len(everything), (code, values)
    assert [r["id"] for r in found] == [r["id"] for r in everything if keep(r)], (code, values)
    return found


def _dates_filter(world, code: str, name: str = "created_at") -> None:
    everything = _run(world, code)
    assert len(_run(world, code, {f"{name}_from": "2000-01-01", f"{name}_to": _today()})) == len(everything)
    assert _run(world, code, {f"{name}_to": "2000-01-01"}) == []


def test_unit_info_changes_one_row_per_field(world):
    mine = world["mine"]
    rows = _run(world, "unit_info_changes")
    assert {(r["field"], r["new"]) for r in rows} == {("address", "城西路1号"), ("legal_rep", "法人1"),
                                                     ("contact_name", "联系人1")}
    assert all(r["operator"] and r["operator"] != "系统" for r in rows)
    _narrows(world, "unit_info_changes", {"field": "address"}, lambda r: r["field"] == "address")
    _narrows(world, "unit_info_changes", {"business_no": str(mine["info"])},
             lambda r: r["business_no"] == str(mine["info"]))
    both = _run(world, "unit_info_changes", {"business_no": str(mine["info"]), "field": "legal_rep"})
    assert [(r["old"], r["new"]) for r in both] == [(both[0]["old"], "法人1")] and both[0]["old"] != "法人1"
    assert _run(world, "unit_info_changes", {"business_no": str(mine["info2"]), "field": "legal_rep"}) == []
    _dates_filter(world, "unit_info_changes")


def test_bank_account_changes_and_the_list(world):
    mine = world["mine"]
    rows = _run(world, "bank_account_changes")
    assert [r["action"] for r in rows] == ["bank_account_deactivate", "bank_account_change", "bank_account_register"]
    assert {r["account_no"] for r in rows} == {mine["card"]}
    _narrows(world, "bank_account_changes", {"action": "bank_account_change"},
             lambda r: r["action"] == "bank_account_change")
    page = world["owner"].get("/hall/queries/bank_account_changes", params={"action": "bank_account_change"})
    assert "开户银行：中国银行晋城分行→中国工商银行晋城分行" in page.text
    assert mine["card"] not in page.text and mine["card"][:6] + "*********" + mine["card"][-4:] in page.text
    assert _run(world, "bank_account_changes", {"account_no": world["theirs"]["card"]}) == []
    listed = _run(world, "bank_accounts")
    assert {(r["account_no"], r["state"]) for r in listed} >= {(mine["card"], "closed")}
    closed = _narrows(world, "bank_accounts", {"state": "closed"}, lambda r: r["state"] == "closed")
    assert [r["bank_name"] for r in closed] == ["中国工商银行晋城分行"]
    assert _run(world, "bank_accounts", {"state": "active", "account_no": mine["card"]}) == []
    _narrows(world, "bank_accounts", {"bank_name": "工商"}, lambda r: "工商" in r["bank_name"])


def test_ratio_changes_show_adjustments_reductions_and_restorations(world):
    mine = world["mine"]
    page = world["owner"].get("/hall/queries/ratio_changes")
    rows = _run(world, "ratio_changes")
    assert [r["kind"] for r in rows] == ["restore", "reduce", "adjust"]
    shown = {r[2]: r for r in _table(page)}  # 类型 → cells
    assert shown["调整"][3:9] == ["12%", "12%", "11%", "11%", "2026-12", ""]
    assert shown["降低"][3:10] == ["11%", "11%", "5%", "5%", "2027-01", "2027-06", "经营困难"]
    assert shown["恢复"][3:10] == ["5%", "5%", "11%", "11%", "2027-07", "", "经营好转"]
    _narrows(world, "ratio_changes", {"kind": "reduce"}, lambda r: r["kind"] == "reduce")
    _narrows(world, "ratio_changes", {"effective_month_from": "2027-01"}, lambda r: r["effective_month"] >= "2027-01")
    assert [r["kind"] for r in _run(world, "ratio_changes", {"effective_month_from": "2027-01",
                                                             "effective_month_to": "2027-03"})] == ["reduce"]
    assert _run(world, "ratio_changes", {"kind": "adjust", "business_no": str(mine["ratio_reduce"])}) == []
    _dates_filter(world, "ratio_changes")


def test_certificates(world):
    mine = world["mine"]
    rows = _run(world, "certificates")
    assert {r["scope"] for r in rows} == {"unit", "person"} and all(r["certificate_no"].startswith("ZM") for r in rows)
    person = _narrows(world, "certificates", {"scope": "person"}, lambda r: r["scope"] == "person")
    assert person[0]["account_no"] == mine["numbers"][0] and person[0]["purpose"] == "贷款"
    _narrows(world, "certificates", {"certificate_no": rows[0]["certificate_no"]},
             lambda r: r["certificate_no"] == rows[0]["certificate_no"])
    _narrows(world, "certificates", {"purpose": "招投"}, lambda r: r["purpose"] == "招投标")
    assert _run(world, "certificates", {"scope": "unit", "purpose": "贷款"}) == []


def test_unit_payments_show_both_legs_of_a_mispayment_adjustment(world):
    mine = world["mine"]
    legs = _narrows(world, "unit_payments", {"kind": "adjustment"}, lambda r: r["kind"] == "adjustment")
    assert {(r["account_no"], r["income"], r["outgo"]) for r in legs} == {
        (mine["numbers"][0], Decimal("0.00"), Decimal("100.00")), (mine["numbers"][1], Decimal("100.00"), Decimal("0.00"))}
    assert {r["flow_no"] for r in legs} == {mine["flow"]}
    flow = _narrows(world, "unit_payments", {"flow_no": mine["flow"]}, lambda r: r["flow_no"] == mine["flow"])
    assert len(flow) == 2
    _narrows(world, "unit_payments", {"account_no": mine["numbers"][0]},
             lambda r: r["account_no"] == mine["numbers"][0])
    _narrows(world, "unit_payments", {"booked_on_from": "2026-10-01", "booked_on_to": "2026-10-31"},
             lambda r: "2026-10-01" <= r["booked_on"].isoformat() <= "2026-10-31")
    assert _run(world, "unit_payments", {"kind": "unit", "flow_no": mine["flow"]}) == []
    page = world["owner"].get("/hall/queries/unit_payments", params={"kind": "adjustment"})
    assert page.html.find("span", attrs={"data-column": "income"}).get_text() == "100.00"
    assert page.html.find("span", attrs={"data-column": "outgo"}).get_text() == "100.00"


def test_account_openings(world):
    mine = world["mine"]
    rows = _run(world, "account_openings")
    assert sorted(r["id_no"] for r in rows) == sorted(mine["opened_ids"])
    one = _narrows(world, "account_openings", {"id_no": mine["opened_ids"][1]},
                   lambda r: r["id_no"] == mine["opened_ids"][1])
    _narrows(world, "account_openings", {"account_no": one[0]["account_no"]},
             lambda r: r["account_no"] == one[0]["account_no"])
    _narrows(world, "account_openings", {"name": "新职工11"}, lambda r: r["name"] == "新职工11")
    assert _run(world, "account_openings", {"name": "新职工10", "account_no": one[0]["account_no"]}) == []
    page = world["owner"].get("/hall/queries/account_openings", params={"id_no": mine["opened_ids"][1]})
    cells = _table(page)[0]
    table = page.html.find("table", class_="query-result").get_text()
    assert mine["opened_ids"][1] not in table and cells[5] == "6,000.00"
    assert cells[7] and page.html.find("a", class_="detail") and page.html.find("a", class_="done-task")
    _dates_filter(world, "account_openings")


def test_base_changes_over_age_and_person_changes(world):
    mine = world["mine"]
    [base] = _run(world, "base_changes")
    assert base["account_no"] == mine["numbers"][1]
    page = world["owner"].get("/hall/queries/base_changes", params={"account_no": mine["numbers"][1]})
    cells = _table(page)[0]
    assert cells[6] == "8,000.00" and cells[5] != cells[6] and cells[8] != cells[7]
    assert _run(world, "base_changes", {"account_no": mine["numbers"][0]}) == []
    [over] = _run(world, "over_age_registrations")
    assert (over["account_no"], over["until_month"], over["status"]) == (mine["numbers"][2], "2027-12", "active")
    assert _run(world, "over_age_registrations", {"status": "ended"}) == []
    assert _run(world, "over_age_registrations", {"until_month_from": "2028-01"}) == []
    rows = _run(world, "person_changes")
    assert {r["field"] for r in rows} == {"name", "phone"} and {r["account_no"] for r in rows} == {mine["numbers"][3]}
    _narrows(world, "person_changes", {"field": "name"}, lambda r: r["field"] == "name")
    assert _run(world, "person_changes", {"name": "改名1", "field": "phone"})[0]["new"] == "13912345678"
    page = world["owner"].get("/hall/queries/person_changes", params={"field": "phone"})
    assert "13912345678" not in page.text and "139****5678" in page.text


def test_deposits_show_supplement_months_and_pay_status_words(world):
    mine = world["mine"]
    [row] = _run(world, "deposits", {"batch_no": mine["batch"]})
    assert (row["kind"], row["month"], row["month_to"], row["status"]) == ("supplement", "2026-08", "2026-09",
                                                                          "verified")
    page = world["owner"].get("/hall/queries/deposits", params={"batch_no": mine["batch"]})
    assert "待缴款" in _table(page)[0]
    assert _run(world, "deposits", {"kind": "remittance", "batch_no": mine["batch"]}) == []


def test_seals_cover_seal_and_unseal(world):
    mine = world["mine"]
    actions = {r["action"] for r in _run(world, "seals", {"account_no": mine["numbers"][3]})}
    assert actions == {"seal", "unseal"}


@pytest.mark.parametrize("code", NEW)
def test_no_condition_shows_the_units_records_and_never_anothers(world, code):
    mine, theirs = _run(world, code), _run(world, code, unit=1)
    assert mine and theirs
    assert not {r["id"] for r in mine} & {r["id"] for r in theirs}
    assert {r["unit_id"] for r in mine} == {world["units"][0]}
    page = world["owner"].get(f"/hall/queries/{code}")
    assert page.status_int == 200 and len(_table(page)) == len(mine)
    export = world["owner"].get(f"/hall/queries/{code}/export.xlsx")
    assert export.body.startswith(b"PK")


def test_another_units_business_numbers_find_nothing(world):
    theirs = world["theirs"]
    for code, key in (("unit_info_changes", "info"), ("bank_account_changes", "bank_change"),
                      ("ratio_changes", "ratio_adjust"), ("certificates", "cert_unit"),
                      ("account_openings", "open"), ("base_changes", "base"),
                      ("over_age_registrations", "over_age"), ("person_changes", "person")):
        query = world["queries"][code]
        values = {"business_no": str(theirs[key])} if query.filter("business_no") else {}
        assert values and _run(world, code, values) == [], code
        assert _run(world, code, values, unit=1), code
    assert _run(world, "unit_payments", {"flow_no": theirs["flow"]}) == []


def test_a_centre_titles_and_places_a_query(world):
    queries = world["queries"]
    assert queries["seals"].title == "缴存人封存/启封记录流水" and queries["seals"].menu_path == ("清册流水查询",)
    assert queries["unit_info_changes"].menu_path == ("清册流水查询", "缴存单位")
    assert queries["unit_info_changes"].menu_order == 1
    owner = world["owner"]
    home = owner.get("/hall")
    assert "缴存人封存/启封记录流水" in home.text and "缴存单位流水" in home.text
    page = owner.get("/hall/queries/seals")
    assert page.html.find("h1").get_text() == "缴存人封存/启封记录流水"
    assert "缴存人封存/启封记录流水" in owner.get("/hall/queries").text
    export = owner.get("/hall/queries/seals/export.xlsx")
    assert "filename*=UTF-8''" in export.headers["Content-Disposition"]
    # the other centre keeps core's titles
    other = world["app"].runtimes["other"]
    assert collect(other.centre, other.pm)["seals"].title == "封存启封记录"


def test_placement_settings_are_checked():
    from core.queries.standard import SEALS

    centre = Centre(name="x", title="x", city="kaifeng", database_url="sqlite://",
                    settings={"query.seals.menu": " 清册流水查询 / 缴存人 ", "query.seals.order": "5"})
    moved = placed(centre, SEALS)
    assert (moved.title, moved.menu_path, moved.menu_order) == ("封存启封记录", ("清册流水查询", "缴存人"), 5)
    [entry] = menu_entries([SEALS], centre=centre)
    assert entry.path == ("清册流水查询", "缴存人") and entry.url == "hall/queries/seals"
    hidden = Centre(name="x", title="x", city="kaifeng", database_url="sqlite://", settings={"query.seals.menu": ""})
    assert menu_entries([SEALS], centre=hidden) == []
    bad = Centre(name="x", title="x", city="kaifeng", database_url="sqlite://", settings={"query.seals.order": "一"})
    with pytest.raises(ConfigurationError, match="query.seals.order"):
        placed(bad, SEALS)


@pytest.mark.parametrize("key", ["query.no_such.title", "query.seals.titel"])
def test_a_placement_setting_with_a_typo_stops_start_up(tmp_path, key):
    with pytest.raises(ConfigurationError, match=key.replace(".", r"\.")):
        make_centre_app(tmp_path, **{f"opengjj.centre.testhall.{key}": "x"})


def _table(page) -> list[list[str]]:
    table = page.html.find("table", class_="query-result")
    return [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]
            if "totals" not in (tr.get("class") or []) and not tr.find("td", class_="empty")]


@pytest.mark.postgresql
def test_the_record_queries_on_postgresql(tmp_path, pg_databases):
    app = make_centre_app(tmp_path, database_url=pg_databases("records"))
    runtime = app.runtimes["testhall"]
    with runtime.session() as db:
        units = db.scalars(select(Unit.id).order_by(Unit.id)).all()
    done = _business(runtime, units[0], 1)
    queries = collect(runtime.centre, runtime.pm)
    with runtime.session() as db:
        for code in NEW:
            assert run(db, runtime, queries[code], units[0], {}).total > 0, code
            if code not in ("bank_accounts", "unit_payments"):  # the demo gives every unit some
                assert run(db, runtime, queries[code], units[1], {}).total == 0, code
        assert run(db, runtime, queries["unit_payments"], units[1], {"kind": "adjustment"}).total == 0
        ratios = run(db, runtime, queries["ratio_changes"], units[0], {}).rows
        assert [(r["kind"], r["old_unit_ratio"], r["unit_ratio"]) for r in ratios] == [
            ("restore", Decimal("0.0500"), Decimal("0.1100")), ("reduce", Decimal("0.1100"), Decimal("0.0500")),
            ("adjust", None, Decimal("0.1100"))]
        assert ratios[2]["old_record"]["unit_ratio"] == "0.1200"
        legs = run(db, runtime, queries["unit_payments"], units[0], {"flow_no": done["flow"]})
        assert legs.total == 2 and legs.totals == {"income": Decimal("100.00"), "outgo": Decimal("100.00")}
        info = run(db, runtime, queries["unit_info_changes"], units[0], {"field": "address"}).rows
        assert [r["new"] for r in info] == ["城西路1号"]
        assert run(db, runtime, queries["person_changes"], units[0], {"field": "phone"}).rows[0]["new"] == "13912345678"
