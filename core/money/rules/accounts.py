"""Ready-made rules about accounts: who may open or unseal one in the hall.

A city returns them from its ``opengjj_operation_rules``::

    @hookimpl
    def opengjj_operation_rules(centre, db, operation):
        return [*id_card_only(operation), *age_limits(operation, female_max=50),
                *unseal_not_in_seal_month(operation)]
"""
from __future__ import annotations

from datetime import date

from core.codes import IdType
from core.contract import Operation, Violation
from core.money import months
from core.money.validation import age_on

#: the operations whose values carry the person's age (and birth date, gender)
AGE_KINDS = ("open_account", "unseal")


def id_card_only(operation: Operation) -> list[Violation]:
    """Only 居民身份证 holders may open an account in the hall; others go to the counter."""
    if operation.kind != "open_account":
        return []
    if operation.values.get("id_type", IdType.ID_CARD.value) != IdType.ID_CARD.value:
        return [Violation("网上只能为持居民身份证的职工开户，其他证件请到柜台办理", field="id_type", code="counter")]
    return []


def _age(operation: Operation) -> int | None:
    age = operation.values.get("age")
    if age is None and isinstance(operation.values.get("birth_date"), date):
        age = age_on(operation.values["birth_date"], operation.today)
    return age


def age_limits(operation: Operation, *, min_age: int = 16, female_max: int = 55,
               male_max: int = 60) -> list[Violation]:
    """Opening or unsealing for someone under ``min_age`` or past retirement age
    (``female_max`` / ``male_max``, gender "2" / "1") is counter business."""
    if operation.kind not in AGE_KINDS:
        return []
    age = _age(operation)
    if age is None:
        return []
    if age < min_age:
        return [Violation(f"未满{min_age}周岁，请到柜台办理", field="id_no", code="counter")]
    gender = operation.values.get("gender")
    limit = female_max if gender == "2" else male_max if gender == "1" else None
    if limit is not None and age >= limit:
        return [Violation("超过退休年龄，请到柜台办理", field="id_no", code="counter")]
    return []


def unseal_not_in_seal_month(operation: Operation) -> list[Violation]:
    """An account sealed this month may not be unsealed in the same month."""
    if operation.kind != "unseal":
        return []
    seal_month = operation.values.get("seal_month")
    if seal_month and seal_month == months.of(operation.today):
        return [Violation("封存当月不能启封，请下月再办理", field="seal_month")]
    return []
