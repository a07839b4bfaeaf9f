"""SMS: the gateway backends, one-time codes, SMS login (Shaoguan and Shaanxi) and forgot
password, through the web as an operator uses them, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from core.centres import ConfigurationError
from core.demo import load_demo
from core.models import AuditEntry, Operator, OutboxMessage, SmsCode, Unit
from core.passwords import hash_password, verify_password
from core.sms.gateway import SmsError
from core.sms.http import HttpGateway
from plugins.sms_login import NOT_MATCHED, REFUSED, RESET_DONE, SENT
from tests.conftest import build, make_settings, write_centre
from tests.support.web import Client

SHAOGUAN = "id_no password phone code"
SHAANXI = "unit_no unit_name operator_name id_no phone code"
NEW_PASSWORD = "Xin@2026pass"
OK, SEE_OTHER, BAD_REQUEST, FORBIDDEN, NOT_FOUND = 200, 303, 400, 403, 404


def make_sms_app(tmp_path, database_url: str | None = None, **settings: str):
    """Centre "sg" at /sg asks as Shaoguan does (default password 000000), centre "sx" at
    /sx as Shaanxi does; both with password and SMS login, demo data loaded."""
    config = tmp_path / "config"
    common = {"plugins": "password_login sms_login", "deposit.base_floor": "1880", "deposit.base_cap": "25419",
              "login.password.fields": "id_no password"}
    write_centre(config, "sg", title="韶关市住房公积金管理中心", city="shaoguan", prefix="/sg",
                 **{**common, "login.sms.fields": SHAOGUAN, "login.default_password": "000000",
                    "demo.unit_no_prefix": "4402"})
    write_centre(config, "sx", title="陕西省住房资金管理中心", city="shaanxi", prefix="/sx",
                 **{**common, "login.sms.fields": SHAANXI, "demo.unit_no_prefix": "6100"})
    extra = {"opengjj.centre_dir": str(config), "opengjj.sms.backend": "outbox", **settings}
    if database_url is not None:
        extra.update({"opengjj.database_url": database_url, "opengjj.centres": "sg"})
    app = build(make_settings(tmp_path, centres=("sg", "sx"), **extra))
    for runtime in app.runtimes.values():
        load_demo(runtime)
    return app


@pytest.fixture
def app(tmp_path):
    return make_sms_app(tmp_path)


def operator_facts(runtime, index: int = 0) -> dict[str, str]:
    with runtime.session() as db:
        operator, unit = db.execute(select(Operator, Unit).join(Unit, Unit.id == Operator.unit_id)
                                    .order_by(Operator.id)).all()[index]
        return {"unit_no": unit.unit_no, "unit_name": unit.name, "operator_name": operator.name,
                "id_no": operator.id_no, "phone": operator.phone, "id": operator.id}


def client(app, prefix: str = "/sg", address: str = "10.0.0.1") -> Client:
    browser = Client(app, prefix)
    browser.web.extra_environ["REMOTE_ADDR"] = address
    return browser


def fields(facts: dict, names: str, **more: str) -> dict[str, str]:
    return {**{name: facts[name] for name in names.split() if name in facts}, **more}


def ask_code(browser: Client, facts: dict, names: str, purpose: str = "login", **kw):
    return browser.post("/sms/code", {**fields(facts, names), "purpose": purpose}, **kw)


def last_code(runtime, phone: str) -> str:
    with runtime.session() as db:
        text = db.scalars(select(OutboxMessage.text).where(OutboxMessage.phone == phone)
                          .order_by(OutboxMessage.id.desc())).first()
    assert text is not None, f"no message to {phone}"
    return re.search(r"\d{6}", text).group(0)


def sms_login(browser: Client, facts: dict, names: str, code: str, password: str = "Demo@2026"):
    return browser.post("/login", {**fields(facts, names), "method": "sms", "password": password, "code": code})


def move_back(runtime, phone: str, delta: timedelta) -> None:
    """Pretend every code of ``phone`` was issued ``delta`` earlier."""
    with runtime.session() as db:
        for row in db.scalars(select(SmsCode).where(SmsCode.phone == phone)):
            row.issued_at -= delta
            row.expires_at -= delta


# --- sending -----------------------------------------------------------------------------

def test_a_code_is_sent_to_the_registered_phone_and_the_demo_outbox_shows_it(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    page = browser.get("/login", params={"method": "sms"})
    assert "获取验证码" in page.text and "忘记密码" in page.text
    assert [label.text.strip("*") for label in page.html.select(".sms-login-form label")] == [
        "经办人证件号码", "密码", "经办人手机号码", "验证码"]
    answer = ask_code(browser, facts, SHAOGUAN)
    assert answer.status_int == OK and SENT in answer.text
    assert answer.html.find("input", {"name": "id_no"})["value"] == facts["id_no"]  # the form keeps what was typed
    outbox = browser.get("/_outbox")
    shown = outbox.html.select(".outbox-message")
    assert len(shown) == 1 and facts["phone"] in shown[0].text
    code = re.search(r"验证码为(\d{6})", shown[0].text).group(1)
    assert "韶关市住房公积金管理中心" in shown[0].text
    with runtime.session() as db:
        row = db.scalars(select(SmsCode)).one()
        assert row.phone == facts["phone"] and row.purpose == "login" and row.client_address == "10.0.0.1"
        assert code not in row.code_hash and len(row.code_hash) == 64  # an HMAC, never the code
        assert row.expires_at - row.issued_at == timedelta(minutes=5)


def test_details_that_match_nobody_get_the_same_answer_and_no_message(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    stranger = {**facts, "id_no": facts["id_no"][:-1] + ("0" if facts["id_no"][-1] != "0" else "1")}
    answer = ask_code(client(app), stranger, SHAOGUAN)
    assert SENT in answer.text
    with runtime.session() as db:
        assert db.scalars(select(OutboxMessage)).all() == []
        assert len(db.scalars(select(SmsCode)).all()) == 1  # counted all the same (same limits)
    # a phone that is not the operator's registered one: nothing sent either
    answer = ask_code(client(app, address="10.0.0.2"), {**facts, "phone": "13900000000"}, SHAOGUAN)
    assert SENT in answer.text
    with runtime.session() as db:
        assert db.scalars(select(OutboxMessage)).all() == []


def test_sending_checks_the_input(app):
    facts = operator_facts(app.runtimes["sg"])
    browser = client(app)
    assert "请输入经办人证件号码" in ask_code(browser, {**facts, "id_no": ""}, SHAOGUAN).text
    assert "手机号码格式不正确" in ask_code(browser, {**facts, "phone": "12345"}, SHAOGUAN).text
    assert browser.post("/sms/code", {"purpose": "nonsense"}, expect_errors=True).status_int == BAD_REQUEST


# --- logging in --------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
                         indirect=True)
def test_shaoguan_sms_login_with_id_password_phone_and_code(tmp_path, database_url):
    app = make_sms_app(tmp_path, database_url)
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    code = last_code(runtime, facts["phone"])
    wrong = sms_login(browser, facts, SHAOGUAN, f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.status_int == OK and REFUSED in wrong.text
    answer = sms_login(browser, facts, SHAOGUAN, code)
    assert answer.status_int == SEE_OTHER and answer.headers["Location"].endswith("/sg/hall")
    assert answer.follow().status_int == OK
    with runtime.session() as db:
        row = db.scalars(select(SmsCode)).one()
        assert row.used_at is not None and row.attempts == 2
    # single use: the same code does not open a second session
    again = sms_login(client(app), facts, SHAOGUAN, code)
    assert again.status_int == OK and REFUSED in again.text


def test_shaanxi_sms_login_with_unit_and_operator_details(app):
    runtime = app.runtimes["sx"]
    facts = operator_facts(runtime, 1)
    browser = client(app, "/sx")
    page = browser.get("/login", params={"method": "sms"})
    assert [label.text.strip("*") for label in page.html.select(".sms-login-form label")] == [
        "单位账号", "单位名称", "经办人姓名", "经办人证件号码", "经办人手机号码", "验证码"]
    ask_code(browser, facts, SHAANXI)
    code = last_code(runtime, facts["phone"])
    # every field is checked: another operator's name with this phone's code is refused
    other = operator_facts(runtime, 0)
    refused = sms_login(browser, {**facts, "operator_name": other["operator_name"]}, SHAANXI, code)
    assert REFUSED in refused.text
    answer = sms_login(browser, facts, SHAANXI, code)
    assert answer.status_int == SEE_OTHER and answer.headers["Location"].endswith("/sx/hall")
    hall = answer.follow()
    assert facts["operator_name"] in hall.text


def test_a_wrong_password_is_refused_even_with_the_right_code(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    answer = sms_login(browser, facts, SHAOGUAN, last_code(runtime, facts["phone"]), password="Wrong@2026")
    assert answer.status_int == OK and "账号或密码错误" in answer.text


def test_a_code_dies_after_five_wrong_tries(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    code = last_code(runtime, facts["phone"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert REFUSED in sms_login(browser, facts, SHAOGUAN, wrong).text
    assert REFUSED in sms_login(browser, facts, SHAOGUAN, code).text


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
                         indirect=True)
def test_an_expired_code_is_refused(tmp_path, database_url):
    app = make_sms_app(tmp_path, database_url)
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    code = last_code(runtime, facts["phone"])
    move_back(runtime, facts["phone"], timedelta(minutes=5, seconds=1))
    assert REFUSED in sms_login(browser, facts, SHAOGUAN, code).text
    # asking again (the minute has passed) gives a code that works
    ask_code(browser, facts, SHAOGUAN)
    assert sms_login(browser, facts, SHAOGUAN, last_code(runtime, facts["phone"])).status_int == SEE_OTHER


def test_a_new_code_retires_the_earlier_one(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    first = last_code(runtime, facts["phone"])
    move_back(runtime, facts["phone"], timedelta(minutes=1, seconds=1))
    ask_code(browser, facts, SHAOGUAN)
    second = last_code(runtime, facts["phone"])
    if first != second:
        assert REFUSED in sms_login(browser, facts, SHAOGUAN, first).text
    assert sms_login(browser, facts, SHAOGUAN, second).status_int == SEE_OTHER


# --- limits ------------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
                         indirect=True)
def test_codes_are_rate_limited_per_phone(tmp_path, database_url):
    app = make_sms_app(tmp_path, database_url)
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    assert SENT in ask_code(client(app, address="10.0.1.1"), facts, SHAOGUAN).text
    again = ask_code(client(app, address="10.0.1.2"), facts, SHAOGUAN)  # another address, same phone
    assert SENT not in again.text
    seconds = int(re.search(r"该手机号获取验证码过于频繁，请(\d+)秒后重试", again.text).group(1))
    assert 50 <= seconds <= 60
    for n in range(9):  # a minute apart each: ten in a day
        move_back(runtime, facts["phone"], timedelta(minutes=1, seconds=1))
        assert SENT in ask_code(client(app, address=f"10.0.2.{n}"), facts, SHAOGUAN).text
    move_back(runtime, facts["phone"], timedelta(minutes=1, seconds=1))
    eleventh = ask_code(client(app, address="10.0.3.1"), facts, SHAOGUAN)
    assert re.search(r"该手机号获取验证码次数已达上限，请于(\d\d月\d\d日)?\d\d:\d\d后重试", eleventh.text)
    with runtime.session() as db:
        assert len(db.scalars(select(OutboxMessage)).all()) == 10


def test_codes_are_rate_limited_per_client_address(app):
    runtime = app.runtimes["sg"]
    first, second = operator_facts(runtime, 0), operator_facts(runtime, 1)
    assert SENT in ask_code(client(app, address="10.9.9.9"), first, SHAOGUAN).text
    limited = ask_code(client(app, address="10.9.9.9"), second, SHAOGUAN)  # another phone, same address
    assert re.search(r"当前网络获取验证码过于频繁，请\d+秒后重试", limited.text)
    assert SENT in ask_code(client(app, address="10.9.9.10"), second, SHAOGUAN).text
    with runtime.session() as db:
        assert {m.phone for m in db.scalars(select(OutboxMessage))} == {first["phone"], second["phone"]}


def test_limits_follow_the_settings(tmp_path):
    app = make_sms_app(tmp_path, **{"opengjj.sms.limits.phone": "2/60", "opengjj.sms.limits.address": "5/60"})
    facts = operator_facts(app.runtimes["sg"])
    assert SENT in ask_code(client(app), facts, SHAOGUAN).text
    assert SENT in ask_code(client(app), facts, SHAOGUAN).text
    assert "秒后重试" in ask_code(client(app), facts, SHAOGUAN).text


# --- secrecy -----------------------------------------------------------------------------

def test_codes_are_compared_in_constant_time(app, monkeypatch):
    import core.sms.codes

    calls = []
    real = core.sms.codes.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(core.sms.codes.hmac, "compare_digest", spy)
    runtime = app.runtimes["sx"]
    facts = operator_facts(runtime)
    browser = client(app, "/sx")
    ask_code(browser, facts, SHAANXI)
    assert sms_login(browser, facts, SHAANXI, last_code(runtime, facts["phone"])).status_int == SEE_OTHER
    assert len(calls) == 1 and all(len(x) == 64 for x in calls[0])  # digests, not codes


def test_codes_never_reach_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    code = last_code(runtime, facts["phone"])
    sms_login(browser, facts, SHAOGUAN, f"{(int(code) + 1) % 10**6:06d}")
    sms_login(browser, facts, SHAOGUAN, code)
    assert "sms sent to" in caplog.text  # the sending is logged ...
    assert code not in caplog.text and facts["phone"] not in caplog.text  # ... never the code, nor the whole number
    with runtime.session() as db:
        audit = " ".join(f"{a.action} {a.details}" for a in db.scalars(select(AuditEntry)))
    assert code not in audit


# --- default password --------------------------------------------------------------------

def test_the_default_password_must_be_changed_before_anything_else(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    with runtime.session() as db:
        operator = db.get(Operator, facts["id"])
        operator.password_hash, operator.must_change_password = hash_password("000000"), False
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)
    answer = sms_login(browser, facts, SHAOGUAN, last_code(runtime, facts["phone"]), password="000000")
    assert answer.headers["Location"].endswith("/sg/password")
    assert browser.get("/hall").headers["Location"].endswith("/sg/password")
    assert "请先修改密码" in browser.get("/password").text
    changed = browser.post("/password", {"old_password": "000000", "new_password": NEW_PASSWORD,
                                         "confirm_password": NEW_PASSWORD})
    assert changed.headers["Location"].endswith("/sg/hall")
    assert browser.get("/hall").status_int == OK


# --- forgot password ---------------------------------------------------------------------

def forgot(browser: Client, facts: dict, code: str, new: str = NEW_PASSWORD, confirm: str | None = None, **kw):
    return browser.post("/sms/forgot", {**fields(facts, "unit_no unit_name operator_name id_no phone"),
                                        "code": code, "new_password": new,
                                        "confirm_password": new if confirm is None else confirm}, **kw)


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
                         indirect=True)
def test_forgot_password_end_to_end(tmp_path, database_url):
    app = make_sms_app(tmp_path, database_url)
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime, 2)
    with runtime.session() as db:  # five wrong passwords had locked the operator
        db.get(Operator, facts["id"]).locked_until = datetime.now(UTC) + timedelta(minutes=10)
    browser = client(app)
    page = browser.get("/sms/forgot")
    assert [label.text.strip("*") for label in page.html.select(".password-form label")] == [
        "单位账号", "单位名称", "经办人姓名", "经办人证件号码", "经办人手机号码", "验证码", "新密码", "确认新密码"]
    sent = browser.post("/sms/code", {**fields(facts, "unit_no unit_name operator_name id_no phone"),
                                      "purpose": "reset"})
    assert SENT in sent.text and "忘记密码" in sent.text
    assert sent.html.find("input", {"name": "unit_name"})["value"] == facts["unit_name"]
    code = last_code(runtime, facts["phone"])
    mismatch = forgot(browser, facts, code, confirm="Other@2026x")
    assert "两次输入的新密码不一致" in mismatch.text
    weak = forgot(browser, facts, code, new="123456")
    assert "新密码至少8位" in weak.text
    wrong_unit = forgot(browser, {**facts, "unit_name": "别的单位"}, code)
    assert NOT_MATCHED in wrong_unit.text
    # the refusal above used one try of the code; it is still good for the right details
    done = forgot(browser, facts, code)
    assert done.status_int == SEE_OTHER and done.headers["Location"].endswith("/sg/login")
    assert RESET_DONE in done.follow().text
    with runtime.session() as db:
        operator = db.get(Operator, facts["id"])
        assert verify_password(operator.password_hash, NEW_PASSWORD)
        assert operator.locked_until is None and not operator.must_change_password
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "password.reset")).one()
        assert entry.actor == f"operator:{facts['id']}" and entry.address == "10.0.0.1"
    # the code is spent; the new password opens the hall
    assert NOT_MATCHED in forgot(browser, facts, code).text
    signed_in = client(app, address="10.0.0.6").login(facts["id_no"], NEW_PASSWORD)
    assert signed_in.headers["Location"].endswith("/sg/hall")


def test_a_login_code_does_not_reset_a_password(app):
    runtime = app.runtimes["sg"]
    facts = operator_facts(runtime)
    browser = client(app)
    ask_code(browser, facts, SHAOGUAN)  # purpose login
    assert NOT_MATCHED in forgot(browser, facts, last_code(runtime, facts["phone"])).text


# --- http backend ------------------------------------------------------------------------

class Provider:
    """A loopback SMS provider recording what it is sent."""

    def __init__(self, status: int = 200):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_http_backend_posts_json_with_the_token(tmp_path):
    with Provider() as provider:
        app = make_sms_app(tmp_path, **{"opengjj.sms.backend": "http", "opengjj.sms.url": provider.url,
                                        "opengjj.sms.token": "provider-token", "opengjj.sms.sign": "韶关公积金"})
        runtime = app.runtimes["sg"]
        facts = operator_facts(runtime)
        browser = client(app)
        assert SENT in ask_code(browser, facts, SHAOGUAN).text
        assert browser.get("/_outbox", expect_errors=True).status_int == NOT_FOUND  # no outbox page
        [sent] = provider.received
        assert sent["path"] == "/send" and sent["headers"]["Authorization"] == "Bearer provider-token"
        assert sent["json"]["phone"] == facts["phone"] and sent["json"]["text"].startswith("【韶关公积金】")
        code = re.search(r"\d{6}", sent["json"]["text"]).group(0)
        assert sms_login(browser, facts, SHAOGUAN, code).status_int == SEE_OTHER


def test_the_http_backend_reports_a_refusing_provider(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENGJJ_SMS_TOKEN", "from-environment")
    with Provider(status=500) as provider:
        gateway = HttpGateway(url=provider.url, token="t", timeout=2)
        with pytest.raises(SmsError):
            gateway.send("13800000000", "hello")
        app = make_sms_app(tmp_path, **{"opengjj.sms.backend": "http", "opengjj.sms.url": provider.url})
        facts = operator_facts(app.runtimes["sg"])
        assert "短信发送失败，请稍后重试" in ask_code(client(app), facts, SHAOGUAN).text
        assert provider.received[-1]["headers"]["Authorization"] == "Bearer from-environment"
    with pytest.raises(SmsError):  # nobody listening any more
        HttpGateway(url=provider.url, timeout=1).send("13800000000", "hello")


def test_the_http_backend_needs_a_url(tmp_path):
    with pytest.raises(ConfigurationError, match="opengjj.sms.url"):
        make_sms_app(tmp_path, **{"opengjj.sms.backend": "http"})


def test_an_unknown_backend_fails_at_start(tmp_path):
    with pytest.raises(ConfigurationError, match="opengjj.sms.backend"):
        make_sms_app(tmp_path, **{"opengjj.sms.backend": "nowhere.to.be.found"})


def test_without_a_backend_sending_fails_plainly(tmp_path):
    app = make_sms_app(tmp_path, **{"opengjj.sms.backend": ""})
    facts = operator_facts(app.runtimes["sg"])
    assert "短信发送失败" in ask_code(client(app), facts, SHAOGUAN).text


# --- authorization -----------------------------------------------------------------------

PERSONAS = ("anonymous", "operator", "clerk")
#: route → (path, GET status per persona); every sms_ route needs one
EXPECTED = {
    "sms_code": ("/sms/code", dict.fromkeys(PERSONAS, NOT_FOUND)),  # POST only
    "sms_forgot": ("/sms/forgot", dict.fromkeys(PERSONAS, OK)),
    "sms_outbox": ("/_outbox", dict.fromkeys(PERSONAS, OK)),  # the demo's, with the outbox backend only
}
POSTS = {
    "sms_code": ("/sms/code", {"purpose": "login"}, dict.fromkeys(PERSONAS, OK)),
    "sms_forgot": ("/sms/forgot", {}, dict.fromkeys(PERSONAS, OK)),
}


def persona(app, who: str) -> Client:
    browser = client(app)
    if who == "operator":
        browser.login(operator_facts(app.runtimes["sg"])["id_no"]).follow()
    elif who == "clerk":
        browser.login_clerk("clerk1").follow()
    return browser


def test_every_sms_route_has_an_expectation(app):
    introspector = app.runtimes["sg"].registry.introspector
    routes = {e["introspectable"]["name"] for e in introspector.get_category("routes")}
    assert {r for r in routes if r.startswith("sms_")} == set(EXPECTED)


@pytest.mark.parametrize("who", PERSONAS)
def test_sms_routes_answer_everyone(app, who):
    browser = persona(app, who)
    for name, (path, expected) in EXPECTED.items():
        assert browser.get(path, expect_errors=True).status_int == expected[who], name
    for name, (path, params, expected) in POSTS.items():
        assert browser.post(path, params, expect_errors=True).status_int == expected[who], name
        without = browser.web.post(browser.url(path), params, expect_errors=True)
        assert without.status_int == BAD_REQUEST and "页面已过期" in without.text, name
