"""Every standard item core defines, in one tuple (a centre enables the ones it offers)."""
from __future__ import annotations

from core.contract import BusinessItem
from core.items import deposits, organisation, persons, unit


def standard_items() -> tuple[BusinessItem, ...]:
    return persons.ITEMS + unit.ITEMS + deposits.ITEMS + organisation.ITEMS
