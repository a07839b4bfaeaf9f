"""互联互通 checks: the development registry the demo fills, every outcome as the hall
shows it (page and fragment), the unavailable state, a plugin's own service through
the hook, the audit trail and who may ask — against PostgreSQL."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, select
from stdnum.cn import ric, uscc

from core.centres import Centre, ConfigurationError
from core.hookspecs import hookimpl
from core.interop import (
    Enterprise, RecordLookup, RegistryLookup, Resident, ServiceUnavailable, UnavailableLookup, ask,
    backend_class, from_settings, same_name,
)
from core.interop.demo import load_interop_demo, registered
from core.models import AuditEntry, InteropRecord, Operator, Person, Unit
from tests.support.web import Client, make_centre_app

pytestmark = pytest.mark.postgresql

XHR = {"X-Requested-With": "XMLHttpRequest"}
UNAVAILABLE = "互联互通服务暂不可用，请稍后再试或到服务大厅柜台核验"


@pytest.fixture
def app(tmp_path, pg_databases):
    return make_centre_app(tmp_path, pg_databases("interop"))


def first_unit(runtime) -> Unit:
    with runtime.session() as db:
        return db.scalars(select(Unit).order_by(Unit.id)).first()


def a_person(runtime) -> Person:
    with runtime.session() as db:
        return db.scalars(select(Person).order_by(Person.id)).first()


def unregistered_code() -> str:
    body = "91140502" + "YYYYYYYY0"
    return body + uscc.calc_check_digit(body)


def unregistered_id() -> str:
    body = "11010119800101999"
    return body + ric.calc_check_digit(body + "0")


def extra(runtime, name_suffix: str) -> InteropRecord:
    with runtime.session() as db:
        return db.scalars(select(InteropRecord).where(InteropRecord.name.like(f"%{name_suffix}"))).one()


def check(client: Client, which: str, status: int = 200, headers=None, **params):
    return client.get(f"/hall/interop/{which}", params=params, headers=headers or {}, status=status)


# --- the demo's registry -------------------------------------------------------------------

def test_demo_registers_every_unit_person_and_operator_and_the_extra_records(runtime):
    with runtime.session() as db:
        units = db.scalars(select(Unit)).all()
        enterprises = {r.key: r for r in db.scalars(select(InteropRecord).where(InteropRecord.kind == "enterprise"))}
        residents = {r.key: r for r in db.scalars(select(InteropRecord).where(InteropRecord.kind == "population"))}
        for unit in units:
            assert enterprises[unit.credit_code].name == unit.name
            assert enterprises[unit.credit_code].data["legal_rep"] == unit.legal_rep
        for person in db.scalars(select(Person)):
            assert residents[person.id_no].name == person.name
        for operator in db.scalars(select(Operator)):
            assert operator.id_no in residents
        assert len(residents) == db.query(Person).count() + db.query(Operator).count() + 2  # two not yet anyone's
        assert registered(db, "enterprise", "测试市红星机械厂").data["status"] == "注销"  # the centre's title
        assert registered(db, "enterprise", "测试市新华书店有限责任公司").data["status"] == "存续"


def test_demo_registry_is_the_same_for_the_same_rng(runtime):
    def load(seed: int) -> list[tuple]:
        db = runtime.sessionmaker()
        try:
            db.execute(delete(InteropRecord))
            load_interop_demo(runtime.centre, db, random.Random(seed))
            return [(r.kind, r.key, r.name, r.data) for r in
                    db.scalars(select(InteropRecord).order_by(InteropRecord.kind, InteropRecord.key))]
        finally:
            db.rollback()
            db.close()

    assert load(7) == load(7)
    assert load(7) != load(8)


# --- outcomes in the hall ----------------------------------------------------------------------

def test_credit_code_and_name_that_match(hall, runtime):
    unit = first_unit(runtime)
    page = check(hall, "credit_code", credit_code=unit.credit_code, name=unit.name, item="unit_info_change")
    answer = page.html.select_one(".interop-answer")
    assert "查询成功" in answer.text and "一致" in answer.text and "不一致" not in answer.text
    fields = dict(zip([dt.text for dt in answer.select("dt")], [dd.text for dd in answer.select("dd")]))
    assert fields["企业名称"] == unit.name
    assert fields["统一社会信用代码"] == unit.credit_code
    assert fields["法定代表人"] == unit.legal_rep
    assert fields["注册地址"] == unit.address
    assert fields["登记状态"] == "存续" and fields["成立日期"]
    title = runtime.catalogue.items["unit_info_change"].title
    assert f"返回{title}" in page.html.select_one("a.btn").text  # the plain page leads back to the item
    assert page.headers["Cache-Control"] == "no-store"


def test_a_fragment_for_the_page_panel(hall, runtime):
    unit = first_unit(runtime)
    fragment = check(hall, "enterprise", headers=XHR, credit_code=unit.credit_code.lower())
    assert "<html" not in fragment.text and "interop-answer" in fragment.text
    assert "查询成功" in fragment.text and unit.name in fragment.text


def test_enterprise_found_by_name_alone_whatever_the_bracket_width(hall, runtime):
    with runtime.session() as db:
        db.add(InteropRecord(kind="enterprise", key=unregistered_code(), name="晋城市金鼎（集团）有限公司",
                             data={"legal_rep": "王伟", "status": "存续"}))
    page = check(hall, "enterprise", headers=XHR, name="晋城市金鼎(集团)有限公司")
    assert "查询成功" in page.text and unregistered_code() in page.text and "王伟" in page.text


def test_not_found(hall):
    page = check(hall, "credit_code", headers=XHR, credit_code=unregistered_code(), name="晋城市不存在有限公司")
    assert "未查询到" in page.text and unregistered_code() in page.text
    page = check(hall, "enterprise", headers=XHR, name="晋城市不存在有限公司")
    assert "未查询到名称为“晋城市不存在有限公司”的企业" in page.text


def test_a_slightly_different_registered_name_is_reported(hall, runtime):
    record = extra(runtime, "新华书店有限责任公司")
    page = check(hall, "credit_code", headers=XHR, credit_code=record.key, name="测试市新华书店有限公司")
    assert "名称不一致" in page.text
    assert "登记名称为“测试市新华书店有限责任公司”" in page.text
    assert "查询成功" not in page.text


def test_a_deregistered_enterprise_is_found_with_a_warning(hall, runtime):
    record = extra(runtime, "红星机械厂")
    page = check(hall, "enterprise", headers=XHR, credit_code=record.key)
    assert "查询成功" in page.text
    assert "登记状态为“注销”" in page.html.select_one(".interop-warning").text


def test_population_found_matched_or_not(hall, runtime):
    person = a_person(runtime)
    page = check(hall, "population", headers=XHR, id_no=person.id_no, name=person.name, item="person_change")
    assert "查询成功" in page.text and "与姓名一致" in page.text
    fields = dict(zip([dt.text for dt in page.html.select("dt")], [dd.text for dd in page.html.select("dd")]))
    assert fields["姓名"] == person.name
    assert fields["公民身份号码"] == person.id_no[:6] + "********" + person.id_no[-4:]  # masked, as in lists
    assert fields["出生日期"] == person.birth_date.isoformat()
    assert fields["性别"] in ("男", "女") and fields["户籍地址"].startswith("测试市")
    assert person.id_no not in page.text

    wrong = check(hall, "population", headers=XHR, id_no=person.id_no, name="某某某")
    assert "姓名不一致" in wrong.text
    assert person.name not in wrong.text and "户籍地址" not in wrong.text  # never says whose number it is

    missing = check(hall, "population", headers=XHR, id_no=unregistered_id(), name="赵新")
    assert "未查询到" in missing.text


@pytest.mark.parametrize("which, params, message", [
    ("credit_code", {"credit_code": "91140502MA0K123456", "name": "某公司"}, "统一社会信用代码校验位错误"),
    ("credit_code", {"credit_code": "9114050", "name": "某公司"}, "统一社会信用代码位数不对"),
    ("credit_code", {"credit_code": unregistered_code()}, "请输入单位名称"),
    ("enterprise", {}, "请输入统一社会信用代码或单位名称"),
    ("population", {"id_no": "110101199003071230", "name": "张三"}, "证件号码校验位错误"),
    ("population", {"id_no": "11010119900307", "name": "张三"}, "证件号码位数不对"),
    ("population", {"id_no": unregistered_id()}, "请输入姓名"),
])
def test_bad_input_names_the_field(hall, which, params, message):
    fragment = check(hall, which, status=400, headers=XHR, **params)
    assert message in fragment.html.select_one(".interop-invalid").text
    if params:
        page = check(hall, which, status=400, **params)  # the plain page says the same
        assert message in page.text and "<html" in page.text


def test_the_plain_page_without_a_question_shows_the_form(hall):
    page = check(hall, "credit_code")
    form = page.forms[1]  # after the logout form
    assert form.action.endswith("/hall/interop/credit_code")
    assert [b.text for b in page.html.select("button.interop-button")] == ["查询信用代码"]
    assert {"credit_code", "name"} <= set(form.fields)
    assert not page.html.select(".interop-answer p")


# --- unavailable, and other backends ----------------------------------------------------------

def test_an_unavailable_service_says_so_with_503(tmp_path, pg_databases):
    app = make_centre_app(tmp_path, pg_databases("interop_off"),
                          **{"opengjj.centre.testhall.interop.backend": "unavailable"})
    runtime = app.runtimes["testhall"]
    with runtime.session() as db:
        operator = db.scalars(select(Operator).order_by(Operator.id)).first().id_no
    hall = Client(app)
    hall.login(operator).follow()
    unit = first_unit(runtime)
    fragment = check(hall, "credit_code", status=503, headers=XHR, credit_code=unit.credit_code, name=unit.name)
    assert UNAVAILABLE in fragment.text and "查询成功" not in fragment.text
    page = check(hall, "population", status=503, id_no=unregistered_id(), name="赵新")
    assert UNAVAILABLE in page.html.select_one(".interop-unavailable").text
    with runtime.session() as db:
        outcomes = [e.details["outcome"] for e in db.scalars(select(AuditEntry).where(
            AuditEntry.action.like("interop.%")).order_by(AuditEntry.id))]
    assert outcomes == ["unavailable", "unavailable"]


class Province(RecordLookup):
    """A province platform as a plugin would bring it (here: one enterprise it knows)."""

    def __init__(self, centre):
        self.centre = centre

    def find_enterprise(self, credit_code):
        if credit_code == unregistered_code():
            return Enterprise(credit_code, "晋城市省平台测试有限公司", legal_rep="省平台", status="在业")
        return None

    def find_enterprise_by_name(self, name):
        return None

    def find_resident(self, id_no):
        raise ConnectionRefusedError("platform down")


def test_a_plugins_service_wins_over_the_default(hall, runtime):
    class ProvincePlugin:
        @hookimpl
        def opengjj_lookup_service(self, centre):
            return Province(centre)

    runtime.pm.register(ProvincePlugin())
    page = check(hall, "credit_code", headers=XHR, credit_code=unregistered_code(), name="晋城市省平台测试有限公司")
    assert "查询成功" in page.text and "省平台" in page.text
    unit = first_unit(runtime)  # in the development registry, not on this platform
    assert "未查询到" in check(hall, "enterprise", headers=XHR, credit_code=unit.credit_code).text
    # A network fault in the plugin's backend is the unavailable state, not an error page.
    down = check(hall, "population", status=503, headers=XHR, id_no=unregistered_id(), name="赵新")
    assert UNAVAILABLE in down.text


def test_backends_named_by_the_setting(runtime):
    def centre(backend: str | None) -> Centre:
        return Centre(name="t", title="t", city="none", database_url="sqlite://",
                      settings={"interop.backend": backend} if backend else {})

    assert isinstance(from_settings(centre(None)), RegistryLookup)
    assert isinstance(from_settings(centre("unavailable")), UnavailableLookup)
    mine = from_settings(centre("tests.test_interop:Province"))
    assert isinstance(mine, Province) and mine.centre.name == "t"
    with pytest.raises(ConfigurationError, match="interop.backend"):
        backend_class("tests.test_interop:NoSuchBackend")
    with pytest.raises(ServiceUnavailable):
        ask(UnavailableLookup(centre(None)), "enterprise", credit_code=unregistered_code())
    assert isinstance(runtime.hook.opengjj_lookup_service(centre=runtime.centre), RegistryLookup)


def test_a_misspelled_backend_stops_start_up(tmp_path, pg_databases):
    with pytest.raises(ConfigurationError, match="interop.backend"):
        make_centre_app(tmp_path, pg_databases("interop_bad"), **{"opengjj.centre.testhall.interop.backend": "regsitry"})


def test_names_compare_as_people_read_them():
    assert same_name("晋城市金鼎（集团）有限公司", "晋城市金鼎(集团)有限公司 ")
    assert not same_name("晋城市新华书店有限公司", "晋城市新华书店有限责任公司")
    assert Resident("140502199001011234", "张三").fields()[1] == ("公民身份号码", "140502********1234")


# --- audit and access ------------------------------------------------------------------------

def test_every_check_is_audited_with_personal_data_masked(hall, runtime, demo):
    person, unit = a_person(runtime), first_unit(runtime)
    check(hall, "population", headers=XHR, id_no=person.id_no, name=person.name, item="person_change")
    check(hall, "credit_code", headers=XHR, credit_code=unit.credit_code, name=unit.name)
    check(hall, "credit_code", status=400, headers=XHR, credit_code="123", name=unit.name)
    with runtime.session() as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action.like("interop.%"))
                             .order_by(AuditEntry.id)).all()
        operator = db.scalars(select(Operator).where(Operator.id_no == demo.operator_id_no)).one()
    assert [e.action for e in entries] == ["interop.population", "interop.credit_code", "interop.credit_code"]
    assert {e.actor for e in entries} == {f"operator:{operator.id}"} and {e.unit_id for e in entries} == {demo.unit_id}
    population = entries[0].details
    assert population["id_no"] == person.id_no[:6] + "********" + person.id_no[-4:]
    assert population["name"] == person.name[0] + "*" * (len(person.name) - 1)
    assert (population["outcome"], population["item"]) == ("found", "person_change")
    assert person.id_no not in str(population) and person.name not in str(population)
    assert entries[1].details == {"check": "credit_code", "credit_code": unit.credit_code, "name": unit.name,
                                  "outcome": "found"}
    assert (entries[2].details["outcome"], entries[2].details["field"]) == ("invalid", "credit_code")


def test_only_signed_in_operators_may_ask(app, runtime):
    unit = first_unit(runtime)
    params = {"credit_code": unit.credit_code, "name": unit.name}
    anonymous = Client(app)
    refused = check(anonymous, "credit_code", status=303, **params)
    assert refused.location.endswith("/c/login")
    clerk = Client(app)
    clerk.login_clerk("clerk1").follow()
    assert "无权访问" in check(clerk, "credit_code", status=403, **params).text
    with runtime.session() as db:
        assert not db.scalars(select(AuditEntry).where(AuditEntry.action.like("interop.%"))).all()


def test_another_units_operator_asks_for_their_own_unit(app, runtime, demo):
    """Not unit-scoped data (a registry is public to the hall), but the trail says who."""
    stranger = Client(app)
    stranger.login(demo.other_operator_id_no).follow()
    unit = first_unit(runtime)
    assert "查询成功" in check(stranger, "enterprise", headers=XHR, credit_code=unit.credit_code).text
    with runtime.session() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "interop.enterprise")).one()
    assert entry.unit_id != demo.unit_id


def test_unknown_check_or_item_is_not_found(hall):
    check(hall, "bank", status=404, credit_code=unregistered_code())
    check(hall, "enterprise", status=404, credit_code=unregistered_code(), item="no_such_item")


# --- the buttons in a browser ------------------------------------------------------------------

def test_the_buttons_show_the_answer_in_the_panel(tmp_path, pg_databases):
    from selenium.webdriver.common.by import By

    from core.demo import DEMO_PASSWORD
    from tests.support.browser import chromium, screenshot, serve
    from tests.support.web import demo_facts
    from tests.test_browser_hall import sign_in, wait_for

    app = make_centre_app(tmp_path, pg_databases("interop_js"))
    runtime = app.runtimes["testhall"]
    demo, unit, person = demo_facts(runtime), first_unit(runtime), a_person(runtime)
    base, server = serve(app)
    driver = chromium()
    try:
        sign_in(driver, base + "/c/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
        wait_for(driver, ".unit-no", demo.unit_no)
        driver.get(base + "/c/hall/interop/credit_code?item=unit_info_change")
        form = wait_for(driver, "form.interop-enterprise")
        form.find_element(By.NAME, "credit_code").send_keys(unit.credit_code)
        form.find_element(By.NAME, "name").send_keys("测试市新华书店有限公司")
        form.find_element(By.CSS_SELECTOR, "button[data-check=credit_code]").click()
        assert "名称不一致" in wait_for(driver, ".interop-result .interop-mismatch").text
        assert len(driver.window_handles) == 1  # answered in the panel, no new window
        form.find_element(By.NAME, "name").clear()
        form.find_element(By.NAME, "name").send_keys(unit.name)
        form.find_element(By.CSS_SELECTOR, "button[data-check=credit_code]").click()
        panel = wait_for(driver, ".interop-result .interop-found")
        assert "查询成功" in panel.text
        assert unit.legal_rep in driver.find_element(By.CSS_SELECTOR, ".interop-result dl").text
        screenshot(driver, "hall-interop-credit-code")

        driver.get(base + "/c/hall/interop/population")
        form = wait_for(driver, "form.interop-population")
        form.find_element(By.NAME, "id_no").send_keys(person.id_no[:-1] + ("0" if person.id_no[-1] != "0" else "1"))
        form.find_element(By.NAME, "name").send_keys(person.name)
        form.find_element(By.CSS_SELECTOR, "button[data-check=population]").click()
        assert "证件号码校验位错误" in wait_for(driver, ".interop-result .interop-invalid").text  # the 400's text
    finally:
        driver.quit()
        server.close()


def test_item_pages_offer_their_checks(hall, runtime):
    """The buttons of the Jincheng manual: item 1 查询企业信息 and 查询信用代码, item 17
    人口信息查询, each with the fields it reads and the panel its answer goes to."""
    items = runtime.catalogue.items
    assert items["unit_info_change"].checks == ("enterprise", "credit_code")
    population = [code for code, item in items.items() if "population" in item.checks]
    assert population  # 缴存人基本信息变更
    page = hall.item("unit_info_change")
    assert [b.text for b in page.html.select("section.interop button")] == ["查询企业信息", "查询信用代码"]
    assert page.html.select_one("form.interop-enterprise input[name=item]")["value"] == "unit_info_change"
    assert page.html.select_one("section.interop .interop-result") is not None
    assert page.html.select_one("script[src*='interop.js']") is not None
    page = hall.item(population[0])
    assert [b.text for b in page.html.select("section.interop button")] == ["人口信息查询"]
    assert {i["name"] for i in page.html.select("form.interop-population input[type=text]")} == {"id_no", "name"}
    assert not hall.item("seal").html.select("section.interop")  # an item without checks shows none


def test_the_item_page_buttons_read_the_pages_own_fields(tmp_path, pg_databases):
    """单位登记信息变更: 查询信用代码 takes the greyed 统一社会信用代码 and 单位名称 of the
    page's form, with nothing typed into the check's own fields."""
    from selenium.webdriver.common.by import By

    from core.demo import DEMO_PASSWORD
    from tests.support.browser import chromium, screenshot, serve
    from tests.support.web import demo_facts
    from tests.test_browser_hall import sign_in, wait_for

    app = make_centre_app(tmp_path, pg_databases("interop_item"))
    runtime = app.runtimes["testhall"]
    demo, unit = demo_facts(runtime), first_unit(runtime)
    base, server = serve(app)
    driver = chromium()
    try:
        sign_in(driver, base + "/c/login", {"id_no": demo.operator_id_no, "password": DEMO_PASSWORD})
        wait_for(driver, ".unit-no", demo.unit_no)
        driver.get(base + "/c/hall/items/unit_info_change")
        wait_for(driver, "section.interop").find_element(By.CSS_SELECTOR, "button[data-check=credit_code]").click()
        assert "一致" in wait_for(driver, ".interop-result .interop-found").text
        checked = driver.find_element(By.CSS_SELECTOR, "form.interop-enterprise")
        assert checked.find_element(By.NAME, "credit_code").get_attribute("value") == unit.credit_code
        assert checked.find_element(By.NAME, "name").get_attribute("value") == unit.name
        screenshot(driver, "hall-interop-item-page")
    finally:
        driver.quit()
        server.close()
