"""A small OpenID Connect identity provider on loopback, for the provincial-login tests.

It serves discovery, ``/authorize`` (approves at once as ``identity`` and redirects back
with a code), ``/token`` (checks the client, the redirect URI and PKCE, then returns an
RS256 ID token signed with a key generated when it starts) and ``/jwks``. Set
``misbehave`` to make it answer wrongly: ``"deny"`` (the user refuses at the provider),
``"wrong_nonce"``, ``"expired"``, ``"bad_signature"`` (signed with another key under the
same key id), ``"wrong_audience"`` or ``"token_error"``.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

MISBEHAVIOURS = ("deny", "wrong_nonce", "expired", "bad_signature", "wrong_audience", "token_error")


@dataclass
class IdentityProvider:
    client_id: str = "opengjj-hall"
    client_secret: str = "provincial-test-secret"
    #: the claims of the person who "logs in" at the provider
    identity: dict[str, Any] = field(default_factory=lambda: {"sub": "gd-user-1", "name": "测试经办人"})
    misbehave: str | None = None
    key_id: str = "idp-key-1"
    #: what the token endpoint was sent, for the tests to inspect
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, Any]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.issuer = ""

    # --- life --------------------------------------------------------------------------

    def start(self) -> IdentityProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider._handle(self, "GET")

            def do_POST(self) -> None:
                provider._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-idp", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def settings(self, discovery: bool = False) -> dict[str, str]:
        """The centre's ``login.provincial.*`` settings for this provider."""
        settings = {"issuer": self.issuer, "client_id": self.client_id, "client_secret": self.client_secret}
        if not discovery:
            settings.update(authorization_endpoint=f"{self.issuer}/authorize",
                            token_endpoint=f"{self.issuer}/token", jwks_uri=f"{self.issuer}/jwks")
        return {f"login.provincial.{key}": value for key, value in settings.items()}

    # --- HTTP --------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        routes = {("GET", "/.well-known/openid-configuration"): self._discovery, ("GET", "/jwks"): self._jwks,
                  ("GET", "/authorize"): self._authorize, ("POST", "/token"): self._token}
        answer = routes.get((method, url.path))
        if answer is None:
            return self._send(handler, 404, {"error": "not_found"})
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            query = dict(urllib.parse.parse_qsl(handler.rfile.read(length).decode("utf-8")))
        answer(handler, query)

    def _send(self, handler, status: int, body: dict | None = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body or {}).encode("utf-8")
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _discovery(self, handler, query) -> None:
        self._send(handler, 200, {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

    def _jwks(self, handler, query) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.key_id, use="sig", alg="RS256")
        self._send(handler, 200, {"keys": [jwk]})

    def _authorize(self, handler, query) -> None:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect_uri:
            return self._send(handler, 400, {"error": "invalid_client"})
        back: dict[str, str] = {"state": query.get("state", "")}
        if self.misbehave == "deny":
            back.update(error="access_denied", error_description="用户取消了授权")
        elif "openid" not in query.get("scope", "").split() or query.get("response_type") != "code" \
                or query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            back.update(error="invalid_request", error_description="请求缺少 openid、code 或 PKCE 参数")
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"redirect_uri": redirect_uri, "nonce": query.get("nonce"),
                                "challenge": query["code_challenge"], "identity": dict(self.identity)}
            back["code"] = code
        separator = "&" if "?" in redirect_uri else "?"
        handler.send_response(302)
        handler.send_header("Location", redirect_uri + separator + urllib.parse.urlencode(back))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _client(self, handler, form: dict[str, str]) -> tuple[str | None, str | None]:
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            pair = base64.b64decode(header[6:]).decode("utf-8")
            client_id, _, secret = pair.partition(":")
            return urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
        return form.get("client_id"), form.get("client_secret")

    def _token(self, handler, form) -> None:
        self.token_requests.append(dict(form))
        client_id, secret = self._client(handler, form)
        if client_id != self.client_id or secret != self.client_secret:
            return self._send(handler, 401, {"error": "invalid_client", "error_description": "客户端认证失败"})
        if self.misbehave == "token_error":
            return self._send(handler, 400, {"error": "server_error", "error_description": "省平台内部错误"})
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good once
        if form.get("grant_type") != "authorization_code" or grant is None \
                or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._send(handler, 400, {"error": "invalid_grant", "error_description": "授权码无效"})
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return self._send(handler, 400, {"error": "invalid_grant", "error_description": "PKCE 校验失败"})
        self._send(handler, 200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                                  "expires_in": 3600, "id_token": self.id_token(grant)},
                   headers={"Cache-Control": "no-store"})

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {**grant["identity"], "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "auth_time": now, "nonce": grant["nonce"]}
        if self.misbehave == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-the-hall-sent"
        elif self.misbehave == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif self.misbehave == "wrong_audience":
            claims["aud"] = "another-client"
        key = self.other_key if self.misbehave == "bad_signature" else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.key_id})
