"""分享: a signed, expiring link to one query's result for one unit and its filters.

The token is ``<payload>.<signature>``: the payload is URL-safe base64 of a JSON object
(the centre, the query code, the unit, the filter values, the expiry as a Unix time);
the signature is HMAC-SHA256 over the payload with a key derived from the session
secret (``opengjj.session_secret``) and the centre's name. The payload is signed, not
encrypted: whoever holds the link can read the conditions it carries (the page masks
ID numbers in them anyway).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

DEFAULT_DAYS = 7


class ShareRefused(Exception):
    """The token is malformed, tampered with, of another centre, or expired."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class Shared:
    centre: str
    query: str
    unit_id: int
    values: dict[str, str]
    expires: int


def _key(secret: str, centre: str) -> bytes:
    return hashlib.sha256(f"opengjj.queries.share\0{centre}\0{secret}".encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: str, centre: str, query: str, unit_id: int, values: dict[str, str],
               days: float = DEFAULT_DAYS, now: float | None = None) -> tuple[str, int]:
    """A token for this query's result, and its expiry (Unix time)."""
    expires = int((time.time() if now is None else now) + days * 86400)
    payload = _b64(json.dumps({"c": centre, "q": query, "u": unit_id, "f": values, "e": expires},
                              ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(_key(secret, centre), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}", expires


def read_token(secret: str, centre: str, token: str, now: float | None = None) -> Shared:
    """What a token shares; raises :class:`ShareRefused` unless it is intact, of this
    centre and not expired."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(_key(secret, centre), payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise ShareRefused("分享链接无效")
    try:
        data = json.loads(_unb64(payload))
        shared = Shared(centre=str(data["c"]), query=str(data["q"]), unit_id=int(data["u"]),
                        values={str(k): str(v) for k, v in dict(data["f"]).items()}, expires=int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise ShareRefused("分享链接无效") from None
    if shared.centre != centre:
        raise ShareRefused("分享链接无效")
    if (time.time() if now is None else now) >= shared.expires:
        raise ShareRefused("分享链接已过期", expired=True)
    return shared
