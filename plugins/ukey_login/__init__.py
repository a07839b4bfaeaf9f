"""UKey login (seed 001 第1章): one certificate per unit, bound at the counter when the
centre issues the key; each login is challenge–response.

The login page asks the hall for a challenge, the local agent (``gjj-agent``,
``hardware.agent``) has the card sign it, and the hall checks the signature against the
unit's registered, unrevoked certificate (SM2 with SM3 by default, ECDSA P-256
accepted), then the unit account, login name and password (see ``login.authenticate``).

Settings: ``login.ukey.agent_url`` (``http://127.0.0.1:17171``),
``login.ukey.challenge_seconds`` (120). Routes: ``ukey_challenge`` (the login page's
script), ``ukey_certificates`` and ``ukey_revoke`` (the counter). See docs/ukey.md.
"""
from __future__ import annotations

import json

from core.contract import LoginMethod
from core.hookspecs import hookimpl

FIELDS = ("unit_no", "login_name", "password", "challenge", "signature", "certificate")
FIELD_TITLES = {"unit_no": "单位账号", "login_name": "登录名", "password": "密码", "challenge": "登录验证码",
                "signature": "UKey签名", "certificate": "UKey证书"}
TEMPLATE = "plugins:templates/ukey_login.pt"
DEFAULT_AGENT_URL = "http://127.0.0.1:17171"


def _authenticate(request, values):
    from plugins.ukey_login.login import authenticate

    return authenticate(request, values)


@hookimpl
def opengjj_login_methods(centre):
    return [LoginMethod(name="ukey", title="UKey登录", fields=FIELDS, order=5, authenticate=_authenticate,
                        titles=FIELD_TITLES, template=TEMPLATE)]


def page_settings(request) -> dict:
    """What the login page's script needs: where the agent is, and what to say."""
    from plugins.ukey_login.messages import PAGE

    centre = request.registry.runtime.centre
    return {"agent_url": (centre.setting("login.ukey.agent_url") or DEFAULT_AGENT_URL).rstrip("/"),
            "challenge_url": request.route_url("ukey_challenge"),
            "messages": json.dumps(PAGE, ensure_ascii=False)}


def includeme(config) -> None:
    from core.web.security import KeyDesk, Public

    config.add_request_method(page_settings, "ukey_page", reify=True)
    config.add_route("ukey_challenge", "/ukey/challenge", factory=Public)
    config.add_route("ukey_certificates", "/counter/ukey", factory=KeyDesk)
    config.add_route("ukey_revoke", "/counter/ukey/{id}/revoke", factory=KeyDesk)
    config.scan("plugins.ukey_login.views")
