"""Small shared look-ups for item effects and schemas.

Each look-up either returns what was asked for or raises
:class:`core.money.errors.BusinessError` with a Chinese message naming the field and,
for a 清册 line, the 1-based row, so the hall can show it next to the value. The
functions are stable: other item modules import them.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.codes import AccountState, IdType
from core.contract import Violation
from core.models import Account, Department, Person, Unit
from core.money.books import Books
from core.money.errors import BusinessError, ConcurrentChange, RuleViolations

T = TypeVar("T")

#: separators accepted between account numbers typed in one field
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def account_in_unit(db: Session, unit_id: int, account_no: str, row: int | None = None,
                    field: str = "account_no") -> Account:
    """The account numbered ``account_no`` of the unit ``unit_id``; refused when it does
    not exist or belongs to another unit (``field`` names the form field)."""
    number = (account_no or "").strip()
    account = db.scalar(select(Account).where(Account.account_no == number)) if number else None
    if account is None or account.unit_id != unit_id:
        raise BusinessError(f"个人账号{number}不存在或不属于本单位", field=field, row=row)
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


def department_select(kw: dict, title: str = "部门", missing=None):
    """A select of the bound unit's departments (for a schema's ``after_bind``)."""
    from core.items import fields

    return fields.select(title, department_choices(kw.get("db"), kw.get("unit")), missing=missing)


def duplicates(rows: list[dict], key: str, label: str) -> list[Violation]:
    """The 清册 lines repeating an earlier line's ``key`` (blank values are ignored)."""
    seen: dict[str, int] = {}
    found: list[Violation] = []
    for number, row in enumerate(rows, start=1):
        value = str(row.get(key) or "").strip().upper()
        if not value:
            continue
        if value in seen:
            found.append(Violation(f"{label}{value}与第{seen[value]}行重复", field=key, row=number))
        else:
            seen[value] = number
    return found


def refuse_duplicates(rows: list[dict], key: str, label: str) -> None:
    """Refuse 清册 lines repeating an earlier line's ``key``."""
    found = duplicates(rows, key, label)
    if found:
        raise RuleViolations(found)


def apply_rows(books: Books, rows: list[dict], apply: Callable[[int, dict], T],
               refused: Iterable[Violation] = ()) -> list[T]:
    """Apply ``apply(row_no, row)`` to every 清册 line and report the refusals of all
    lines together, each violation carrying its 1-based row.

    ``refused`` are violations already found (e.g. :func:`duplicates`): their lines are
    skipped and reported with the others. The money engine refuses before it writes,
    and when any line is refused the whole effect is refused, so the engine's
    transaction rolls back the lines that went through too (no savepoint per line is
    needed). A :class:`ConcurrentChange` is raised at once: the caller retries the
    whole effect.
    """
    found = list(refused)
    skip = {v.row for v in found}
    results: list[T] = []
    for number, row in enumerate(rows, start=1):
        if number in skip:
            continue
        try:
            results.append(apply(number, row))
        except ConcurrentChange:
            raise
        except BusinessError as refusal:
            found += [replace(v, row=number if v.row is None else v.row) for v in refusal.violations]
    if found:
        raise RuleViolations(sorted(found, key=Violation.sort_key))
    return results


def link_rows(application, account_ids: dict[int, int]) -> None:
    """Note on the application's stored 清册 lines which account each one concerns
    ({row number: account id}), for the queries by account."""
    for stored in getattr(application, "rows", None) or ():
        if stored.row_no in account_ids:
            stored.account_id = account_ids[stored.row_no]
