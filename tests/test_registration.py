"""自主开户 (seed 001 ch. 13): a new unit applies from the login page, the counter's first
review approves or returns it, and the approved unit's operator logs in."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from core.demo import DEMO_PASSWORD, credit_code, id_number
from core.models import AuditEntry, BankAccount, Operator, Unit, UnitRegistration
from tests.support.web import Client, demo_facts, fill, make_centre_app

PASSWORD = "Kaihu@2026"


def applicant(seed: int = 1, **overrides: str) -> dict[str, str]:
    """A complete, valid application (fresh credit code and ID number per seed)."""
    rng = random.Random(seed)
    values = {
        "unit_name": f"测试市自主开户科技有限公司{seed}", "credit_code": credit_code(rng, "140502"),
        "address": "测试市示范路1号", "legal_rep": "王法人", "contact_name": "李联系", "contact_phone": "0356-2221234",
        "bank_name": "中国建设银行测试分行", "bank_account_no": "14050166010900000123",
        "operator_name": "赵经办", "operator_id_no": id_number(rng, "140502", date(1988, 8, 8), "1"),
        "operator_phone": "13803560000", "login_name": f"kaihu{seed}", "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    values.update(overrides)
    return values


def apply(client: Client, values: dict[str, str]):
    page = client.get("/register")
    return fill(page.forms["registration"], **values).submit("submit")


def field_errors(response) -> dict[str, str]:
    """Field name → its message, as shown beside the field."""
    found = {}
    for item in response.html.select(".field.has-error"):
        name = next(c[len("item-"):] for c in item["class"] if c.startswith("item-"))
        found[name] = " ".join(p.text for p in item.select(".field-error"))
    return found


def token_of(response) -> str:
    assert response.status_int == 303, response.text[:500]
    return response.headers["Location"].rsplit("/", 1)[1]


def registration(app, token: str) -> UnitRegistration:
    with app.runtimes["testhall"].session() as db:
        found = db.scalars(select(UnitRegistration).where(UnitRegistration.token == token)).one()
        db.expunge(found)
        return found


def clerk(app, name: str = "clerk1") -> Client:
    desk = Client(app)
    desk.login_clerk(name).follow()
    return desk


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_centre_app(tmp_path_factory.mktemp("registration"))


def test_the_login_page_links_to_self_service_opening(app):
    page = Client(app).get("/login")
    link = page.html.find("a", string="单位自主开户")
    assert link is not None and link["href"] == "http://localhost/c/register"
    form = Client(app).web.get(link["href"])
    assert form.html.select_one("h1").text == "单位自主开户"
    assert "submit" in form.forms["registration"].fields


def test_an_empty_form_names_every_required_field(app):
    errors = field_errors(apply(Client(app), {}))
    assert errors["unit_name"] == "请填写单位名称"
    assert errors["credit_code"] == "请填写统一社会信用代码"
    assert errors["operator_id_no"] == "请填写经办人身份证号码"
    assert errors["password"] == "请填写登录密码"
    assert "bank_name" not in errors and "bank_account_no" not in errors  # optional


def test_bad_codes_and_passwords_are_refused_beside_their_fields(app):
    good = applicant(2)
    bad_code = good["credit_code"][:-1] + ("0" if good["credit_code"][-1] != "0" else "1")
    bad_id = good["operator_id_no"][:-1] + ("0" if good["operator_id_no"][-1] != "0" else "1")
    response = apply(Client(app), {**good, "credit_code": bad_code, "operator_id_no": bad_id,
                                   "operator_phone": "1234", "password": "short", "password_confirm": "short"})
    errors = field_errors(response)
    assert errors["credit_code"] == "统一社会信用代码校验位错误"
    assert errors["operator_id_no"] == "证件号码校验位错误"
    assert errors["operator_phone"].startswith("手机号码位数不对")
    assert "密码至少8位" in errors["password"] and "至少三类" in errors["password"]
    assert response.html.select_one(".form-errors") is not None
    # what was typed is kept, the passwords are not
    form = response.forms["registration"]
    assert form["unit_name"].value == good["unit_name"] and form["password"].value == ""

    errors = field_errors(apply(Client(app), {**good, "password_confirm": PASSWORD + "x"}))
    assert errors == {"password_confirm": "两次输入的密码不一致"}
    errors = field_errors(apply(Client(app), {**good, "bank_name": ""}))
    assert errors == {"bank_name": "填写银行账号时请同时填写开户银行"}
    errors = field_errors(apply(Client(app), {**good, "login_name": "9个"}))
    assert errors["login_name"].startswith("登录名须为4至30位")
    with app.runtimes["testhall"].session() as db:
        assert db.scalars(select(UnitRegistration).where(
            UnitRegistration.credit_code == good["credit_code"])).all() == []


def test_a_credit_code_already_open_or_pending_is_refused(app):
    demo = demo_facts(app.runtimes["testhall"])
    with app.runtimes["testhall"].session() as db:
        existing = db.get(Unit, demo.unit_id).credit_code
    errors = field_errors(apply(Client(app), applicant(3, credit_code=existing.lower())))
    assert errors == {"credit_code": "该统一社会信用代码的单位已在本中心开户，请勿重复申请；如需办理业务请直接登录"}

    first = applicant(4)
    token_of(apply(Client(app), first))
    again = apply(Client(app), applicant(5, credit_code=first["credit_code"]))
    assert field_errors(again) == {"credit_code": "该统一社会信用代码已有待审核的开户申请，请等待中心审核"}


def test_apply_approve_and_log_in(tmp_path, database_url):
    app = make_centre_app(tmp_path, database_url)
    values = applicant(6)
    submitted = apply(Client(app), values)
    token = token_of(submitted)
    status = submitted.follow()
    assert status.html.select_one(".status").text == "待审核"
    assert "开户申请已提交" in status.html.select_one(".flash").text
    assert values["operator_id_no"] not in status.text  # masked on the status page

    desk = clerk(app)
    queue = desk.get("/counter/registrations")
    rows = queue.html.select(".registration-row")
    assert [r.select("td")[1].text for r in rows] == [values["unit_name"]]
    review = desk.web.get(rows[0].select_one("a")["href"])
    assert values["operator_id_no"] in review.text  # whole at the counter
    approved = fill(review.forms["review"], opinion="材料齐全").submit("action", value="approve")
    assert approved.status_int == 303
    page = approved.follow()
    assert page.html.select_one(".status").text == "已通过" and not page.forms.get("review")

    with app.runtimes["testhall"].session() as db:
        unit = db.scalars(select(Unit).where(Unit.credit_code == values["credit_code"])).one()
        assert (unit.name, unit.state, unit.legal_rep) == (values["unit_name"], "01", "王法人")
        assert unit.unit_no.startswith("9900") and len(unit.unit_no) == 10
        assert db.scalars(select(Unit.id).where(Unit.unit_no == unit.unit_no)).all() == [unit.id]
        operator = db.scalars(select(Operator).where(Operator.unit_id == unit.id)).one()
        assert operator.is_admin and not operator.must_change_password
        assert (operator.id_no, operator.login_name) == (values["operator_id_no"], values["login_name"])
        bank = db.scalars(select(BankAccount).where(BankAccount.unit_id == unit.id)).one()
        assert bank.account_no == values["bank_account_no"]
        assert db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "unit",
                                                          AuditEntry.entity_id == unit.id)).all() \
            == ["registration.approved"]
        unit_no = unit.unit_no

    status = Client(app).get(f"/register/{token}")
    assert status.html.select_one(".status").text == "已通过"
    assert status.html.select_one(".unit-no").text == unit_no

    hall = Client(app)
    response = hall.login(values["operator_id_no"], PASSWORD)
    assert response.headers["Location"] == "http://localhost/c/hall"
    home = response.follow()
    assert home.status_int == 200 and values["operator_name"] in home.text

    # a second decision on the same application is refused
    again = desk.post(f"/counter/registrations/{registration(app, token).id}", {"action": "return", "opinion": "x"})
    assert again.html.select_one(".page-errors").text == "该申请已通过，不能再次审批"


def test_return_with_an_opinion_the_applicant_reads(app):
    values = applicant(7)
    token = token_of(apply(Client(app), values))
    number = registration(app, token).id
    desk = clerk(app)
    review = desk.get(f"/counter/registrations/{number}")
    refused = review.forms["review"].submit("action", value="return")
    assert "退回时请填写退回意见" in refused.html.select_one(".page-errors").text
    returned = fill(refused.forms["review"], opinion="营业执照与单位名称不一致").submit("action", value="return")
    assert returned.status_int == 303

    status = Client(app).get(f"/register/{token}")
    assert status.html.select_one(".status").text == "已退回"
    assert status.html.select_one(".opinion").text == "营业执照与单位名称不一致"
    with app.runtimes["testhall"].session() as db:
        assert db.scalars(select(Unit).where(Unit.credit_code == values["credit_code"])).all() == []
    assert Client(app).login(values["operator_id_no"], PASSWORD).status_int == 200  # no such operator

    # returned: the unit may apply anew with the same credit code
    token_of(apply(Client(app), {**values, "unit_name": values["unit_name"] + "（更正）"}))
    queue = desk.get("/counter/registrations", params={"status": "returned"})
    assert values["unit_name"] in queue.text


def test_only_first_review_clerks_reach_the_counter_pages(app):
    demo = demo_facts(app.runtimes["testhall"])
    token = token_of(apply(Client(app), applicant(8)))
    number = registration(app, token).id
    paths = ["/counter/registrations", f"/counter/registrations/{number}"]

    anonymous = Client(app)
    for path in paths:
        assert "/counter/login" in anonymous.get(path).headers["Location"]
    operator = Client(app)
    operator.login(demo.operator_id_no, DEMO_PASSWORD).follow()
    second = clerk(app, "clerk2")
    for client in (operator, second):
        for path in paths:
            assert client.get(path, expect_errors=True).status_int == 403
        response = client.post(paths[1], {"action": "approve"}, expect_errors=True)
        assert response.status_int == 403
    assert registration(app, token).status == "pending"
    assert clerk(app).get(paths[1]).status_int == 200


def test_an_unknown_status_token_is_not_found(app):
    assert Client(app).get("/register/nothing-here", expect_errors=True).status_int == 404
