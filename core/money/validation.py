"""Identity and contact numbers: resident ID cards, credit codes, bank cards, mobiles.

Each validator returns the number in its stored form (compact, upper case) or raises
:class:`core.money.errors.BusinessError` with a Chinese message naming the field and
the reason, so a form or an import row can show it next to the value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from core.money.errors import BusinessError

_MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class ResidentId:
    """A valid 18-digit resident ID number and what it tells: birth date and gender
    ("1" male, "2" female, GB/T 2261.1)."""

    number: str
    birth_date: date
    gender: str


def _text(value: object) -> str:
    return "" if value is None else str(value).replace(" ", "").replace("-", "").strip().upper()


def resident_id(value: str, field: str = "id_no") -> ResidentId:
    """Validate a 居民身份证 number (GB 11643): 18 characters, check digit, birth date."""
    number = _text(value)
    if not number:
        raise BusinessError("证件号码不能为空", field=field)
    if len(number) != 18:
        raise BusinessError(f"证件号码位数不对：应为18位，实为{len(number)}位", field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise BusinessError("证件号码格式不对：前17位须为数字，末位为数字或X", field=field)
    if number[17] != ric.calc_check_digit(number):
        raise BusinessError("证件号码校验位错误", field=field)
    try:
        birth = ric.get_birth_date(number)
    except (InvalidComponent, ValueError):
        raise BusinessError("证件号码中的出生日期无效", field=field) from None
    if birth.year < 1900 or birth > date.today():
        raise BusinessError("证件号码中的出生日期无效", field=field)
    gender = "1" if int(number[16]) % 2 else "2"
    return ResidentId(number=number, birth_date=birth, gender=gender)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (a person born on 29 February turns a year older
    on 1 March in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def credit_code(value: str, field: str = "credit_code") -> str:
    """Validate a 统一社会信用代码 (GB 32100): 18 characters with a check character."""
    number = _text(value)
    if not number:
        raise BusinessError("统一社会信用代码不能为空", field=field)
    try:
        return uscc.validate(number)
    except InvalidLength:
        raise BusinessError(f"统一社会信用代码位数不对：应为18位，实为{len(number)}位", field=field) from None
    except InvalidChecksum:
        raise BusinessError("统一社会信用代码校验位错误", field=field) from None
    except (InvalidFormat, InvalidComponent, ValidationError):
        raise BusinessError("统一社会信用代码格式不对", field=field) from None


def bank_card(value: str, field: str = "bank_card") -> str:
    """Validate a bank card number: 12 to 19 digits with a Luhn check digit."""
    number = _text(value)
    if not number:
        raise BusinessError("银行卡号不能为空", field=field)
    if not number.isdigit():
        raise BusinessError("银行卡号只能包含数字", field=field)
    if not 12 <= len(number) <= 19:
        raise BusinessError(f"银行卡号位数不对：应为12至19位，实为{len(number)}位", field=field)
    try:
        luhn.validate(number)
    except ValidationError:
        raise BusinessError("银行卡号校验位错误", field=field) from None
    return number


def mobile(value: str, field: str = "phone") -> str:
    """Validate a mainland mobile number: 11 digits starting 13–19."""
    number = _text(value)
    if number.startswith("+86"):
        number = number[3:]
    if not number:
        raise BusinessError("手机号码不能为空", field=field)
    if not number.isdigit() or len(number) != 11:
        raise BusinessError(f"手机号码位数不对：应为11位数字，实为“{number}”", field=field)
    if not _MOBILE.fullmatch(number):
        raise BusinessError("手机号码格式不对：须以13至19开头", field=field)
    return number
