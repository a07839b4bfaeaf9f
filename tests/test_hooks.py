"""One test per hook (datasette's habit), each through a plugin registered for the test.

``test_every_hook_has_a_test`` keeps it that way: a new hookspec without a
``test_hook_<name>`` here fails the suite.
"""
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import hookspecs
from core.catalogue import build_catalogue
from core.centres import Centre, ConfigurationError
from core.contract import (
    ApprovalChain, BusinessItem, DepositPolicy, LoginMethod, MaterialType, MenuEntry, Notification, Step,
    Theme, Violation, VoucherLayout,
)
from core.hookspecs import hookimpl
from core.plugins import make_plugin_manager
from core.runtime import CentreRuntime

SEAL = BusinessItem(code="city_seal", title="封存", menu_path=("缴存人",), order=20)
UNSEAL = BusinessItem(code="city_unseal", title="启封", menu_path=("缴存人",), order=30)


class Library:
    """A city's own items, defined beside core's standard library."""

    @hookimpl
    def opengjj_business_items(self, centre):
        return [SEAL, UNSEAL]


def centre(**settings) -> Centre:
    return Centre(name="testing", title="测试中心", city="kaifeng", database_url="sqlite://",
                  plugins=("password_login",), settings=settings)


def catalogue(*plugins, c=None):
    c = c or centre()
    pm = make_plugin_manager(c)
    for plugin in plugins:
        pm.register(plugin)
    return build_catalogue(c, pm)


def runtime(*plugins, c=None):
    from core.db import make_engine, make_sessionmaker
    from core.jobs import make_job_service

    c = c or centre()
    pm = make_plugin_manager(c)
    for plugin in plugins:
        pm.register(plugin)
    engine = make_engine(c)
    from core.models import Base

    Base.metadata.create_all(engine)
    return CentreRuntime(centre=c, pm=pm, catalogue=build_catalogue(c, pm), engine=engine,
                         sessionmaker=make_sessionmaker(engine), jobs=make_job_service(c, {}))


def plugin(**hooks):
    """An object implementing the given hooks, e.g. plugin(opengjj_theme=lambda centre: ...)."""
    return type("Plugin", (), {name: hookimpl(staticmethod(f)) for name, f in hooks.items()})()


def test_every_hook_has_a_test():
    specs = {name for name in dir(hookspecs) if name.startswith("opengjj_")}
    tests = {name[len("test_hook_"):] for name in globals() if name.startswith("test_hook_")}
    assert specs - tests == set(), "hooks without a test_hook_<name>"
    assert tests - specs == set(), "tests for hooks that do not exist"


def test_hook_opengjj_login_methods():
    sms = LoginMethod(name="sms", title="短信登录", fields=("phone", "code"), order=5)
    found = catalogue(plugin(opengjj_login_methods=lambda centre: [sms])).login_methods
    assert [m.name for m in found] == ["sms", "password"]  # by order, not by registration
    assert found[1].fields == ("id_no", "password")
    clash = LoginMethod(name="password", title="另一种密码登录", fields=("x",))
    with pytest.raises(ConfigurationError, match="login method 'password' is declared twice"):
        catalogue(plugin(opengjj_login_methods=lambda centre: [clash]))


def test_hook_opengjj_business_items():
    items = catalogue(Library()).items
    assert ["city_seal", "city_unseal"] == [code for code in items if code.startswith("city_")]
    assert {"open_accounts", "seal", "remittance", "consultation"} <= set(items)  # core's standard items
    redefine = plugin(opengjj_business_items=lambda centre: [BusinessItem(code="seal", title="我的封存")])
    with pytest.raises(ConfigurationError, match="business item 'seal' is declared twice"):
        catalogue(redefine)
    twin = plugin(opengjj_business_items=lambda centre: [BusinessItem(code="city_seal", title="另一个封存")])
    with pytest.raises(ConfigurationError, match="business item 'city_seal' is declared twice"):
        catalogue(Library(), twin)


def test_hook_opengjj_enabled_items():
    assert list(catalogue(Library(), plugin(opengjj_enabled_items=lambda centre: ["city_unseal"])).items) == ["city_unseal"]
    with pytest.raises(ConfigurationError, match="enables undefined items: merge"):
        catalogue(Library(), plugin(opengjj_enabled_items=lambda centre: ["city_seal", "merge"]))


def test_hook_opengjj_item_overrides():
    retitle = plugin(opengjj_item_overrides=lambda centre, item: {"title": "个人账户封存"} if item.code == "city_seal" else None)
    items = catalogue(Library(), retitle).items
    assert items["city_seal"].title == "个人账户封存" and items["city_unseal"].title == "启封"
    same = plugin(opengjj_item_overrides=lambda centre, item: {"title": "个人账户封存"} if item.code == "city_seal" else None)
    assert catalogue(Library(), retitle, same).items["city_seal"].title == "个人账户封存"
    other = plugin(opengjj_item_overrides=lambda centre, item: {"title": "缴存人封存"})
    with pytest.raises(ConfigurationError, match="item 'city_seal': two plugins set 'title'"):
        catalogue(Library(), retitle, other)
    with pytest.raises(ConfigurationError, match="bad override"):
        catalogue(Library(), plugin(opengjj_item_overrides=lambda centre, item: {"colour": "red"}))


def test_hook_opengjj_approval_chain():
    two_reviews = ApprovalChain((Step("first_review", "初审"), Step("second_review", "复核")))
    items = catalogue(Library(), plugin(
        opengjj_approval_chain=lambda centre, item: two_reviews if item.code == "city_seal" else None)).items
    assert items["city_seal"].chain == two_reviews
    assert items["city_unseal"].chain.instant  # core's default: the item's own chain (发起即办结 here)
    with pytest.raises(ConfigurationError, match="must be an ApprovalChain"):
        catalogue(Library(), plugin(opengjj_approval_chain=lambda centre, item: ["初审"]))


def test_hook_opengjj_business_rules():
    from core.models import Application

    late = plugin(opengjj_business_rules=lambda centre, item, application, db: [
        Violation("证件号码校验位错误", field="id_no", row=3), Violation("只能在7月办理", field="business_month")])
    young = plugin(opengjj_business_rules=lambda centre, item, application, db: [
        Violation("未满16周岁，请到柜台办理", field="id_no", row=1)])
    quiet = plugin(opengjj_business_rules=lambda centre, item, application, db: [])
    application = Application(item_code="city_seal", unit_id=1, business_month="2026-03")
    one = runtime(Library(), late, young, quiet)
    other = runtime(Library(), quiet, young, late)
    with one.session() as db:
        found = one.check_rules(SEAL, application, db)
    with other.session() as db:
        assert other.check_rules(SEAL, application, db) == found  # whatever the registration order
    assert [(v.row, v.message) for v in found] == [
        (None, "只能在7月办理"), (1, "未满16周岁，请到柜台办理"), (3, "证件号码校验位错误")]


def test_hook_opengjj_deposit_policy():
    c = centre(**{"deposit.base_cap": "25000", "deposit.2026.base_cap": "26000", "deposit.rounding": "up_li_to_fen"})
    r = runtime(c=c)
    assert r.policy(2025).base_cap == Decimal("25000") and r.policy(2026).base_cap == Decimal("26000")
    assert r.policy(2026).rounding == "up_li_to_fen"
    assert (r.policy(2026).ratio_change_applies, r.policy(2026).max_months_per_verification) == ("immediately", None)
    kaifeng_like = runtime(c=centre(**{"deposit.ratio_change_applies": "with_base_adjustment",
                                      "deposit.max_months_per_verification": "3"}))
    assert kaifeng_like.policy(2026).ratio_change_applies == "with_base_adjustment"
    assert kaifeng_like.policy(2026).max_months_per_verification == 3
    strict = DepositPolicy(base_floor=Decimal("2160"), base_cap=Decimal("29430"), personal_ratio_rule="equal")
    assert runtime(plugin(opengjj_deposit_policy=lambda centre, fund_year: strict), c=c).policy(2026) is strict


def test_hook_opengjj_voucher_layouts():
    layout = VoucherLayout(code="seal_list", title="个人账户封存清册", table_columns=(("account_no", "个人账号"),))
    printing = BusinessItem(code="city_seal", title="封存", vouchers=("seal_list",))
    items = plugin(opengjj_business_items=lambda centre: [printing])
    found = catalogue(items, plugin(opengjj_voucher_layouts=lambda centre: [layout]))
    assert found.voucher_layouts["seal_list"] == layout
    with pytest.raises(ConfigurationError, match="names undeclared voucher layouts: seal_list"):
        catalogue(items)


def test_hook_opengjj_material_types():
    licence = MaterialType("licence", "营业执照", required=True, max_count=1)
    needing = plugin(opengjj_business_items=lambda centre: [BusinessItem(code="open_unit", title="开户", materials=("licence",))])
    assert catalogue(needing, plugin(opengjj_material_types=lambda centre: [licence])).material_types["licence"].required
    with pytest.raises(ConfigurationError, match="names undeclared material types: licence"):
        catalogue(needing)


def test_hook_opengjj_menu():
    queries = plugin(opengjj_menu=lambda centre, items: [MenuEntry(path=("查询",), title="缴存明细查询", url="q")])
    help_ = plugin(opengjj_menu=lambda centre, items: [MenuEntry(path=("缴存人",), title="帮助", order=1)])
    only_mine = plugin(opengjj_enabled_items=lambda centre: ["city_seal", "city_unseal"])
    menu = catalogue(Library(), only_mine, queries, help_).menu
    assert catalogue(Library(), only_mine, help_, queries).menu == menu
    mine = [(e.path, e.title) for e in menu if not (e.url or "").startswith("hall/queries/")]  # not core's queries
    # a group stands where its lowest-ordered entry would: 帮助 (order 1) puts 缴存人 first
    assert mine == [(("缴存人",), "帮助"), (("缴存人",), "封存"), (("缴存人",), "启封"), (("查询",), "缴存明细查询")]


def test_hook_opengjj_theme():
    from core.builtin.theme import opengjj_theme as core_default

    assert core_default(centre()) == Theme(name="core", title="测试中心")
    assert catalogue().theme.name == "kaifeng"  # the city's theme beats core's trylast default
    mine = Theme(name="mine", title="我的中心", colours={"primary": "#000"})
    assert catalogue(plugin(opengjj_theme=lambda centre: mine)).theme is mine


def test_hook_opengjj_notify():
    from core.models import Message

    heard = []
    r = runtime(plugin(opengjj_notify=lambda centre, db, notification: heard.append(notification.event)))
    with r.session() as db:
        r.notify(db, Notification(event="application.returned", unit_id=None, title="申请被退回", kind="todo"))
    with r.session() as db:
        message = db.scalars(select(Message)).one()
    assert (message.title, message.kind, message.event) == ("申请被退回", "todo", "application.returned")
    assert heard == ["application.returned"]


def test_hook_opengjj_demo_data():
    import random

    from core.models import Message, Unit

    def welcome(centre, db, rng, policy):
        first = db.scalars(select(Unit).order_by(Unit.unit_no)).first()  # made by core's demo
        db.add(Message(unit_id=first.id, event="demo", title=f"欢迎{first.name}"))

    r = runtime(plugin(opengjj_demo_data=welcome))
    with r.session() as db:
        r.hook.opengjj_demo_data(centre=r.centre, db=db, rng=random.Random(1), policy=r.policy)
    with r.session() as db:
        assert db.scalars(select(Message.title)).one().startswith("欢迎")
        assert db.scalar(select(Unit.name).order_by(Unit.unit_no)) in db.scalars(select(Message.title)).one()


def test_hook_opengjj_operation_rules():
    from datetime import date

    from core.money.books import Books
    from core.money.errors import RuleViolations

    def young(centre, db, operation):
        if operation.kind == "open_account" and operation.values["age"] < 16:
            return [Violation("未满16周岁，请到柜台办理", field="id_no", code="counter")]

    def online(centre, db, operation):
        if operation.kind == "open_account" and operation.values["id_type"] != "01":
            return [Violation("网厅只受理居民身份证", field="id_type")]

    r = runtime(plugin(opengjj_operation_rules=young), plugin(opengjj_operation_rules=online))
    with r.session() as db:
        books = Books(db=db, runtime=r, actor="operator:1", today=date(2026, 11, 23))
        books.check("open_account", unit_id=1, age=30, id_type="01")  # nobody objects
        with pytest.raises(RuleViolations) as refused:
            books.check("open_account", unit_id=1, age=15, id_type="03")
    assert [(v.field, v.message) for v in refused.value.violations] == [
        ("id_no", "未满16周岁，请到柜台办理"), ("id_type", "网厅只受理居民身份证")]
    assert refused.value.violations[0].code == "counter"


def test_hook_opengjj_record_queries():
    from datetime import date

    from core.models import LedgerEntry, Unit
    from core.queries import QueryColumn, QueryFilter, RecordQuery, collect, run

    le = LedgerEntry
    lines = RecordQuery(
        code="interest_lines", title="结息明细", totals=("interest",), order=("-booked_on",),
        columns=(QueryColumn("booked_on", "日期", "date"), QueryColumn("interest", "利息(元)", "money")),
        filters=(QueryFilter("booked_on", "日期", "date_range", column="booked_on"),),
        # forgets to narrow to the unit: the framework does it anyway
        source=lambda unit_id, values: select(le.id, le.unit_id, le.booked_on, le.interest)
        .where(le.kind == "unit", le.business_type == "09"))
    mine = plugin(opengjj_record_queries=lambda centre: [lines])
    c = centre()
    pm = make_plugin_manager(c)
    pm.register(mine)
    found = collect(c, pm)
    assert found["interest_lines"] is lines and "unit_ledger" in found  # beside core's standard queries
    clash = plugin(opengjj_record_queries=lambda centre: [RecordQuery(
        code="interest_lines", title="另一个", columns=lines.columns, source=lines.source)])
    pm.register(clash)
    with pytest.raises(ConfigurationError, match="interest_lines"):
        collect(c, pm)
    assert "persons" not in collect(centre(**{"queries.disabled": "persons"}), make_plugin_manager(c))

    r = runtime(mine)
    with r.session() as db:
        for n in (1, 2):
            db.add(Unit(id=n, unit_no=f"U{n}", name=f"单位{n}"))
        db.flush()
        for n, (unit_id, day, amount) in enumerate([(1, date(2025, 6, 30), "10.50"), (1, date(2026, 6, 30), "20.25"),
                                                    (2, date(2026, 6, 30), "99.00")]):
            db.add(LedgerEntry(flow_no=f"F{n}", kind="unit", unit_id=unit_id, business_type="09", booked_on=day,
                               interest=Decimal(amount), balance_after=Decimal(amount)))
        db.flush()
        result = run(db, r, collect(c, r.pm)["interest_lines"], 1, {"booked_on_from": "2026-01-01"})
        assert [row["interest"] for row in result.rows] == [Decimal("20.25")]
        assert run(db, r, lines, 1, {}).totals == {"interest": Decimal("30.75")}  # never unit 2's line


def test_hook_opengjj_lookup_service():
    from core.interop import Enterprise, RecordLookup, RegistryLookup, UnavailableLookup, lookup_service

    class Platform(RecordLookup):
        def find_enterprise(self, credit_code):
            return Enterprise(credit_code, "省平台企业")

    assert isinstance(lookup_service(runtime()), RegistryLookup)  # core's default: interop.backend = registry
    assert isinstance(lookup_service(runtime(c=centre(**{"interop.backend": "unavailable"}))), UnavailableLookup)
    mine = runtime(plugin(opengjj_lookup_service=lambda centre: Platform()))
    assert lookup_service(mine).credit_code("91140502MA0K12345X", "省平台企业").found
