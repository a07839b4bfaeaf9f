"""What the standard vouchers of core's items say (the Jincheng manual's 凭证 and 清册).

Each data function works on a draft (the form and 清册 as typed, the accounts as they
are now: a unit may print before it submits) and on a completed application (its result,
the accounts it linked and the change records it left). IDs are masked as everywhere in
the hall; amounts stay :class:`~decimal.Decimal` (the renderer prints two decimals).
A monthly amount not yet fixed by the engine is computed with the centre's deposit
policy when the printing service made it available (:func:`for_centre`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import colander
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.codes import AccountState
from core.contract import DepositPolicy
from core.models import (
    Account,
    Application,
    ChangeRecord,
    Person,
    RemittanceDetail,
    RemittanceVerification,
    Supplement,
    SupplementDetail,
    Unit,
)
from core.money import months
from core.web.display import mask_id, percent

NORMAL = AccountState.NORMAL.value
LIVE = (AccountState.NORMAL.value, AccountState.SEALED.value)
_RUNTIME: ContextVar[Any] = ContextVar("opengjj_voucher_runtime", default=None)
CHANGE_TYPES = {"added": "增加", "removed": "减少", "base": "基数变更"}
PERSON_FIELDS = (("name", "姓名"), ("id_no", "证件号码"), ("phone", "手机号码"))
SUPPLEMENT_KINDS = {"by_month": "按月补缴", "free": "不定额补缴"}


@contextmanager
def for_centre(runtime) -> Iterator[None]:
    """Let the data functions use ``runtime``'s deposit policy while a voucher is made."""
    token = _RUNTIME.set(runtime)
    try:
        yield
    finally:
        _RUNTIME.reset(token)


def policy() -> DepositPolicy | None:
    runtime = _RUNTIME.get()
    return runtime.policy(months.fund_year_of(date.today())) if runtime is not None else None


# --- helpers ---------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value in (None, colander.null) or not str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """A typed amount ("5000", "5,000.00") as Decimal; blank or not a number: None."""
    if isinstance(value, Decimal):
        return value
    if _blank(value):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _ratio(value: Any) -> Decimal | None:
    """A ratio typed as a percentage ("12" or "12%") as a fraction."""
    number = _decimal(str(value).rstrip("%") if not _blank(value) else None)
    return None if number is None else (number / 100).quantize(Decimal("0.0001"))


def _monthly(base: Decimal | None, unit: Unit | None) -> Decimal | None:
    """What the engine would set as the monthly amount for ``base`` at the unit's ratios."""
    rules = policy()
    if rules is None or base is None or unit is None:
        return None
    return rules.monthly_amount(base, unit.unit_ratio, unit.personal_ratio)


def _lines(application: Application) -> list[dict]:
    return [dict(row.data or {}) for row in application.rows]


def _form_or_rows(application: Application, key: str) -> list[dict]:
    """The 清册's lines, or the single form's values as one line (an item a city turns
    from one into the other prints the same)."""
    lines = _lines(application)
    data = application.data or {}
    return lines or ([dict(data)] if not _blank(data.get(key)) else [])


def _accounts(db: Session, numbers) -> dict[str, tuple[Account, Person]]:
    wanted = {str(n).strip() for n in numbers if not _blank(n)}
    if not wanted:
        return {}
    found = db.execute(select(Account, Person).join(Person, Person.id == Account.person_id)
                       .where(Account.account_no.in_(wanted)))
    return {account.account_no: (account, person) for account, person in found}


def _by_id(db: Session, ids) -> dict[int, tuple[Account, Person]]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    found = db.execute(select(Account, Person).join(Person, Person.id == Account.person_id)
                       .where(Account.id.in_(ids)))
    return {account.id: (account, person) for account, person in found}


def _changes(db: Session, application: Application, entity: str, action: str | None = None) -> dict[int, ChangeRecord]:
    """The change records the application left on ``entity``, by entity id (the first
    record of each: its ``before`` is the value before the application)."""
    query = select(ChangeRecord).where(ChangeRecord.application_id == application.id, ChangeRecord.entity == entity)
    if action is not None:
        query = query.where(ChangeRecord.action == action)
    found: dict[int, ChangeRecord] = {}
    for record in db.scalars(query.order_by(ChangeRecord.id)):
        found.setdefault(record.entity_id, record)
    return found


def no_table(db: Session, application: Application) -> list[dict]:
    """For a voucher that is a header only (not the item's 清册)."""
    return []


def count(db: Session, application: Application) -> dict[str, Any]:
    """The number of 清册 lines (people or changed items)."""
    return {"count": str(len(application.rows))}


# --- 单位缴存登记信息变更凭证 -------------------------------------------------------------------

def unit_change_rows(db: Session, application: Application) -> list[dict]:
    return [{"label": line.get("label") or line.get("field", ""), "before": line.get("before", ""),
             "after": line.get("after", "")} for line in _lines(application)]


# --- 缴存比例调整凭证 ---------------------------------------------------------------------------

def ratio_values(db: Session, application: Application) -> dict[str, Any]:
    """The ratios before (the unit's now, or what the application's change replaced) and after."""
    unit = db.get(Unit, application.unit_id)
    data = application.data or {}
    record = _changes(db, application, "unit", "ratio_change").get(application.unit_id)
    before = record.before if record is not None and record.before else {}
    old_unit = _decimal(before.get("unit_ratio")) if before else unit.unit_ratio
    old_personal = _decimal(before.get("personal_ratio")) if before else unit.personal_ratio
    return {"old_unit_ratio": percent(old_unit), "new_unit_ratio": percent(_ratio(data.get("unit_ratio"))),
            "old_personal_ratio": percent(old_personal),
            "new_personal_ratio": percent(_ratio(data.get("personal_ratio"))),
            "effective_month": data.get("effective_month", "")}


# --- 住房公积金个人账户设立登记表 ----------------------------------------------------------------

def opening_rows(db: Session, application: Application) -> list[dict]:
    """Each person to open: the monthly amount by the policy until the account exists,
    then the account's own figures and number."""
    unit = db.get(Unit, application.unit_id)
    opened = _by_id(db, [row.account_id for row in application.rows])
    out = []
    for row in application.rows:
        line = row.data or {}
        account = opened.get(row.account_id, (None, None))[0]
        base = account.base if account is not None else _decimal(line.get("base"))
        out.append({"name": line.get("name", ""), "id_no": mask_id(line.get("id_no")), "base": base,
                    "monthly_amount": account.monthly_amount if account is not None else _monthly(base, unit),
                    "account_no": account.account_no if account is not None else ""})
    return out


def opening_values(db: Session, application: Application) -> dict[str, Any]:
    unit = db.get(Unit, application.unit_id)
    return {**count(db, application), "unit_ratio": percent(unit.unit_ratio),
            "personal_ratio": percent(unit.personal_ratio)}


# --- 缴存人账户启封清册 --------------------------------------------------------------------------

def unseal_rows(db: Session, application: Application) -> list[dict]:
    unit = db.get(Unit, application.unit_id)
    lines = _lines(application)
    found = _accounts(db, [line.get("account_no") for line in lines])
    done = application.effect_applied_at is not None
    out = []
    for line in lines:
        account, person = found.get(str(line.get("account_no", "")).strip(), (None, None))
        base = _decimal(line.get("base")) or (account.base if account is not None else None)
        monthly = account.monthly_amount if done and account is not None else _monthly(base, unit)
        out.append({"account_no": line.get("account_no", ""), "name": person.name if person else "",
                    "id_no": mask_id(person.id_no) if person else "", "base": base, "monthly_amount": monthly})
    return out


# --- 缴存人基数调整清册 --------------------------------------------------------------------------

def base_rows(db: Session, application: Application) -> list[dict]:
    """Old and new base and monthly amount: from the change records once done."""
    unit = db.get(Unit, application.unit_id)
    lines = _lines(application)
    found = _accounts(db, [line.get("account_no") for line in lines])
    records = _changes(db, application, "account", "base_change")
    out = []
    for line in lines:
        account, person = found.get(str(line.get("account_no", "")).strip(), (None, None))
        record = records.get(account.id) if account is not None else None
        if record is not None:
            old_base, new_base = _decimal(record.before.get("base")), _decimal(record.after.get("base"))
            old_amount = _decimal(record.before.get("monthly_amount"))
            new_amount = _decimal(record.after.get("monthly_amount"))
        else:
            new_base = _decimal(line.get("base"))
            old_base = account.base if account is not None else None
            old_amount = account.monthly_amount if account is not None else None
            new_amount = _monthly(new_base, unit)
        out.append({"account_no": line.get("account_no", ""), "name": person.name if person else "",
                    "old_base": old_base, "new_base": new_base, "old_amount": old_amount, "new_amount": new_amount})
    return out


# --- 缴存单位汇缴办理清册 / 住房公积金汇缴变更清册 ---------------------------------------------------

def _batch(db: Session, application: Application) -> list[RemittanceVerification]:
    batch = (application.result or {}).get("batch_no")
    if not batch:
        return []
    return list(db.scalars(select(RemittanceVerification).where(
        RemittanceVerification.batch_no == batch, RemittanceVerification.unit_id == application.unit_id)
        .order_by(RemittanceVerification.month)))


def _detail_lines(db: Session, verification_id: int) -> dict[int, tuple]:
    found = db.execute(select(RemittanceDetail.account_id, RemittanceDetail.base, RemittanceDetail.unit_amount,
                              RemittanceDetail.personal_amount, RemittanceDetail.amount)
                       .where(RemittanceDetail.verification_id == verification_id))
    return {row[0]: tuple(row[1:]) for row in found}


def _current_lines(db: Session, application: Application) -> tuple[dict[int, tuple], str | None]:
    """The lines the batch fixed (its first month), or — before it is verified — the unit's
    normal accounts now, as verification would snapshot them; and the first month."""
    verified = _batch(db, application)
    if verified:
        return _detail_lines(db, verified[0].id), verified[0].month
    found = db.execute(select(Account.id, Account.base, Account.unit_amount, Account.personal_amount,
                              Account.monthly_amount)
                       .where(Account.unit_id == application.unit_id, Account.state == NORMAL))
    month = (application.data or {}).get("month") or None
    return {row[0]: tuple(row[1:]) for row in found}, month


def remittance_register_rows(db: Session, application: Application) -> list[dict]:
    """Per person: account, name, base and the unit's and personal monthly amounts."""
    lines, _ = _current_lines(db, application)
    people = _by_id(db, lines)
    rows = []
    for account_id, (base, unit_amount, personal_amount, amount) in lines.items():
        account, person = people.get(account_id, (None, None))
        rows.append({"account_no": account.account_no if account else "", "name": person.name if person else "",
                     "base": base, "unit_amount": unit_amount, "personal_amount": personal_amount, "amount": amount})
    return sorted(rows, key=lambda row: row["account_no"])


def _previous(db: Session, application: Application, month: str | None) -> RemittanceVerification | None:
    query = select(RemittanceVerification).where(RemittanceVerification.unit_id == application.unit_id,
                                                 RemittanceVerification.status != "cancelled")
    if month:
        query = query.where(RemittanceVerification.month < month)
    batch = (application.result or {}).get("batch_no")
    if batch:
        query = query.where(RemittanceVerification.batch_no != batch)
    return db.scalars(query.order_by(RemittanceVerification.month.desc()).limit(1)).first()


def _remittance_changes(db: Session, application: Application) -> tuple[list[dict], RemittanceVerification | None]:
    current, month = _current_lines(db, application)
    previous = _previous(db, application, month)
    before = _detail_lines(db, previous.id) if previous is not None else {}
    people = _by_id(db, set(current) | set(before))
    rows = []
    for account_id in set(current) | set(before):
        old, new = before.get(account_id), current.get(account_id)
        if old is not None and new is not None and old[0] == new[0] and old[3] == new[3]:
            continue
        kind = "added" if old is None else "removed" if new is None else "base"
        account, person = people.get(account_id, (None, None))
        rows.append({"account_no": account.account_no if account else "", "name": person.name if person else "",
                     "change": CHANGE_TYPES[kind], "old_base": old[0] if old else None,
                     "new_base": new[0] if new else None, "old_amount": old[3] if old else None,
                     "new_amount": new[3] if new else None})
    return sorted(rows, key=lambda row: (row["change"], row["account_no"])), previous


def remittance_change_rows(db: Session, application: Application) -> list[dict]:
    """Persons added, removed or whose base changed since the previous verification."""
    return _remittance_changes(db, application)[0]


def remittance_change_values(db: Session, application: Application) -> dict[str, Any]:
    rows, previous = _remittance_changes(db, application)
    kinds = [row["change"] for row in rows]
    return {"previous_month": previous.month if previous is not None else "（首次核定）",
            "added": str(kinds.count(CHANGE_TYPES["added"])), "removed": str(kinds.count(CHANGE_TYPES["removed"])),
            "changed": str(kinds.count(CHANGE_TYPES["base"])),
            "batch_no": (application.result or {}).get("batch_no", "")}


# --- 缴存单位补缴办理凭证 / 缴存单位补缴清册 ----------------------------------------------------------

def _supplement(db: Session, application: Application) -> Supplement | None:
    batch = (application.result or {}).get("batch_no")
    if not batch:
        return None
    return db.scalars(select(Supplement).where(Supplement.batch_no == batch)).first()


def supplement_rows(db: Session, application: Application) -> list[dict]:
    """The verified lines once done; before, the typed lines (按月补缴 at the account's base
    and ratios by the policy, 不定额 as typed)."""
    verified = _supplement(db, application)
    if verified is not None:
        details = list(db.scalars(select(SupplementDetail).where(SupplementDetail.supplement_id == verified.id)
                                  .order_by(SupplementDetail.id)))
        people = _by_id(db, [d.account_id for d in details])
        rows = []
        for d in details:
            account, person = people.get(d.account_id, (None, None))
            rows.append({"account_no": account.account_no if account else "", "name": person.name if person else "",
                         "month": d.month or "", "base": d.base, "unit_amount": d.unit_amount,
                         "personal_amount": d.personal_amount, "amount": d.amount})
        return rows
    by_month = (application.data or {}).get("kind") == "by_month"
    lines = _lines(application)
    found = _accounts(db, [line.get("account_no") for line in lines])
    rules = policy()
    rows = []
    for line in lines:
        account, person = found.get(str(line.get("account_no", "")).strip(), (None, None))
        row = {"account_no": line.get("account_no", ""), "name": person.name if person else "",
               "month": line.get("month", ""), "base": None, "unit_amount": None, "personal_amount": None,
               "amount": _decimal(line.get("amount"))}
        if by_month and account is not None and rules is not None:
            parts = rules.monthly_parts(account.base, account.unit_ratio, account.personal_ratio)
            row.update(base=account.base, unit_amount=parts[0], personal_amount=parts[1], amount=sum(parts))
        rows.append(row)
    return rows


def supplement_values(db: Session, application: Application) -> dict[str, Any]:
    data = application.data or {}
    verified = _supplement(db, application)
    if verified is not None:
        kind, reason, headcount, amount = verified.kind, verified.reason, verified.headcount, verified.amount
    else:
        rows = supplement_rows(db, application)
        kind, reason = data.get("kind", ""), data.get("reason", "")
        headcount = len({row["account_no"] for row in rows})
        amount = sum((row["amount"] or Decimal(0) for row in rows), Decimal("0.00"))
    return {"batch_no": (application.result or {}).get("batch_no", ""), "kind": SUPPLEMENT_KINDS.get(kind, kind),
            "reason": reason, "headcount": str(headcount), "amount": amount}


# --- 超龄缴存登记凭证 ---------------------------------------------------------------------------

def over_age_rows(db: Session, application: Application) -> list[dict]:
    lines = _lines(application)
    found = _accounts(db, [line.get("account_no") for line in lines])
    rows = []
    for line in lines:
        person = found.get(str(line.get("account_no", "")).strip(), (None, None))[1]
        rows.append({"account_no": line.get("account_no", ""), "name": person.name if person else "",
                     "id_no": mask_id(person.id_no) if person else "",
                     "birth_date": person.birth_date.isoformat() if person and person.birth_date else "",
                     "until_month": line.get("until_month", "")})
    return rows


# --- 同城转移清册 -------------------------------------------------------------------------------

def _transfer_account(db: Session, line: dict) -> tuple[Account | None, Person | None]:
    if not _blank(line.get("account_no")):
        return _accounts(db, [line["account_no"]]).get(str(line["account_no"]).strip(), (None, None))
    if _blank(line.get("id_no")):
        return None, None
    found = db.execute(select(Account, Person).join(Person, Person.id == Account.person_id)
                       .where(Person.id_no == str(line["id_no"]).strip().upper(), Account.state.in_(LIVE))
                       .order_by(Account.state).limit(1)).first()
    return (found[0], found[1]) if found else (None, None)


def transfer_rows(db: Session, application: Application) -> list[dict]:
    """Each account moved in: the unit it leaves and the balance that moves with it (as
    recorded by the transfer once done)."""
    records = _changes(db, application, "account", "transfer")
    rows = []
    for row in application.rows:
        line = row.data or {}
        account, person = _transfer_account(db, line)
        record = records.get(account.id) if account is not None else None
        from_unit_id = int(record.before["unit_id"]) if record is not None else getattr(account, "unit_id", None)
        from_unit = db.get(Unit, from_unit_id) if from_unit_id is not None else None
        balance = _decimal(record.before.get("balance")) if record is not None else getattr(account, "balance", None)
        rows.append({"name": line.get("name", ""), "id_no": mask_id(person.id_no if person else line.get("id_no")),
                     "account_no": account.account_no if account else line.get("account_no", ""),
                     "from_unit": f"{from_unit.unit_no} {from_unit.name}" if from_unit else "", "balance": balance})
    return rows


# --- 错缴调整申请凭证 ---------------------------------------------------------------------------

def mispayment_rows(db: Session, application: Application) -> list[dict]:
    """One line per adjustment, from the 清册 or from the single form."""
    lines = _form_or_rows(application, "from_account_no")
    found = _accounts(db, [n for line in lines for n in (line.get("from_account_no"), line.get("to_account_no"))])

    def name(number: Any) -> str:
        person = found.get(str(number or "").strip(), (None, None))[1]
        return person.name if person is not None else ""

    return [{"from_account_no": line.get("from_account_no", ""), "from_name": name(line.get("from_account_no")),
             "to_account_no": line.get("to_account_no", ""), "to_name": name(line.get("to_account_no")),
             "month": line.get("month", ""), "amount": _decimal(line.get("amount")), "reason": line.get("reason", "")}
            for line in lines]


def mispayment_values(db: Session, application: Application) -> dict[str, Any]:
    return {"count": str(len(_form_or_rows(application, "from_account_no"))),
            "flow_no": (application.result or {}).get("flow_no", "")}


# --- 缴存人基本信息变更凭证 ------------------------------------------------------------------------

def _shown_person_value(field: str, value: Any) -> str:
    text = "" if _blank(value) else str(value)
    return mask_id(text) if field == "id_no" else text


def person_change_rows(db: Session, application: Application) -> list[dict]:
    """One line per changed field: before (the person now, or the change record's
    ``before`` once done) and after."""
    lines = _form_or_rows(application, "account_no")
    found = _accounts(db, [line.get("account_no") for line in lines])
    records = _changes(db, application, "person")
    rows = []
    for line in lines:
        account, person = found.get(str(line.get("account_no", "")).strip(), (None, None))
        record = records.get(person.id) if person is not None else None
        for field, title in PERSON_FIELDS:
            if _blank(line.get(field)):
                continue
            before = record.before.get(field) if record is not None else getattr(person, field, "")
            rows.append({"account_no": line.get("account_no", ""),
                         "name": (record.before.get("name") if record is not None else getattr(person, "name", ""))
                         or "", "item": title, "before": _shown_person_value(field, before),
                         "after": _shown_person_value(field, line.get(field))})
    return rows


def person_change_values(db: Session, application: Application) -> dict[str, Any]:
    return {"count": str(len(_form_or_rows(application, "account_no")))}

