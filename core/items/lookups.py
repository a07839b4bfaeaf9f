"""Small shared look-ups for item effects and schemas.

Each look-up either returns what was asked for or raises
:class:`core.money.errors.BusinessError` with a Chinese message naming the field and,
for a 清册 line, the 1-based row, so the hall can show it next to the value. The
functions are stable: other item modules import them.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.codes import AccountState, IdType
from core.models import Account, Department, Person, Unit
from core.money.errors import BusinessError

#: separators accepted between account numbers typed in one field
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def account_in_unit(db: Session, unit_id: int, account_no: str, row: int | None = None) -> Account:
    """The account numbered ``account_no`` of the unit ``unit_id``; refused when it does
    not exist or belongs to another unit."""
    number = (account_no or "").strip()
    account = db.scalar(select(Account).where(Account.account_no == number)) if number else None
    if account is None or account.unit_id != unit_id:
        raise BusinessError(f"个人账号{number}不存在或不属于本单位", field="account_no", row=row)
    return account


def account_by_no(db: Session, account_no: str, row: int | None = None, field: str = "account_no") -> Account:
    """The account numbered ``account_no`` in the whole centre (any unit)."""
    number = (account_no or "").strip()
    account = db.scalar(select(Account).where(Account.account_no == number)) if number else None
    if account is None:
        raise BusinessError(f"个人账号{number}不存在", field=field, row=row)
    return account


def live_account_of_person(db: Session, id_no: str, id_type: str = IdType.ID_CARD.value,
                           row: int | None = None, field: str = "id_no") -> Account:
    """The person's normal account (else the latest sealed one) in the centre, found by
    ID number; refused when the person has none."""
    number = (id_no or "").replace(" ", "").strip().upper()
    person = db.scalar(select(Person).where(Person.id_type == id_type, Person.id_no == number)) if number else None
    account = None
    if person is not None:
        for state in (AccountState.NORMAL.value, AccountState.SEALED.value):
            account = db.scalar(select(Account).where(Account.person_id == person.id, Account.state == state)
                                .order_by(Account.id.desc()).limit(1))
            if account is not None:
                break
    if account is None:
        raise BusinessError(f"证件号码{number}没有正常或封存状态的个人账户", field=field, row=row)
    return account


def department_by_name(db: Session, unit_id: int, name: str, row: int | None = None,
                       field: str = "department") -> Department:
    """The unit's department called ``name``."""
    wanted = (name or "").strip()
    department = db.scalar(select(Department).where(Department.unit_id == unit_id, Department.name == wanted)
                           .order_by(Department.id).limit(1)) if wanted else None
    if department is None:
        raise BusinessError(f"部门“{wanted}”不存在", field=field, row=row)
    return department


def department_choices(db: Session | None, unit: Unit | None) -> list[tuple[str, str]]:
    """The unit's departments as select options (value and label both the name)."""
    if db is None or unit is None or getattr(unit, "id", None) is None:
        return []
    names = db.scalars(select(Department.name).where(Department.unit_id == unit.id)
                       .order_by(Department.name)).all()
    return [(name, name) for name in dict.fromkeys(names)]


def account_count(db: Session, unit_id: int, department_id: int | None = None,
                  states: tuple[str, ...] = (AccountState.NORMAL.value, AccountState.SEALED.value)) -> int:
    """How many accounts of these states the unit (or one of its departments) has."""
    query = select(func.count(Account.id)).where(Account.unit_id == unit_id, Account.state.in_(states))
    if department_id is not None:
        query = query.where(Account.department_id == department_id)
    return db.scalar(query) or 0


def split_numbers(text: str | None) -> list[str]:
    """Account numbers typed in one field, separated by spaces, commas or semicolons
    (duplicates dropped, order kept)."""
    return list(dict.fromkeys(n for n in _SEPARATORS.split(text or "") if n))
