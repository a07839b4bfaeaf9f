"""Amounts in Chinese capitals (大写), as banks and vouchers write them.

``amount_in_words(Decimal("12345.67"))`` gives 壹万贰仟叁佰肆拾伍元陆角柒分; zeros follow
the usual rules: 1001.05 → 壹仟零壹元零伍分, 0.50 → 伍角, 100 → 壹佰元整.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def _integer_words(number: int) -> str:
    text = str(number)
    out: list[str] = []
    zero_pending = False
    group_used = False
    for index, char in enumerate(text):
        power = len(text) - 1 - index
        place, group = power % 4, power // 4
        digit = int(char)
        if digit == 0:
            zero_pending = True
        else:
            if zero_pending and out:
                out.append("零")
            zero_pending = False
            out.append(DIGITS[digit] + PLACES[place])
            group_used = True
        if place == 0:
            if group and group_used:
                out.append(GROUPS[group])
            group_used = False
    return "".join(out)


def amount_in_words(amount: Decimal) -> str:
    """The amount in 大写, rounded to the fen (half up)."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount_in_words needs a Decimal")
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    words = _integer_words(yuan) + "元" if yuan else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    if not jiao and not fen:
        words += "整"
    return sign + words


def figures(amount: Decimal) -> str:
    """The amount in figures with thousands separators: ¥12,345.67."""
    return f"¥{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
