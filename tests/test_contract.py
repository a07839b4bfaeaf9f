"""The deposit arithmetic every centre relies on: rounding modes and policy checks."""
from decimal import Decimal

import pytest

from core.contract import ROUNDING_MODES, DepositPolicy, round_money

D = Decimal


@pytest.mark.parametrize("mode, amount, expected", [
    ("truncate_fen", "123.459", "123.45"),
    ("truncate_jiao", "123.49", "123.40"),
    ("truncate_yuan", "123.99", "123.00"),
    ("half_up_fen", "123.455", "123.46"),
    ("half_up_fen", "123.454", "123.45"),
    ("half_up_jiao", "123.45", "123.50"),
    ("half_up_yuan", "123.50", "124.00"),
    ("half_up_yuan", "123.49", "123.00"),
    ("up_li_to_fen", "123.451", "123.46"),   # 见厘进分
    ("up_li_to_fen", "123.450", "123.45"),
    ("up_fen_to_jiao", "123.41", "123.50"),  # 见分进角
    ("up_fen_to_jiao", "123.40", "123.40"),
    ("up_jiao_to_yuan", "123.10", "124.00"),  # 见角进元
    ("up_jiao_to_yuan", "123.00", "123.00"),
])
def test_rounding_modes(mode, amount, expected):
    assert round_money(D(amount), mode) == D(expected)
    assert str(round_money(D(amount), mode)) == expected  # always two decimals


def test_every_mode_has_a_chinese_name():
    assert {label for _, _, label in ROUNDING_MODES.values()} >= {"见厘进分", "见分进角", "见角进元"}


def test_monthly_amount_rounds_each_part_or_the_total():
    each = DepositPolicy(base_floor=D("1900"), base_cap=D("30000"), rounding="up_jiao_to_yuan")
    # 4321.50 × 7% = 302.505 → 303 per part
    assert each.monthly_parts(D("4321.50"), D("0.07"), D("0.07")) == (D("303.00"), D("303.00"))
    assert each.monthly_amount(D("4321.50"), D("0.07"), D("0.07")) == D("606.00")
    total = DepositPolicy(base_floor=D("1900"), base_cap=D("30000"), rounding="up_jiao_to_yuan", round_parts="total")
    # 605.01 → 606 in all, the unit part at fen precision, the personal part the rest
    assert total.monthly_parts(D("4321.50"), D("0.07"), D("0.07")) == (D("302.51"), D("303.49"))
    assert total.monthly_amount(D("4321.50"), D("0.07"), D("0.07")) == D("606.00")


def test_monthly_cap():
    capped = DepositPolicy(base_floor=D("2160"), base_cap=D("29430"), monthly_cap=D("7000.00"))
    assert capped.monthly_amount(D("29430"), D("0.12"), D("0.12")) == D("7000.00")
    assert capped.monthly_amount(D("10000"), D("0.12"), D("0.12")) == D("2400.00")


def test_policy_refuses_floats_and_unknown_modes():
    with pytest.raises(TypeError, match="base_cap must be a Decimal"):
        DepositPolicy(base_floor=D("1900"), base_cap=30000.0)
    with pytest.raises(ValueError, match="unknown rounding mode 'bankers'"):
        DepositPolicy(base_floor=D("1900"), base_cap=D("30000"), rounding="bankers")
