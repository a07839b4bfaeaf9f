"""One-time codes: issued with rate limits, stored as keyed hashes, checked once.

A code is 6 digits from :mod:`secrets`, valid for :data:`TTL`, good for one successful
check and at most :data:`MAX_ATTEMPTS` tries. Only ``HMAC-SHA256(key, purpose|phone|code)``
is stored; the comparison is :func:`hmac.compare_digest`. Issuing a new code for a phone
and purpose retires the earlier ones. Nothing here logs a code.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import SmsCode

CODE_DIGITS = 6
TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta


#: per phone and per client address: one a minute, ten a day
DEFAULT_LIMITS = (Limit(1, timedelta(minutes=1)), Limit(10, timedelta(days=1)))


class RateLimited(Exception):
    """Too many codes asked for; the message says when to try again."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


def parse_limits(text: str | None) -> tuple[Limit, ...]:
    """``"1/60 10/86400"``: at most 1 per 60 seconds and 10 per 86400 seconds."""
    if not text:
        return DEFAULT_LIMITS
    limits = []
    for part in text.split():
        count, seconds = part.split("/")
        limits.append(Limit(int(count), timedelta(seconds=int(seconds))))
    return tuple(limits)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


class CodeBook:
    """The codes of one centre's database, keyed by ``key`` (a server secret)."""

    def __init__(self, db: Session, key: bytes, phone_limits: tuple[Limit, ...] = DEFAULT_LIMITS,
                 address_limits: tuple[Limit, ...] = DEFAULT_LIMITS):
        self.db, self.key = db, key
        self.phone_limits, self.address_limits = phone_limits, address_limits

    def digest(self, phone: str, purpose: str, code: str) -> str:
        message = f"{purpose}|{phone}|{code}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def issue(self, phone: str, purpose: str, address: str | None, now: datetime | None = None) -> str:
        """A new code for ``phone``, or :class:`RateLimited`. The caller sends it (or not)."""
        now = now or datetime.now(UTC)
        self._check_limits(SmsCode.phone, phone, self.phone_limits, now, "该手机号")
        if address:
            self._check_limits(SmsCode.client_address, address, self.address_limits, now, "当前网络")
        for earlier in self._unused(phone, purpose):
            earlier.used_at = now  # retired: only the newest code is good
        code = new_code()
        self.db.add(SmsCode(phone=phone, purpose=purpose, code_hash=self.digest(phone, purpose, code),
                            issued_at=now, expires_at=now + TTL, attempts=0, client_address=address))
        self.db.flush()
        return code

    def verify(self, phone: str, purpose: str, code: str, now: datetime | None = None,
               consume: bool = True) -> bool:
        """Whether ``code`` is the phone's live code for ``purpose``; a right code is used up
        unless ``consume`` is false (the details that came with it matched nobody).

        Every try counts; after :data:`MAX_ATTEMPTS` the code is dead. The caller commits
        either way, so the count survives a refusal.
        """
        now = now or datetime.now(UTC)
        row = self._unused(phone, purpose, for_update=True)[:1]
        if not row:
            return False
        found = row[0]
        if _aware(found.expires_at) <= now or found.attempts >= MAX_ATTEMPTS:
            return False
        found.attempts += 1
        if not hmac.compare_digest(found.code_hash, self.digest(phone, purpose, (code or "").strip())):
            return False
        if consume:
            found.used_at = now
        return True

    def _unused(self, phone: str, purpose: str, for_update: bool = False) -> list[SmsCode]:
        query = (select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose,
                                       SmsCode.used_at.is_(None))
                 .order_by(SmsCode.issued_at.desc(), SmsCode.id.desc()))
        if for_update:
            query = query.with_for_update()
        return list(self.db.scalars(query))

    def _check_limits(self, column, value: str, limits: tuple[Limit, ...], now: datetime, who: str) -> None:
        retry_at = None
        for limit in limits:
            times = self.db.scalars(select(SmsCode.issued_at).where(column == value, SmsCode.issued_at > now - limit.window)
                                    .order_by(SmsCode.issued_at.desc()).limit(limit.count)).all()
            if len(times) >= limit.count:
                candidate = _aware(times[-1]) + limit.window
                retry_at = candidate if retry_at is None else max(retry_at, candidate)
        if retry_at is not None:
            raise RateLimited(retry_message(who, retry_at, now), retry_at)


def retry_message(who: str, retry_at: datetime, now: datetime) -> str:
    seconds = max(1, int((retry_at - now).total_seconds() + 0.999))
    if seconds <= 120:
        return f"{who}获取验证码过于频繁，请{seconds}秒后重试"
    local = retry_at.astimezone(CHINA)
    when = local.strftime("%H:%M") if local.date() == now.astimezone(CHINA).date() else local.strftime("%m月%d日%H:%M")
    return f"{who}获取验证码次数已达上限，请于{when}后重试"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
