"""省平台登录 (Shaoguan, seed 002): OpenID Connect code flow against a loopback provider.

Every way the login can fail is shown on the login page with its own message, and
leaves nobody signed in.
"""
from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import select

from core.centres import ConfigurationError
from core.models import AuditEntry, Operator, Unit
from plugins import provincial_login as provincial
from tests.support.idp import IdentityProvider
from tests.support.web import Client, demo_facts, make_centre_app

PLUGINS = "password_login provincial_login"


def centre_settings(idp: IdentityProvider, discovery: bool = False, **extra: str) -> dict[str, str]:
    """App settings enabling the plugin for centre "testhall" against ``idp``."""
    values = {"plugins": PLUGINS, **idp.settings(discovery=discovery), **extra}
    return {f"opengjj.centre.testhall.{key}": value for key, value in values.items()}


@pytest.fixture(scope="module")
def idp():
    provider = IdentityProvider().start()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def world(idp, tmp_path_factory):
    app = make_centre_app(tmp_path_factory.mktemp("provincial"), **centre_settings(idp))
    return app, demo_facts(app.runtimes["testhall"])


@pytest.fixture
def provider(idp, world):
    """The module's provider, behaving, logging in as the demo's first operator."""
    _, demo = world
    idp.misbehave = None
    idp.identity = {"sub": "gd-0001", "name": "省平台用户", "id_no": demo.operator_id_no}
    idp.token_requests.clear()
    yield idp
    idp.misbehave = None


def visit_provider(url: str) -> str:
    """What the browser does at the provider: the redirect back to the hall."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        assert response.status == 302, response.status
        return response.getheader("Location")
    finally:
        connection.close()


def start(client: Client, idp: IdentityProvider) -> str:
    """Open the 省平台登录 tab, press its button; the address the provider sends back to."""
    page = client.get("/login", params={"method": "provincial"})
    assert page.html.select_one(".login-tab.active").text == "省平台登录"
    button = page.html.select_one("a.provincial-start")
    assert button.text == "前往省平台登录"
    to_provider = client.web.get(button["href"])
    assert to_provider.status_int == 303
    location = to_provider.headers["Location"]
    assert location.startswith(idp.issuer + "/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["client_id"] == idp.client_id and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and query["state"] and query["nonce"]
    assert query["redirect_uri"] == "http://localhost/c/login/provincial/callback"
    return visit_provider(location)


def login(client: Client, idp: IdentityProvider):
    return client.web.get(start(client, idp))


def refusal(response) -> str:
    assert response.status_int == 200
    return response.html.select_one(".login-error").text


def assert_signed_out(client: Client) -> None:
    assert "/login" in client.get("/hall").headers["Location"]


def test_the_login_page_shows_the_provincial_tab(world, provider):
    app, _ = world
    page = Client(app).get("/login")
    assert [a.text for a in page.html.select(".login-tab")] == ["密码登录", "省平台登录"]
    page = Client(app).get("/login", params={"method": "provincial"})
    assert "省统一身份认证平台" in page.html.select_one(".provincial-login").text
    assert not page.html.select(".provincial-login input[name=password]")


def test_provincial_login_signs_the_operator_in(world, provider):
    app, demo = world
    client = Client(app)
    response = login(client, provider)
    assert response.status_int == 303 and response.headers["Location"] == "http://localhost/c/hall"
    hall = response.follow()
    assert hall.status_int == 200
    with app.runtimes["testhall"].session() as db:
        operator = db.scalars(select(Operator).where(Operator.id_no == demo.operator_id_no)).one()
        assert hall.html.select_one(".user-name").text == operator.name
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "login.provincial")
                           .order_by(AuditEntry.id.desc())).first()
        assert entry.actor == f"operator:{operator.id}" and entry.details["sub"] == "gd-0001"
    # the code was exchanged with the client's secret (HTTP Basic) and the PKCE verifier
    (sent,) = provider.token_requests
    assert sent["grant_type"] == "authorization_code" and len(sent["code_verifier"]) >= 43
    assert "client_secret" not in sent


def test_a_callback_replayed_is_refused(world, provider):
    app, _ = world
    client = Client(app)
    back = start(client, provider)
    assert client.web.get(back).status_int == 303
    client.web.post(client.url("/logout"), {"csrf_token": client.csrf()})
    assert refusal(client.web.get(back)) == provincial.NOT_STARTED


def test_state_mismatch(world, provider):
    app, _ = world
    client = Client(app)
    back = start(client, provider)
    tampered = back.replace("state=", "state=x")
    assert refusal(client.web.get(tampered)) == provincial.STATE_MISMATCH
    assert_signed_out(client)
    assert provider.token_requests == []  # the code was never exchanged
    back = start(client, provider)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query), state="状态")
    tampered = back.split("?")[0] + "?" + urllib.parse.urlencode(query)
    assert refusal(client.web.get(tampered)) == provincial.STATE_MISMATCH


def test_a_callback_without_a_login_started_here(world, provider):
    app, _ = world
    back = start(Client(app), provider)
    stranger = Client(app)  # another browser: no state in its session
    assert refusal(stranger.web.get(back)) == provincial.NOT_STARTED
    assert_signed_out(stranger)


def test_the_provider_refuses(world, provider):
    app, _ = world
    provider.misbehave = "deny"
    client = Client(app)
    assert refusal(login(client, provider)) == "省平台未完成身份认证：用户取消了授权"
    assert_signed_out(client)


def test_the_token_endpoint_fails(world, provider):
    app, _ = world
    provider.misbehave = "token_error"
    client = Client(app)
    assert refusal(login(client, provider)) == "向省平台换取身份凭证失败（省平台内部错误），请重新登录"
    assert_signed_out(client)


@pytest.mark.parametrize("misbehave, message", [
    ("wrong_nonce", provincial.NONCE_MISMATCH),
    ("expired", provincial.EXPIRED),
    ("bad_signature", provincial.BAD_SIGNATURE),
    ("wrong_audience", provincial.NOT_FOR_US),
])
def test_a_bad_id_token_is_refused(world, provider, misbehave, message):
    app, _ = world
    provider.misbehave = misbehave
    client = Client(app)
    assert refusal(login(client, provider)) == message
    assert_signed_out(client)
    with app.runtimes["testhall"].session() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "login_refused")
                           .order_by(AuditEntry.id.desc())).first()
        assert entry.details == {"message": message, "method": "provincial"}


def test_an_unknown_identity_is_refused(world, provider):
    app, _ = world
    provider.identity = {"sub": "gd-9999", "id_no": "11010519491231002X"}
    client = Client(app)
    message = refusal(login(client, provider))
    assert message == provincial.UNKNOWN_OPERATOR.format(id_no="110105********002X")
    assert_signed_out(client)


def test_a_token_without_an_id_number_is_refused(world, provider):
    app, _ = world
    provider.identity = {"sub": "gd-0002", "name": "无证件号"}
    assert refusal(login(Client(app), provider)) == provincial.NO_ID_NO


def test_the_credit_code_claim_picks_the_unit(world, provider):
    app, demo = world
    with app.runtimes["testhall"].session() as db:
        codes = {u.id: u.credit_code for u in db.scalars(select(Unit))}
    other_unit_code = next(code for unit_id, code in codes.items() if unit_id != demo.unit_id)
    provider.identity = {**provider.identity, "credit_code": other_unit_code}
    assert refusal(login(Client(app), provider)).startswith("省平台账号（证件号码")
    provider.identity = {**provider.identity, "credit_code": codes[demo.unit_id]}
    assert login(Client(app), provider).status_int == 303


def test_posting_the_login_form_on_the_provincial_tab(world, provider):
    app, _ = world
    client = Client(app)
    response = client.post("/login", {"method": "provincial"})
    assert refusal(response) == provincial.USE_BUTTON


def test_login_on_each_database(idp, tmp_path, database_url, monkeypatch):
    """The whole flow on SQLite and PostgreSQL, endpoints found by discovery, the secret
    from an environment variable and sent in the form body."""
    monkeypatch.setenv("GJJ_TEST_PROVINCIAL_SECRET", idp.client_secret)
    settings = centre_settings(idp, discovery=True, **{"login.provincial.token_auth": "client_secret_post"})
    del settings["opengjj.centre.testhall.login.provincial.client_secret"]
    settings["opengjj.centre.testhall.login.provincial.client_secret_env"] = "GJJ_TEST_PROVINCIAL_SECRET"
    app = make_centre_app(tmp_path, database_url, **settings)
    monkeypatch.delenv("GJJ_TEST_PROVINCIAL_SECRET")  # read once, at start
    demo = demo_facts(app.runtimes["testhall"])
    idp.misbehave = None
    idp.identity = {"sub": "gd-0003", "id_no": demo.operator_id_no.lower()}
    idp.token_requests.clear()
    client = Client(app)
    response = login(client, idp)
    assert response.headers["Location"] == "http://localhost/c/hall"
    assert response.follow().status_int == 200
    assert idp.token_requests[0]["client_secret"] == idp.client_secret


def test_missing_settings_stop_the_app_at_start(idp, tmp_path: Path):
    settings = centre_settings(idp)
    del settings["opengjj.centre.testhall.login.provincial.client_secret"]
    with pytest.raises(ConfigurationError, match="login.provincial.client_secret"):
        make_centre_app(tmp_path, **settings)


def test_pkce_challenge_is_rfc_7636_s256():
    # RFC 7636 appendix B
    assert provincial.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == \
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
