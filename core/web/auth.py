"""Login, logout and change password, for the hall (operators) and the counter (clerks)."""
from __future__ import annotations

import hmac
from datetime import datetime, timezone

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import get_renderer
from pyramid.view import view_config
from sqlalchemy import select

from core.models import Clerk, Operator
from core.passwords import LoginRefused, check_login, hash_password, password_problems, verify_password
from core.web.security import audit, keep_signed_in, log_in, log_out


def _home_of(request, user) -> str:
    if user.must_change_password:
        return request.route_url("password")
    return request.route_url("hall" if isinstance(user, Operator) else "counter")


def _is_default_password(request, password: str) -> bool:
    default = request.registry.runtime.centre.setting("login.default_password")
    return bool(default) and hmac.compare_digest(password.encode(), default.encode())


def _sign_in(request, authenticate) -> tuple[HTTPSeeOther | None, str | None]:
    """(redirect, None) when ``authenticate()`` names a user; (None, message) when refused.
    A refusal is committed with the request (the failure count must survive it)."""
    try:
        user = authenticate()
    except LoginRefused as refused:
        audit(request, "login_refused", details={"message": str(refused)})
        return None, str(refused)
    log_in(request, user)
    return HTTPSeeOther(_home_of(request, user)), None


@view_config(route_name="login", renderer="core.web:templates/hall/login.pt", permission="view",
             require_csrf=True)
def login(request):
    methods = request.registry.runtime.catalogue.login_methods
    chosen = request.params.get("method") or (methods[0].name if methods else None)
    method = next((m for m in methods if m.name == chosen), None)
    error = None
    if request.method == "POST" and method is not None:
        values = {name: request.POST.get(name, "") for name in method.fields}

        def authenticate():
            user = method.authenticate(request, values)
            if _is_default_password(request, values.get("password", "")):
                user.must_change_password = True  # Shaoguan's 000000: changed before anything else
            return user
        done, error = _sign_in(request, authenticate)
        if done:
            return done
    custom = get_renderer(method.template, registry=request.registry).implementation() \
        if method is not None and method.template else None
    return {"methods": methods, "chosen": chosen, "method": method, "custom": custom, "error": error,
            "values": {k: v for k, v in request.POST.items() if k != "password"}}


@view_config(route_name="counter_login", renderer="core.web:templates/counter/login.pt", permission="view")
def counter_login(request):
    error = None
    if request.method == "POST":
        login_name = request.POST.get("login_name", "").strip()

        def authenticate() -> Clerk:
            clerk = request.db.scalars(select(Clerk).where(Clerk.login_name == login_name)).one_or_none()
            check_login(clerk, request.POST.get("password", ""), datetime.now(timezone.utc))
            return clerk
        done, error = _sign_in(request, authenticate)
        if done:
            return done
    return {"error": error, "login_name": request.POST.get("login_name", "")}


@view_config(route_name="logout", request_method="POST", permission="view")
def logout(request):
    counter = request.user is not None and isinstance(request.user, Clerk)
    log_out(request)
    return HTTPSeeOther(request.route_url("counter_login" if counter else "login"))


@view_config(route_name="password", renderer="core.web:templates/hall/password.pt", permission="signed_in")
def change_password(request):
    user = request.user
    problems: list[str] = []
    if request.method == "POST":
        old, new, confirm = (request.POST.get(k, "") for k in ("old_password", "new_password", "confirm_password"))
        if not verify_password(user.password_hash, old):
            problems.append("原密码不正确")
        problems += password_problems(new, confirm, user.password_hash)
        if not problems:
            user.password_hash = hash_password(new)
            user.must_change_password = False
            keep_signed_in(request, user)
            audit(request, "password.change")
            request.session.flash("密码修改成功")
            return HTTPSeeOther(_home_of(request, user))
    return {"problems": problems, "forced": user.must_change_password}
