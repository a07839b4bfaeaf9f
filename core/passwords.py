"""Password hashing (argon2id), login checks with lockout, and the password rules."""
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 8


class LoginRefused(Exception):
    """A login that does not go through; the message is what the login page shows."""


def check_login(user, password: str, now: datetime) -> None:
    """Check ``password`` for an operator or clerk, counting failures.

    After :data:`MAX_FAILURES` wrong passwords in a row the account is locked for
    :data:`LOCK_MINUTES`; the message says until when. The caller commits either way,
    so the failure count survives the refusal.
    """
    if user is None:
        raise LoginRefused("账号或密码错误")
    if user.locked_until is not None and _aware(user.locked_until) > now:
        raise LoginRefused(f"密码错误次数过多，账号已锁定，请于{_local(user.locked_until)}后重试")
    if not user.active:
        raise LoginRefused("该账号已停用，请联系管理员")
    if verify_password(user.password_hash, password):
        user.failed_logins, user.locked_until = 0, None
        return
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until, user.failed_logins = now + timedelta(minutes=LOCK_MINUTES), 0
        raise LoginRefused(f"密码错误次数过多，账号已锁定，请于{_local(user.locked_until)}后重试")
    raise LoginRefused(f"账号或密码错误，还可尝试{MAX_FAILURES - user.failed_logins}次")


def password_problems(new: str, confirm: str, old_hash: str | None = None) -> list[str]:
    """What is wrong with a new password (empty when it will do)."""
    problems = []
    if new != confirm:
        problems.append("两次输入的新密码不一致")
    if len(new) < MIN_LENGTH:
        problems.append(f"新密码至少{MIN_LENGTH}位")
    kinds = sum(any(test(c) for c in new) for test in (str.isdigit, str.isupper, str.islower,
                                                        lambda c: not c.isalnum()))
    if kinds < 3:
        problems.append("新密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if old_hash and verify_password(old_hash, new):
        problems.append("新密码不能与原密码相同")
    return problems


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _local(moment: datetime) -> str:
    return _aware(moment).astimezone(CHINA).strftime("%H:%M")


CHINA = timezone(timedelta(hours=8))
