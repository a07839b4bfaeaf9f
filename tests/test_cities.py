"""Each city's declared differences, through the real centre configuration."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from core.models import Unit
from core.money import accounts
from core.money.books import Books
from core.money.errors import RuleViolations
from tests.conftest import build, make_settings

TODAY = date(2026, 11, 23)


@pytest.fixture
def app(tmp_path):
    app = build(make_settings(tmp_path, centres=("shaanxi", "kaifeng")))
    for runtime in app.runtimes.values():
        with runtime.session() as db:
            db.add(Unit(unit_no=f"{runtime.centre.name}01", name="测试单位", paid_to="2026-10"))
    return app


def books(runtime, db):
    return Books(db=db, runtime=runtime, actor="operator:1", today=TODAY)


def id_no(born: date) -> str:
    body = f"610102{born:%Y%m%d}011"
    return body + ric.calc_check_digit(body + "0")


def unit_id(db):
    return db.scalar(select(Unit.id))


def test_shaanxi_sends_under_16_to_the_counter_kaifeng_does_not(app):
    young = id_no(date(2011, 3, 1))
    with app.runtimes["shaanxi"].session() as db:
        with pytest.raises(RuleViolations) as refused:
            accounts.open_account(books(app.runtimes["shaanxi"], db), unit_id(db), name="李小明", id_no=young,
                                  base=Decimal("3000"))
    assert refused.value.violations[0].message == "未满16周岁，请到柜台办理"
    assert refused.value.violations[0].code == "counter"
    with app.runtimes["kaifeng"].session() as db:
        account = accounts.open_account(books(app.runtimes["kaifeng"], db), unit_id(db), name="李小明",
                                        id_no=young, base=Decimal("3000"))
        assert account.state == "01"


def test_shaanxi_personal_ratio_must_equal_the_unit_ratio(app):
    with app.runtimes["shaanxi"].session() as db:
        with pytest.raises(Exception, match="个人缴存比例须与单位缴存比例相同"):
            accounts.change_unit_ratio(books(app.runtimes["shaanxi"], db), unit_id(db), unit_ratio=Decimal("0.10"),
                                       personal_ratio=Decimal("0.08"), effective_month="2026-12")


def test_kaifeng_ratio_change_waits_for_a_base_adjustment(app):
    runtime = app.runtimes["kaifeng"]
    with runtime.session() as db:
        account = accounts.open_account(books(runtime, db), unit_id(db), name="王芳", id_no=id_no(date(1990, 5, 5)),
                                        base=Decimal("5000"))
        change = accounts.change_unit_ratio(books(runtime, db), unit_id(db), unit_ratio=Decimal("0.08"),
                                            personal_ratio=Decimal("0.08"), effective_month="2026-12")
        assert (change.status, account.unit_ratio) == ("reviewed", Decimal("0.1200"))  # 已复核
        accounts.change_base(books(runtime, db), account.id, Decimal("6000"))
        assert (change.status, account.unit_ratio) == ("used", Decimal("0.0800"))  # 已使用
        # 6000 × 8% = 480 per part; Kaifeng rounds 见角进元
        assert account.monthly_amount == Decimal("960.00")


def test_shaanxi_supplement_rules(app):
    from core.money import supplement

    runtime = app.runtimes["shaanxi"]
    with runtime.session() as db:
        b = books(runtime, db)
        account = accounts.open_account(b, unit_id(db), name="张伟", id_no=id_no(date(1992, 2, 2)),
                                        base=Decimal("29430"))
        with pytest.raises(RuleViolations) as refused:
            supplement.verify_free(b, unit_id(db), [(account.id, Decimal("100.00"), "2026-03"),
                                                     (account.id, Decimal("7064.00"), "2026-09"),
                                                     (account.id, Decimal("50.00"), "2026-11")], reason="漏缴")
    found = {(v.row, v.field) for v in refused.value.violations}
    assert (1, "month") in found  # 2026-03 is in the previous fund year
    assert (2, "amount") in found  # 7064 > the 7063 monthly cap
    assert (3, "month") in found  # after the unit's paid_to (2026-10)


# --- login pages as each centre declares them ---------------------------------------

@pytest.fixture
def centres(tmp_path):
    from core.demo import load_demo

    app = build(make_settings(tmp_path))
    for runtime in app.runtimes.values():
        load_demo(runtime)
    return app


def test_each_centre_shows_its_own_login_methods(centres):
    from webtest import TestApp

    web = TestApp(centres)
    tabs = {name: [a.text.strip() for a in web.get(f"/{name}/login").html.select(".login-tab")]
            for name in ("jincheng", "shaoguan", "kaifeng", "shaanxi")}
    assert tabs == {"jincheng": ["密码登录"], "shaoguan": ["密码登录", "短信登录"], "kaifeng": ["密码登录"],
                    "shaanxi": ["密码登录", "短信登录"]}
    jincheng = web.get("/jincheng/login")
    assert jincheng.html.select_one("a.forgot-link")  # Jincheng resets a password by SMS
    assert not web.get("/kaifeng/login").html.select("a.forgot-link")


def test_shaoguan_default_password_must_be_changed_first(centres):
    from webtest import TestApp

    from core.models import Operator
    from core.passwords import hash_password

    runtime = centres.runtimes["shaoguan"]
    with runtime.session() as db:
        operator = db.scalars(select(Operator).order_by(Operator.id)).first()
        operator.password_hash = hash_password("000000")
        id_no = operator.id_no
    web = TestApp(centres)
    form = web.get("/shaoguan/login").forms[0]
    form["id_no"], form["password"] = id_no, "000000"
    landed = form.submit().follow()
    assert landed.request.path == "/shaoguan/password" and "请先修改密码" in landed.text
    assert web.get("/shaoguan/hall").headers["Location"].endswith("/shaoguan/password")
