"""Provincial-platform login (省平台登录, Shaoguan seed 002): OpenID Connect, code flow.

The login tab's button leads to ``provincial_start``, which sends the browser to the
province's identity provider with a fresh ``state``, ``nonce`` and PKCE (S256) challenge
kept in the session. The provider sends it back to ``provincial_callback`` with a code;
the hall checks the state, exchanges the code at the token endpoint (client id and
secret), verifies the ID token (RS256 signature against the provider's JWKS, issuer,
audience, expiry, nonce) and signs in the operator whose ID number the token names.

Centre settings (``login.provincial.*``):

- ``issuer`` (required): the provider's issuer URL; endpoints not given below are read
  from ``<issuer>/.well-known/openid-configuration``.
- ``authorization_endpoint``, ``token_endpoint``, ``jwks_uri``: explicit endpoints.
- ``client_id`` (required), and ``client_secret`` or ``client_secret_env`` (the name of an
  environment variable holding the secret, so it stays out of the ini file).
- ``token_auth``: ``client_secret_basic`` (default) or ``client_secret_post``.
- ``scope``: default ``openid profile``.
- ``id_no_claim``: the claim holding the person's ID number (default ``id_no``), matched to
  ``Operator.id_no``; ``credit_code_claim`` (default ``credit_code``): when the token
  carries it, only an operator of the unit with that credit code matches.
- ``redirect_uri``: the callback address registered at the provider, when the hall
  sits behind a proxy that changes it (default: the callback route's URL).
- ``title``: what the login tab calls the provider (default 省统一身份认证平台).
- ``timeout``: seconds to wait for the provider (default 10).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import jwt
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import get_renderer, render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from core.centres import ConfigurationError
from core.contract import LoginMethod
from core.hookspecs import hookimpl
from core.models import Operator, Unit
from core.passwords import LoginRefused
from core.web.display import mask_id
from core.web.security import Public, audit, log_in

NAME = "provincial"
TEMPLATE = "plugins:templates/provincial_login.pt"
LOGIN_TEMPLATE = "core.web:templates/hall/login.pt"
SETTING = "login.provincial."
PENDING = "provincial.pending"
#: how long a started login may take at the provider before its state is forgotten
PENDING_SECONDS = 600
#: clock skew allowed between the provider and the hall when checking exp / iat
LEEWAY_SECONDS = 30

# The messages the login page shows, one per way the login can fail.
NOT_STARTED = "登录请求已失效，请重新点击“前往省平台登录”"
STATE_MISMATCH = "登录请求校验失败（state 不符），可能已被篡改或重复提交，请重新登录"
PROVIDER_REFUSED = "省平台未完成身份认证：{reason}"
NO_CODE = "省平台未返回授权码，请重新登录"
UNREACHABLE = "无法连接省统一身份认证平台，请稍后再试"
TOKEN_FAILED = "向省平台换取身份凭证失败（{reason}），请重新登录"
NO_ID_TOKEN = "省平台未返回身份凭证（ID Token），请联系中心"
NO_KEY = "无法取得省平台的验签公钥，登录未完成，请稍后再试"
BAD_SIGNATURE = "省平台身份凭证签名无效，登录未完成"
EXPIRED = "省平台身份凭证已过期，请重新登录"
NOT_FOR_US = "省平台身份凭证不是签发给本中心网厅的（签发方或接收方不符），登录未完成"
MALFORMED = "省平台身份凭证无效（{reason}），登录未完成"
NONCE_MISMATCH = "省平台身份凭证校验失败（nonce 不符），请重新登录"
NO_ID_NO = "省平台身份凭证中没有证件号码，无法确定经办人，请联系中心"
UNKNOWN_OPERATOR = ("省平台账号（证件号码 {id_no}）未登记为本中心任何单位的经办人，"
                    "请由单位管理员先在网厅登记该经办人，或使用其他方式登录")
SEVERAL_UNITS = "该证件号码是多个单位的经办人，省平台未提供单位信息，请使用其他方式登录"
INACTIVE = "该账号已停用，请联系管理员"
USE_BUTTON = "请点击“前往省平台登录”，在省统一身份认证平台完成登录"


class ProvincialLoginFailed(Exception):
    """A provincial login that does not go through; the message is for the login page."""


@dataclass
class Provider:
    """One centre's provincial identity provider, from its ``login.provincial.*`` settings."""

    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    jwks_uri: str | None = None
    token_auth: str = "client_secret_basic"
    scope: str = "openid profile"
    id_no_claim: str = "id_no"
    credit_code_claim: str = "credit_code"
    redirect_uri: str | None = None
    title: str = "省统一身份认证平台"
    timeout: float = 10.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _jwks: jwt.PyJWKClient | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_centre(cls, centre, environ=os.environ) -> Provider:
        def get(key: str, default: str | None = None) -> str | None:
            value = centre.setting(SETTING + key)
            return value.strip() if value and value.strip() else default

        missing = [key for key in ("issuer", "client_id") if not get(key)]
        secret = get("client_secret")
        secret_env = get("client_secret_env")
        if secret is None and secret_env:
            secret = environ.get(secret_env) or None
            if secret is None:
                missing.append(f"client_secret (environment variable {secret_env} is empty)")
        elif secret is None:
            missing.append("client_secret or client_secret_env")
        if missing:
            raise ConfigurationError(
                f"centre {centre.name!r} enables provincial_login but {', '.join(SETTING + m for m in missing)} "
                f"is not set; see docs/provincial-login.md")
        token_auth = get("token_auth", "client_secret_basic")
        if token_auth not in ("client_secret_basic", "client_secret_post"):
            raise ConfigurationError(f"{SETTING}token_auth must be client_secret_basic or client_secret_post")
        return cls(issuer=get("issuer").rstrip("/"), client_id=get("client_id"), client_secret=secret,
                   authorization_endpoint=get("authorization_endpoint"), token_endpoint=get("token_endpoint"),
                   jwks_uri=get("jwks_uri"), token_auth=token_auth, scope=get("scope", "openid profile"),
                   id_no_claim=get("id_no_claim", "id_no"), credit_code_claim=get("credit_code_claim", "credit_code"),
                   redirect_uri=get("redirect_uri"), title=get("title", "省统一身份认证平台"),
                   timeout=float(get("timeout", "10")))

    # --- endpoints ---------------------------------------------------------------------

    def _discover(self) -> None:
        """Fill the endpoints not configured from the provider's discovery document."""
        if self.authorization_endpoint and self.token_endpoint and self.jwks_uri:
            return
        with self._lock:
            if self.authorization_endpoint and self.token_endpoint and self.jwks_uri:
                return
            document = self._get_json(self.issuer + "/.well-known/openid-configuration")
            if str(document.get("issuer", "")).rstrip("/") != self.issuer:
                raise ProvincialLoginFailed(NOT_FOR_US)
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not getattr(self, name):
                    if not document.get(name):
                        raise ProvincialLoginFailed(UNREACHABLE)
                    setattr(self, name, document[name])

    def authorize_url(self, redirect_uri: str, state: str, nonce: str, challenge: str) -> str:
        self._discover()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
            "scope": self.scope, "state": state, "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256"})
        separator = "&" if "?" in self.authorization_endpoint else "?"
        return f"{self.authorization_endpoint}{separator}{query}"

    # --- the back channel --------------------------------------------------------------

    def _get_json(self, url: str) -> dict:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}),
                                        timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError):
            raise ProvincialLoginFailed(UNREACHABLE) from None

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict:
        """The token endpoint's answer for this code (it holds the ``id_token``)."""
        self._discover()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier}
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        if self.token_auth == "client_secret_basic":
            pair = f"{urllib.parse.quote(self.client_id, safe='')}:{urllib.parse.quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form.update(client_id=self.client_id, client_secret=self.client_secret)
        request = urllib.request.Request(self.token_endpoint, data=urllib.parse.urlencode(form).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            with error:  # it holds the connection: close it
                try:
                    body = json.loads(error.read().decode("utf-8"))
                    reason = body.get("error_description") or body.get("error") or f"HTTP {error.code}"
                except (ValueError, AttributeError, OSError):
                    reason = f"HTTP {error.code}"
            raise ProvincialLoginFailed(TOKEN_FAILED.format(reason=reason)) from None
        except (urllib.error.URLError, OSError):
            raise ProvincialLoginFailed(UNREACHABLE) from None
        except ValueError:
            raise ProvincialLoginFailed(TOKEN_FAILED.format(reason="应答不是JSON")) from None
        if not isinstance(answer, dict) or not answer.get("id_token"):
            raise ProvincialLoginFailed(NO_ID_TOKEN)
        return answer

    def _jwks_client(self) -> jwt.PyJWKClient:
        self._discover()
        with self._lock:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(self.jwks_uri, cache_keys=True, lifespan=3600, timeout=self.timeout)
            return self._jwks

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims, once signature, issuer, audience, expiry and nonce hold."""
        try:
            key = self._jwks_client().get_signing_key_from_jwt(id_token)
        except jwt.PyJWKClientError:  # the JWKS cannot be fetched, or has no key of this kid
            raise ProvincialLoginFailed(NO_KEY) from None
        except jwt.DecodeError as error:
            raise ProvincialLoginFailed(MALFORMED.format(reason=str(error))) from None
        try:
            claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=self.client_id,
                                issuer=self.issuer, leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.InvalidSignatureError:
            raise ProvincialLoginFailed(BAD_SIGNATURE) from None
        except jwt.ExpiredSignatureError:
            raise ProvincialLoginFailed(EXPIRED) from None
        except (jwt.InvalidIssuerError, jwt.InvalidAudienceError):
            raise ProvincialLoginFailed(NOT_FOR_US) from None
        except jwt.InvalidTokenError as error:
            raise ProvincialLoginFailed(MALFORMED.format(reason=str(error))) from None
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise ProvincialLoginFailed(NOT_FOR_US)
        if not isinstance(claims.get("nonce"), str) or not _same(claims["nonce"], nonce):
            raise ProvincialLoginFailed(NONCE_MISMATCH)
        return claims


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (which then differs)."""
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def provider_of(request) -> Provider:
    return request.registry.provincial_provider


def _redirect_uri(request) -> str:
    return provider_of(request).redirect_uri or request.route_url("provincial_callback")


# --- views -------------------------------------------------------------------------------

@view_config(route_name="provincial_start", context=Public, permission="view", request_method="GET")
def start(request):
    """Keep a fresh state, nonce and PKCE verifier in the session; off to the provider."""
    provider = provider_of(request)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    try:
        url = provider.authorize_url(_redirect_uri(request), state, nonce, pkce_challenge(verifier))
    except ProvincialLoginFailed as failed:
        return _refused(request, str(failed))
    request.session[PENDING] = {"state": state, "nonce": nonce, "verifier": verifier, "at": int(time.time())}
    return HTTPSeeOther(url)


@view_config(route_name="provincial_callback", context=Public, permission="view", request_method="GET")
def callback(request):
    pending = request.session.pop(PENDING, None)
    try:
        claims = _check_callback(request, pending)
        operator = _operator_of(request, claims)
    except ProvincialLoginFailed as failed:
        return _refused(request, str(failed))
    log_in(request, operator)
    audit(request, "login.provincial", actor=operator,
          details={"issuer": provider_of(request).issuer, "sub": claims.get("sub")})
    home = "password" if operator.must_change_password else "hall"
    return HTTPSeeOther(request.route_url(home))


def _check_callback(request, pending: dict | None) -> dict[str, Any]:
    params = request.GET
    if not pending or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise ProvincialLoginFailed(NOT_STARTED)
    if not _same(str(params.get("state", "")), str(pending["state"])):
        raise ProvincialLoginFailed(STATE_MISMATCH)
    if params.get("error"):
        reason = params.get("error_description") or params.get("error")
        raise ProvincialLoginFailed(PROVIDER_REFUSED.format(reason=reason))
    code = params.get("code")
    if not code:
        raise ProvincialLoginFailed(NO_CODE)
    provider = provider_of(request)
    answer = provider.exchange(code, _redirect_uri(request), pending["verifier"])
    return provider.verify(answer["id_token"], pending["nonce"])


def _operator_of(request, claims: dict[str, Any]) -> Operator:
    """The operator the token names: by ID number, within the unit of the credit code
    when the token carries one."""
    provider = provider_of(request)
    id_no = str(claims.get(provider.id_no_claim) or "").strip().upper()
    if not id_no:
        raise ProvincialLoginFailed(NO_ID_NO)
    query = select(Operator).where(Operator.id_no == id_no)
    credit_code = str(claims.get(provider.credit_code_claim) or "").strip().upper()
    if credit_code:
        query = query.join(Unit, Unit.id == Operator.unit_id).where(Unit.credit_code == credit_code)
    found = request.db.scalars(query.order_by(Operator.id).limit(10)).all()
    active = [operator for operator in found if operator.active]
    if not found:
        raise ProvincialLoginFailed(UNKNOWN_OPERATOR.format(id_no=mask_id(id_no)))
    if not active:
        raise ProvincialLoginFailed(INACTIVE)
    if len(active) > 1:
        raise ProvincialLoginFailed(SEVERAL_UNITS)
    return active[0]


def _refused(request, message: str):
    audit(request, "login_refused", details={"message": message, "method": NAME})
    methods = request.registry.runtime.catalogue.login_methods
    method = next(m for m in methods if m.name == NAME)
    custom = get_renderer(method.template, registry=request.registry).implementation()
    page = {"methods": methods, "chosen": NAME, "method": method, "custom": custom, "error": message, "values": {}}
    return render_to_response(LOGIN_TEMPLATE, page, request=request)


def authenticate(request, values: dict[str, str]) -> Operator:
    """A POST of the login form with this tab chosen: the login happens at the province."""
    raise LoginRefused(USE_BUTTON)


@hookimpl
def opengjj_login_methods(centre):
    return [LoginMethod(name=NAME, title="省平台登录", fields=(), order=30, authenticate=authenticate,
                        template=TEMPLATE)]


def includeme(config) -> None:
    config.registry.provincial_provider = Provider.from_centre(config.registry.runtime.centre)
    config.add_route("provincial_start", "/login/provincial/start", factory=Public)
    config.add_route("provincial_callback", "/login/provincial/callback", factory=Public)
    config.scan("plugins.provincial_login")
