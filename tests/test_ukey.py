"""UKey login through the real stack: pcscd with vpcd, the virtual card (vsmartcard's
vpicc with a test key), pyscard, the agent over HTTP, the hall over HTTP, and a real
headless Chromium running the login page's script. Nothing is mocked.

pcscd, vpcd and vpicc are Debian packages (pcscd, vsmartcard-vpcd, vsmartcard-vpicc);
without them these tests skip, or fail when OPENGJJ_REQUIRE_SERVICES=1 (as in CI).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from webtest import TestApp

from core.demo import DEMO_PASSWORD, load_demo
from core.models import LoginChallenge, Unit
from plugins.ukey_login import messages
from tests.conftest import REPO, REQUIRE_SERVICES, build, make_settings, write_centre

PCSCD = "/usr/sbin/pcscd"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
VSMARTCARD = "/usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard"
VPCD_PORT = 35963
PIN = "123456"


def unavailable(message: str):
    if REQUIRE_SERVICES:
        pytest.fail(message + " (OPENGJJ_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(message)


def wait_until(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the PC/SC stack -------------------------------------------------------------------

def _pcsc_answers() -> bool:
    from hardware.ukey import NoReader, UKeyClient

    try:
        return any("Virtual PCD" in r for r in UKeyClient.list_readers())
    except NoReader:
        return False


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory):
    """pcscd in the foreground with only vpcd's reader (or the machine's, if one runs)."""
    missing = [p for p in (PCSCD, VPCD_DRIVER, VSMARTCARD) if not os.path.exists(p)]
    if missing:
        unavailable(f"the PC/SC stack is not installed ({', '.join(missing)} missing; Debian packages "
                    f"pcscd vsmartcard-vpcd vsmartcard-vpicc)")
    if _pcsc_answers():  # a pcscd of the machine's, with vpcd loaded
        yield None
        return
    folder = tmp_path_factory.mktemp("pcscd")
    (folder / "reader.conf.d").mkdir()
    (folder / "reader.conf.d" / "vpcd").write_text(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{VPCD_PORT:04X}\nLIBPATH {VPCD_DRIVER}\n'
        f'CHANNELID 0x{VPCD_PORT:04X}\n', encoding="ascii")
    log = open(folder / "pcscd.log", "wb")
    process = subprocess.Popen([PCSCD, "--foreground", "--config", str(folder / "reader.conf.d")],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or _pcsc_answers(), what="pcscd")
        if process.poll() is not None:
            unavailable(f"pcscd did not start: {(folder / 'pcscd.log').read_text(errors='replace')[-500:]}")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class Card:
    """The virtual UKey in vpcd's first reader: a vpicc process; stopping it pulls the card."""

    def __init__(self, folder: Path):
        self.folder, self.process, self.key = folder, None, None

    def insert(self, key: str, pin: str = PIN, tries: int = 5) -> None:
        from hardware.ukey import UKeyClient, UKeyError

        if self.key == (key, pin, tries) and self.process and self.process.poll() is None:
            return
        self.remove()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hardware.emulator", "run", str(self.folder / f"{key}.json"), "--pin", pin,
             "--tries", str(tries), "--port", str(VPCD_PORT)], cwd=REPO)
        self.key = (key, pin, tries)

        def present() -> bool:
            try:
                with UKeyClient("Virtual PCD 00 00") as card:
                    card.select()
                return True
            except UKeyError:
                return False

        wait_until(present, what="the virtual card")

    def remove(self) -> None:
        from hardware.ukey import NoReader, UKeyClient

        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process, self.key = None, None

        def gone() -> bool:
            try:
                UKeyClient("Virtual PCD 00 00").connect()
            except NoReader:
                return True
            return False

        wait_until(gone, what="the card to be pulled out")


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    """Fresh TEST keys: a (SM2, unit 1), b (P-256, unit 2), c (SM2, unit 3, to revoke),
    stranger (SM2, registered nowhere)."""
    from hardware.emulator.keys import generate

    folder = tmp_path_factory.mktemp("keys")
    for name, algorithm in (("a", "sm2"), ("b", "p256"), ("c", "sm2"), ("stranger", "sm2")):
        generate(algorithm, f"测试UKey {name}").save(folder / f"{name}.json")
    return folder


@pytest.fixture(scope="module")
def card(pcscd, keys):
    card = Card(keys)
    yield card
    card.remove()


# --- the hall and the agent ------------------------------------------------------------

class Agent:
    """``gjj-agent`` as a process; ``stop()`` is the agent not running."""

    def __init__(self, port: int, origins: list[str]):
        self.port, self.origins, self.process = port, origins, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        if self.process is not None:
            return
        args = [sys.executable, "-m", "hardware.agent", "--port", str(self.port), "--reader", "Virtual PCD 00 00"]
        for origin in self.origins:
            args += ["--origin", origin]
        self.process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL)
        wait_until(lambda: self.call("GET", "/status", origin=self.origins[0])[0] == 200, what="the agent")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def call(self, verb: str, path: str, body: dict | None = None, origin: str | None = None):
        """(status, headers, JSON) of one request, as a page of ``origin`` would send it."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=verb)
        if origin:
            request.add_header("Origin", origin)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), json.loads(error.read() or b"null")
        except OSError:
            return None, {}, None


HALL_ORIGIN = "http://hall.test"


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """A centre with password and UKey login, demo loaded, served on a loopback port too."""
    from tests.support.browser import serve

    tmp = tmp_path_factory.mktemp("ukey-hall")
    agent_port = free_port()
    write_centre(tmp / "config", "ukeyhall", title="测试市住房公积金管理中心", city="jincheng",
                 plugins="password_login ukey_login", prefix="/c",
                 **{"login.password.fields": "unit_no login_name password", "deposit.base_floor": "1880",
                    "deposit.base_cap": "25419", "demo.unit_no_prefix": "9700",
                    "login.ukey.agent_url": f"http://127.0.0.1:{agent_port}"})
    app = build(make_settings(tmp, centres=("ukeyhall",), **{"opengjj.centre_dir": str(tmp / "config")}))
    runtime = app.runtimes["ukeyhall"]
    load_demo(runtime)
    with runtime.session() as db:
        units = list(db.scalars(select(Unit.unit_no).order_by(Unit.id)))
    base, server = serve(app)
    agent = Agent(agent_port, [HALL_ORIGIN, base])
    yield {"app": app, "runtime": runtime, "units": units, "base": base, "agent": agent}
    agent.stop()
    server.close()


def counter_client(app) -> TestApp:
    desk = TestApp(app)
    page = desk.get("/c/counter/login")
    form = page.forms[0]
    form["login_name"], form["password"] = "clerk1", DEMO_PASSWORD
    assert form.submit().status_int == 303
    return desk


def bind(desk: TestApp, unit_no: str, pem: str):
    page = desk.get("/c/counter/ukey")
    form = page.forms["ukey-bind"]
    form["unit_no"], form["certificate"] = unit_no, pem
    return form.submit()


@pytest.fixture(scope="module")
def bound(hall, keys):
    """Units 1–3 hold keys a, b, c, bound at the counter (PEM pasted; c's uploaded)."""
    from hardware.emulator.keys import TestKey

    desk = counter_client(hall["app"])
    for unit_no, name in zip(hall["units"], ("a", "b")):
        page = bind(desk, unit_no, TestKey.load(keys / f"{name}.json").certificate_pem).follow()
        assert f"已为单位{unit_no}登记UKey证书" in page.text
    page = desk.get("/c/counter/ukey")
    form = page.forms["ukey-bind"]
    form["unit_no"] = hall["units"][2]
    form["certificate_file"] = ("c.pem", TestKey.load(keys / "c.json").certificate_pem.encode())
    assert "登记UKey证书" in form.submit().follow().text
    return desk


def login_with_card(hall, pin: str = PIN, unit: int = 0, password: str = DEMO_PASSWORD, before_submit=None):
    """The login page's script, step by step in Python: challenge from the hall, signature
    from the agent over HTTP (as the hall's page), then the form. Returns (page, agent answer)."""
    web = TestApp(hall["app"])
    page = web.get("/c/login", params={"method": "ukey"})
    form = page.forms["ukey-form"]
    issued = web.post("/c/ukey/challenge", headers={"X-CSRF-Token": form["csrf_token"].value}).json
    status, _, answer = hall["agent"].call("POST", "/sign", {"challenge": issued["challenge"], "pin": pin},
                                           origin=HALL_ORIGIN)
    if status != 200:
        return None, answer
    form["unit_no"], form["login_name"], form["password"] = hall["units"][unit], "admin", password
    form["challenge"] = issued["challenge"]
    form["signature"], form["certificate"] = answer["signature"], answer["certificate"]
    if before_submit is not None:
        before_submit(issued["challenge"])
    return form.submit(), answer


def signed_in(response) -> bool:
    return response.status_int == 303 and response.headers["Location"].endswith(("/hall", "/password"))


def error_of(response) -> str:
    return response.html.select_one(".login-error").get_text(strip=True)


# --- through pyscard, the agent and the hall --------------------------------------------

@pytest.mark.parametrize("key, unit, algorithm", [("a", 0, "sm2"), ("b", 1, "p256")])
def test_good_card_logs_in(hall, bound, card, key, unit, algorithm):
    hall["agent"].start()
    card.insert(key)
    response, answer = login_with_card(hall, unit=unit)
    assert answer["algorithm"] == algorithm
    assert signed_in(response), response.text


def test_a_card_of_another_unit_or_of_none_is_refused(hall, bound, card):
    hall["agent"].start()
    card.insert("b")  # unit 2's card, at unit 1's login
    response, _ = login_with_card(hall, unit=0)
    assert error_of(response) == messages.WRONG_CARD
    card.insert("stranger")  # registered nowhere
    response, _ = login_with_card(hall, unit=0)
    assert error_of(response) == messages.WRONG_CARD


def test_wrong_pin_says_how_many_tries_are_left_then_the_right_pin_works(hall, bound, card):
    hall["agent"].start()
    card.insert("a", tries=5)
    _, answer = login_with_card(hall, pin="000000")
    assert answer == {"error": "wrong_pin", "message": "UKey密码（PIN）错误，还可尝试4次", "tries_left": 4}
    response, _ = login_with_card(hall)
    assert signed_in(response)


def test_a_revoked_certificate_cannot_log_in(hall, bound, card):
    hall["agent"].start()
    card.insert("c")
    assert signed_in(login_with_card(hall, unit=2)[0])
    page = bound.get("/c/counter/ukey", params={"unit_no": hall["units"][2]})
    form = page.forms[next(i for i, f in page.forms.items() if f.action.endswith("/revoke"))]
    assert "已注销" in form.submit().follow().text
    response, _ = login_with_card(hall, unit=2)
    assert error_of(response) == messages.REVOKED


def test_a_replayed_challenge_is_refused(hall, bound, card):
    hall["agent"].start()
    card.insert("a")
    first, _ = login_with_card(hall)
    assert signed_in(first)
    posted = dict(first.request.POST)
    replay = TestApp(hall["app"])
    form = replay.get("/c/login", params={"method": "ukey"}).forms["ukey-form"]
    for name in ("unit_no", "login_name", "password", "challenge", "signature", "certificate"):
        form[name] = posted[name]
    assert error_of(form.submit()) == messages.REPLAYED


def test_an_expired_challenge_is_refused(hall, bound, card):
    hall["agent"].start()
    card.insert("a")

    def age(challenge: str) -> None:  # the person went for a coffee before clicking 登录
        with hall["runtime"].session() as db:
            db.execute(update(LoginChallenge).where(LoginChallenge.nonce == challenge.rsplit("|", 1)[1])
                       .values(issued_at=datetime.now(UTC) - timedelta(seconds=121)))
            from core.db import mark_changed

            mark_changed(db)

    response, _ = login_with_card(hall, before_submit=age)
    assert error_of(response) == messages.EXPIRED


def test_no_card_in_the_reader(hall, bound, card):
    hall["agent"].start()
    card.remove()
    _, answer = login_with_card(hall)
    assert answer == {"error": "no_reader", "message": messages.PAGE["no_reader"]}


def test_the_wrong_password_is_counted_after_the_card(hall, bound, card):
    hall["agent"].start()
    card.insert("b")
    response, _ = login_with_card(hall, unit=1, password="wrong")
    assert "账号或密码错误" in error_of(response)


def test_a_login_without_a_signature_is_refused(hall, bound):
    web = TestApp(hall["app"])
    form = web.get("/c/login", params={"method": "ukey"}).forms["ukey-form"]
    form["unit_no"], form["login_name"], form["password"] = hall["units"][0], "admin", DEMO_PASSWORD
    assert error_of(form.submit()) == messages.NO_SIGNATURE


# --- the agent's own rules -------------------------------------------------------------

def test_the_agent_answers_only_the_hall_origin(hall):
    agent = hall["agent"]
    agent.start()
    status, headers, _ = agent.call("GET", "/status", origin=HALL_ORIGIN)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == HALL_ORIGIN
    for origin in ("https://evil.example", None):
        status, headers, body = agent.call("POST", "/sign", {"challenge": "x", "pin": PIN}, origin=origin)
        assert status == 403 and "Access-Control-Allow-Origin" not in headers and "signature" not in body
    request = urllib.request.Request(agent.url + "/sign", method="OPTIONS", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 403 and "Access-Control-Allow-Origin" not in refused.value.headers
    request = urllib.request.Request(agent.url + "/sign", method="OPTIONS", headers={
        "Origin": HALL_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(request, timeout=5) as preflight:
        assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Origin"] == HALL_ORIGIN


def test_the_agent_refuses_a_rebound_host_name(hall):
    agent = hall["agent"]
    agent.start()
    request = urllib.request.Request(agent.url + "/status", headers={"Origin": HALL_ORIGIN, "Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 403


# --- the counter -----------------------------------------------------------------------

def test_binding_and_revoking_need_a_clerk(hall, bound):
    anonymous = TestApp(hall["app"])
    assert "/counter/login" in anonymous.get("/c/counter/ukey").headers["Location"]
    operator = TestApp(hall["app"])
    form = operator.get("/c/login", params={"method": "password"}).forms[0]
    form["unit_no"], form["login_name"], form["password"] = hall["units"][0], "admin", DEMO_PASSWORD
    assert signed_in(form.submit())
    assert operator.get("/c/counter/ukey", expect_errors=True).status_int == 403
    csrf = operator.get("/c/login").html.find("input", {"name": "csrf_token"})["value"]
    assert operator.post("/c/counter/ukey", {"unit_no": hall["units"][0], "certificate": "x", "csrf_token": csrf},
                         expect_errors=True).status_int == 403
    assert operator.post("/c/counter/ukey/1/revoke", {"csrf_token": csrf}, expect_errors=True).status_int == 403
    assert bound.get("/c/counter/ukey").status_int == 200


def test_the_counter_refuses_a_second_live_key_and_garbage(hall, bound, keys):
    from hardware.emulator.keys import TestKey

    page = bind(bound, hall["units"][0], TestKey.load(keys / "stranger.json").certificate_pem)
    assert "该单位已有有效的UKey证书" in page.text
    page = bind(bound, hall["units"][2], "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
    assert "无法识别的证书" in page.text


# --- in a real browser: the page's script, the agent, the card ----------------------------

@pytest.fixture(scope="module")
def browser(hall):
    from tests.support.browser import chromium

    driver = chromium()
    yield driver
    driver.quit()


def browser_login(hall, driver, pin: str = PIN, unit: int = 0) -> str:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(hall["base"] + "/c/login?method=ukey")
    driver.find_element(By.ID, "ukey-pin").send_keys(pin)
    for name, value in (("unit_no", hall["units"][unit]), ("login_name", "admin"), ("password", DEMO_PASSWORD)):
        driver.find_element(By.NAME, name).send_keys(value)
    driver.find_element(By.ID, "ukey-submit").click()

    def outcome(d):
        if "/login" not in d.current_url:
            return "signed in"
        shown = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".login-error") if e.is_displayed() and e.text]
        return shown[0] if shown else None

    # the page may be navigating away while it is read: try again then
    return WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(outcome)


def test_in_the_browser_a_good_card_signs_in(hall, bound, card, browser):
    hall["agent"].start()
    card.insert("a")
    assert browser_login(hall, browser) == "signed in"


def test_in_the_browser_a_wrong_pin_is_said_on_the_page(hall, bound, card, browser):
    hall["agent"].start()
    card.insert("b", tries=5)
    assert browser_login(hall, browser, pin="999999", unit=1) == "UKey密码（PIN）错误，还可尝试4次"


def test_in_the_browser_no_card_is_said_on_the_page(hall, bound, card, browser):
    hall["agent"].start()
    card.remove()
    assert browser_login(hall, browser) == messages.PAGE["no_reader"]


def test_in_the_browser_an_agent_not_running_is_said_on_the_page(hall, bound, card, browser):
    hall["agent"].stop()
    assert browser_login(hall, browser) == messages.PAGE["agent_unreachable"]
    hall["agent"].start()


def test_in_the_browser_a_refusal_of_the_hall_is_said_on_the_page(hall, bound, card, browser):
    hall["agent"].start()
    card.insert("stranger")
    assert browser_login(hall, browser) == messages.WRONG_CARD


# --- the crypto, without the card ------------------------------------------------------

def test_an_sm2_key_whose_x_starts_with_04_still_verifies():
    """gmssl's constructor would lstrip("04") this key (d = 11, a TEST key: x = 04b3cb…)."""
    from hardware.emulator.keys import sm2_public_point, sm2_sign
    from plugins.ukey_login import crypto

    point = sm2_public_point(11)
    assert point[1:].hex().startswith("04")
    signature = sm2_sign(11, point, b"challenge")
    assert crypto.verify("sm2", point, b"challenge", signature)
    assert not crypto.verify("sm2", point, b"challengf", signature)
    n = crypto.SM2_N.to_bytes(32, "big")
    assert not crypto.verify("sm2", point, b"challenge", n + signature[32:])  # r out of range
