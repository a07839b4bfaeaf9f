"""The challenge a card signs, and the check of a UKey login.

A challenge is ``OpenGJJ-UKey|<centre>|<nonce>``: naming the centre keeps a signature
made for one centre's hall from opening another's. It is good once and for
``login.ukey.challenge_seconds`` (120 s); it is used up by the first login that presents
it, in that login's transaction, whatever the outcome.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from core.db import mark_changed
from core.models import LoginChallenge, Operator, UKeyCertificate, Unit
from core.passwords import LoginRefused, check_login
from plugins.ukey_login import crypto, messages

PREFIX = "OpenGJJ-UKey"
DEFAULT_SECONDS = 120
KEEP_USED = timedelta(days=1)


def lifetime(centre) -> timedelta:
    return timedelta(seconds=int(centre.setting("login.ukey.challenge_seconds") or DEFAULT_SECONDS))


def issue_challenge(request) -> str:
    """A fresh challenge for this centre's login page (old ones are swept on the way)."""
    now = datetime.now(UTC)
    db = request.db
    db.execute(delete(LoginChallenge).where(LoginChallenge.issued_at < now - KEEP_USED))
    nonce = secrets.token_hex(32)
    db.add(LoginChallenge(nonce=nonce, issued_at=now, address=request.client_addr))
    mark_changed(db)
    return f"{PREFIX}|{request.registry.runtime.centre.name}|{nonce}"


def claim_challenge(request, challenge: str, now: datetime) -> None:
    """Use up ``challenge`` or refuse: unknown, already used, or expired."""
    prefix, _, nonce = challenge.rpartition("|")
    if prefix != f"{PREFIX}|{request.registry.runtime.centre.name}" or len(nonce) != 64:
        raise LoginRefused(messages.BAD_CHALLENGE)
    db = request.db
    found = db.scalars(select(LoginChallenge).where(LoginChallenge.nonce == nonce)).one_or_none()
    if found is None:
        raise LoginRefused(messages.BAD_CHALLENGE)
    if found.used_at is not None:
        raise LoginRefused(messages.REPLAYED)
    # One UPDATE claims it: of two logins racing with the same nonce only one gets a row.
    claimed = db.execute(update(LoginChallenge).where(LoginChallenge.id == found.id, LoginChallenge.used_at.is_(None))
                         .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    mark_changed(db)
    if claimed != 1:
        raise LoginRefused(messages.REPLAYED)
    issued = found.issued_at if found.issued_at.tzinfo else found.issued_at.replace(tzinfo=UTC)
    if issued + lifetime(request.registry.runtime.centre) < now:
        raise LoginRefused(messages.EXPIRED)


def authenticate(request, values: dict[str, str]) -> Operator:
    """The operator, if the card signed a live challenge with the unit's registered key
    and the unit account, login name and password are right; else LoginRefused."""
    now = datetime.now(UTC)
    wanted = {name: (values.get(name) or "").strip() for name in ("unit_no", "login_name")}
    if not all(wanted.values()) or not values.get("password"):
        raise LoginRefused(messages.PAGE["missing_fields"])
    challenge, signature, certificate = (values.get(n) or "" for n in ("challenge", "signature", "certificate"))
    if not (challenge and signature and certificate):
        raise LoginRefused(messages.NO_SIGNATURE)
    claim_challenge(request, challenge, now)
    try:
        presented = crypto.load(certificate)
        signature_bytes = base64.b64decode(signature, validate=True)
    except (crypto.CertificateRefused, binascii.Error):
        raise LoginRefused(messages.BAD_CERTIFICATE) from None
    db = request.db
    unit = db.scalars(select(Unit).where(Unit.unit_no == wanted["unit_no"])).one_or_none()
    known = db.scalars(select(UKeyCertificate).where(UKeyCertificate.fingerprint == presented.fingerprint)).one_or_none()
    if known is not None and known.revoked_at is not None:
        raise LoginRefused(messages.REVOKED)
    live = None if unit is None else live_certificate(db, unit.id)
    if unit is not None and live is None:
        raise LoginRefused(messages.NOT_REGISTERED)
    if live is None or live.fingerprint != presented.fingerprint:
        raise LoginRefused(messages.WRONG_CARD)
    if live.not_after is not None and _aware(live.not_after) < now:
        raise LoginRefused(messages.CERTIFICATE_EXPIRED)
    # Verified against the key the centre registered, not the one the card presented.
    if not crypto.verify(live.algorithm, bytes.fromhex(live.public_key), challenge.encode("utf-8"), signature_bytes):
        raise LoginRefused(messages.BAD_SIGNATURE)
    operator = db.scalars(select(Operator).where(Operator.unit_id == unit.id,
                                                 Operator.login_name == wanted["login_name"])).one_or_none()
    check_login(operator, values["password"], now)
    return operator


def live_certificate(db, unit_id: int) -> UKeyCertificate | None:
    return db.scalars(select(UKeyCertificate).where(UKeyCertificate.unit_id == unit_id,
                                                    UKeyCertificate.revoked_at.is_(None))).one_or_none()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
