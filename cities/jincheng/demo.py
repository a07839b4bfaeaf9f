"""Jincheng's demo additions: what core's demo lacks to walk every item of the manual.

Core's demo persons are all of working age; item 13 (缴存人超龄缴存登记) and the
remittance's 汇缴缴存人超龄清册 need some past the statutory age, so each unit gets
three such employees (opened this month, nothing paid yet), each with the 开户 change
record an opening leaves, so the remittance's 汇缴核定变更清册 lists them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.codes import AccountState, CollectionType, IdType
from core.demo import AREA_CODES, id_number, person_name
from core.hookspecs import hookimpl
from core.models import Account, ChangeRecord, Person, Unit
from core.money.accounts import ACCOUNT_FIELDS
from core.money.records import snapshot

#: (gender, birth date): a man past 60, a woman past 55 and a man just past 60
OVER_AGE = (("1", date(1963, 4, 12)), ("2", date(1968, 9, 3)), ("1", date(1966, 1, 20)))
OPENED_ON = date(2026, 11, 2)


@hookimpl
def opengjj_demo_data(centre, db, rng, policy):
    area = AREA_CODES.get(centre.name, "140502")
    for unit in db.scalars(select(Unit).order_by(Unit.unit_no)):
        taken = db.scalar(select(func.count()).select_from(Account).where(Account.unit_id == unit.id))
        for n, (gender, born) in enumerate(OVER_AGE, start=taken + 1):
            person = Person(name=person_name(rng), id_type=IdType.ID_CARD.value, gender=gender, birth_date=born,
                            id_no=id_number(rng, area, born, gender), phone=f"1593560{n:04d}")
            db.add(person)
            db.flush()
            base = policy(2026).base_floor * 2
            unit_part, personal_part = policy(2026).monthly_parts(base, unit.unit_ratio, unit.personal_ratio)
            account = Account(account_no=f"{unit.unit_no}{n:04d}", person_id=person.id, unit_id=unit.id,
                              state=AccountState.NORMAL.value, base=base, unit_ratio=unit.unit_ratio,
                              personal_ratio=unit.personal_ratio, unit_amount=unit_part,
                              personal_amount=personal_part, monthly_amount=unit_part + personal_part, balance=0,
                              opened_on=OPENED_ON)
            db.add(account)
            db.flush()
            db.add(ChangeRecord(entity="account", entity_id=account.id, unit_id=unit.id,
                                business_type=CollectionType.OPEN.value, action="open", before=None,
                                after=snapshot(account, ACCOUNT_FIELDS), actor="system:demo"))
    db.flush()
