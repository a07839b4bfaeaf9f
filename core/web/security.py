"""Who is asking, and what they may do: sessions, the security policy, ACL contexts.

An operator's principals are ``role:operator``, ``operator:<id>`` and ``unit:<id>``; a
clerk's are ``role:clerk``, ``clerk:<id>`` and ``role:<chain role>`` for each of their
roles. Contexts carry ACLs: an application lets its own unit view and edit it, every
clerk of the centre view it, and only the role owning its current step review it.
The identity names its centre, so a session cookie of one centre is worthless in another.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from pyramid.authorization import ALL_PERMISSIONS, Allow, Authenticated, Deny, Everyone, ACLHelper
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.session import SignedCookieSessionFactory

from core.models import Application, AuditEntry, Clerk, Operator
from core.workflow import Actor, current_step

DENY_ALL = (Deny, Everyone, ALL_PERMISSIONS)
SESSION_KEY = "opengjj.identity"


class SecurityPolicy:
    """Session-based identity, ACL permits (Pyramid 2's ISecurityPolicy)."""

    def __init__(self) -> None:
        self.acl = ACLHelper()

    def identity(self, request) -> Operator | Clerk | None:
        return request.user

    def authenticated_userid(self, request) -> str | None:
        user = request.user
        return None if user is None else f"{_kind(user)}:{user.id}"

    def permits(self, request, context, permission):
        return self.acl.permits(context, principals(request.user), permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def _kind(user) -> str:
    return "operator" if isinstance(user, Operator) else "clerk"


def principals(user) -> list[str]:
    if user is None:
        return [Everyone]
    if isinstance(user, Operator):
        return [Everyone, Authenticated, "role:operator", f"operator:{user.id}", f"unit:{user.unit_id}"]
    return [Everyone, Authenticated, "role:clerk", f"clerk:{user.id}"] + [f"role:{r}" for r in sorted(user.role_set)]


def _user(request) -> Operator | Clerk | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("centre") != request.registry.runtime.centre.name:
        return None
    model = Operator if stored.get("kind") == "operator" else Clerk
    user = request.db.get(model, stored.get("id"))
    if user is None or not user.active or stored.get("key") != _password_key(user):
        return None  # a changed or reset password ends every session signed in before it
    return user


def _password_key(user) -> str:
    """A short fingerprint of the password hash (never the hash) kept in the session."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _actor(request) -> Actor | None:
    user = request.user
    if user is None:
        return None
    if isinstance(user, Operator):
        return Actor("operator", user.id, user.name, unit_id=user.unit_id, address=request.client_addr,
                     roles=frozenset({"admin"}) if user.is_admin else frozenset())
    return Actor("clerk", user.id, user.name, roles=user.role_set, address=request.client_addr)


def log_in(request, user) -> None:
    """Start a fresh session for ``user`` (a new session id and CSRF token: no fixation)."""
    request.session.invalidate()
    request.session[SESSION_KEY] = {"kind": _kind(user), "id": user.id, "key": _password_key(user),
                                    "centre": request.registry.runtime.centre.name}
    request.session.new_csrf_token()
    audit(request, "login", actor=user)


def keep_signed_in(request, user) -> None:
    """After ``user`` changed their own password: this session goes on, the others end."""
    stored = dict(request.session.get(SESSION_KEY) or {})
    if stored.get("id") == user.id and stored.get("kind") == _kind(user):
        stored["key"] = _password_key(user)
        request.session[SESSION_KEY] = stored


def log_out(request) -> None:
    if request.user is not None:
        audit(request, "logout")
    request.session.invalidate()


def audit(request, action: str, *, actor=None, entity: str | None = None, entity_id: int | None = None,
          details: dict | None = None, unit_id: int | None = None) -> None:
    """Write who did what, when and from where (every state change goes through here)."""
    user = actor if actor is not None else request.user
    request.db.add(AuditEntry(
        actor=f"{_kind(user)}:{user.id}" if user is not None else "anonymous",
        actor_name=getattr(user, "name", None), address=request.client_addr, action=action,
        unit_id=unit_id if unit_id is not None else getattr(user, "unit_id", None),
        entity=entity, entity_id=entity_id, details=details))


# --- contexts --------------------------------------------------------------------------

class Public:
    __acl__ = [(Allow, Everyone, "view")]

    def __init__(self, request):
        self.request = request


class SignedIn:
    """Pages for anyone signed in (change password)."""

    __acl__ = [(Allow, Authenticated, "signed_in"), DENY_ALL]

    def __init__(self, request):
        self.request = request


class _Face:
    """A face's pages: nothing else until an initial password has been changed."""

    def __init__(self, request):
        self.request = request
        if request.user is not None and request.user.must_change_password:
            raise HTTPSeeOther(request.route_url("password"))


class HallRoot(_Face):
    __acl__ = [(Allow, "role:operator", "hall"), DENY_ALL]


class CounterRoot(_Face):
    __acl__ = [(Allow, "role:clerk", "counter"), DENY_ALL]


class KeyDesk(CounterRoot):
    """Counter pages that change a unit's credentials (binding a UKey): first review only."""

    __acl__ = [(Allow, "role:first_review", "counter"), DENY_ALL]


class ApplicationContext(_Face):
    """One application, found by the route's ``id``; 404 when it does not exist."""

    def __init__(self, request):
        super().__init__(request)
        try:
            application_id = int(request.matchdict["id"])
        except (KeyError, ValueError):
            raise HTTPNotFound() from None
        self.application = request.db.get(Application, application_id)
        if self.application is None:
            raise HTTPNotFound()
        self.item = request.registry.runtime.catalogue.items.get(self.application.item_code)

    @property
    def __acl__(self) -> list[tuple[Any, ...]]:
        unit = f"unit:{self.application.unit_id}"
        acl = [(Allow, unit, "view"), (Allow, unit, "edit"), (Allow, "role:clerk", "inspect")]
        step = current_step(self.item, self.application) if self.item else None
        if step is not None and step.role in ("first_review", "second_review"):
            acl.append((Allow, f"role:{step.role}", "review"))
        return acl + [DENY_ALL]


def session_factory(settings, centre):
    secret = settings.get("opengjj.session_secret")
    if not secret:
        raise ValueError("opengjj.session_secret is not set (a long random string; see docs/install.md)")
    timeout = int(settings.get("opengjj.session_timeout", 1800))
    return SignedCookieSessionFactory(
        secret + centre.name, cookie_name=f"gjj_{centre.name}", timeout=timeout, reissue_time=min(60, timeout),
        httponly=True, samesite="Lax", secure=settings.get("opengjj.session_secure", "false") == "true")


def includeme(config) -> None:
    runtime = config.registry.runtime
    config.set_session_factory(session_factory(config.registry.settings, runtime.centre))
    config.set_security_policy(SecurityPolicy())
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.add_request_method(_user, "user", reify=True)
    config.add_request_method(_actor, "actor", reify=True)


def now() -> datetime:
    return datetime.now(timezone.utc)
