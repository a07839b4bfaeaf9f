"""Account services: open, seal, unseal, base and ratio changes, person changes,
internal transfer, merge and close.

Every service takes :class:`core.money.books.Books` first. It locks the unit (and then
the account) before reading what it will change, checks core's own rules and then every
plugin's (``books.check(kind, ...)``, the ``values`` named in each docstring) before it
writes anything, moves money only through :mod:`core.money.ledger`, and writes a change
record with the values before and after. A refusal raises
:class:`core.money.errors.BusinessError` naming the field; nothing has been written.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.codes import AccountState, CollectionType, IdType, UnitState
from core.contract import DepositPolicy, Violation
from core.models import Account, Department, Person, RatioChange, Unit
from core.models._columns import utcnow
from core.money import months
from core.money.errors import BusinessError, ConcurrentChange, RuleViolations
from core.money.ledger import new_flow_no, next_number, post_account, post_unit
from core.money.records import record_change, snapshot
from core.money.validation import age_on, mobile, resident_id

#: what an account's change record shows
ACCOUNT_FIELDS = ("account_no", "unit_id", "department_id", "state", "base", "unit_ratio", "personal_ratio",
                  "unit_amount", "personal_amount", "monthly_amount", "balance", "paid_to", "opened_on",
                  "sealed_on", "seal_reason", "closed_on", "merged_into_id")
PERSON_FIELDS = ("name", "id_type", "id_no", "gender", "birth_date", "phone")
UNIT_RATIO_FIELDS = ("unit_ratio", "personal_ratio")
CLOSING_STATES = {
    AccountState.CLOSED_TRANSFERRED_OUT.value: CollectionType.TRANSFER_OUT.value,
    AccountState.CLOSED_WITHDRAWN.value: CollectionType.OTHER.value,
    AccountState.OTHER.value: CollectionType.OTHER.value,
}
ZERO = Decimal("0.00")
ACCOUNT_NO_LENGTH = Account.__table__.c.account_no.type.length


# --- small helpers -----------------------------------------------------------------

def _decimal(value: Any, field: str, label: str, places: int) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal, never float")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BusinessError(f"{label}格式不对：“{value}”不是数字", field=field) from None
    if not number.is_finite():
        raise BusinessError(f"{label}格式不对", field=field)
    quantum = Decimal(1).scaleb(-places)
    if number.quantize(quantum) != number:
        raise BusinessError(f"{label}最多{places}位小数", field=field)
    return number.quantize(quantum)


def _money(value: Any, field: str = "base", label: str = "缴存基数") -> Decimal:
    return _decimal(value, field, label, 2)


def _ratio(value: Any, field: str, label: str) -> Decimal:
    return _decimal(value, field, label, 4)


def _refuse(violations: list[Violation]) -> None:
    if violations:
        raise RuleViolations(sorted(violations, key=Violation.sort_key))


def _state_label(codes, value: str) -> str:
    try:
        return codes(value).label
    except ValueError:
        return value


def _require_state(account: Account, allowed: Iterable[str], doing: str) -> None:
    allowed = tuple(allowed)
    if account.state not in allowed:
        wanted = "或".join(_state_label(AccountState, s) for s in allowed)
        raise BusinessError(f"个人账户{account.account_no}状态为“{_state_label(AccountState, account.state)}”，"
                            f"只有“{wanted}”状态的账户可以{doing}", field="state")


def _require_unit_normal(unit: Unit, doing: str, field: str = "unit_id") -> None:
    if unit.state != UnitState.NORMAL.value:
        raise BusinessError(f"单位{unit.unit_no}状态为“{_state_label(UnitState, unit.state)}”，"
                            f"只有正常状态的单位可以{doing}", field=field)


def _unit_id_of(db: Session, account_id: int) -> int:
    unit_id = db.scalar(select(Account.unit_id).where(Account.id == account_id))
    if unit_id is None:
        raise BusinessError("个人账户不存在", field="account_no")
    return unit_id


def _lock_account_and_unit(books, account_id: int) -> tuple[Account, Unit]:
    """Lock the account's unit, then the account (always in this order, so two
    operations never wait on each other crosswise)."""
    unit = books.lock_unit(_unit_id_of(books.db, account_id))
    account = books.lock_account(account_id)
    if account.unit_id != unit.id:  # moved by a transfer between our two reads
        raise ConcurrentChange("个人账户已被其他业务修改，请刷新后重试", field="account_no")
    return account, unit


def _lock_units(books, *unit_ids: int) -> dict[int, Unit]:
    """Lock several units in id order."""
    return {unit_id: books.lock_unit(unit_id) for unit_id in sorted(set(unit_ids))}


def _person(db: Session, person_id: int) -> Person:
    person = db.scalars(select(Person).where(Person.id == person_id).with_for_update()).one_or_none()
    if person is None:
        raise BusinessError("缴存人不存在", field="person_id")
    return person


def _other_normal_account(db: Session, person_id: int, but: int | None = None) -> Account | None:
    query = select(Account).where(Account.person_id == person_id, Account.state == AccountState.NORMAL.value)
    if but is not None:
        query = query.where(Account.id != but)
    return db.scalars(query.order_by(Account.id).limit(1)).first()


def _age(person: Person, day: date) -> int | None:
    return age_on(person.birth_date, day) if person.birth_date else None


def _set_amounts(account: Account, policy: DepositPolicy) -> None:
    """The account's monthly parts and amount, from its base and ratios, by the policy."""
    account.unit_amount, account.personal_amount = policy.monthly_parts(
        account.base, account.unit_ratio, account.personal_ratio)
    account.monthly_amount = policy.monthly_amount(account.base, account.unit_ratio, account.personal_ratio)


def _record_account(books, account: Account, *, business_type: str, action: str, before: dict | None,
                    unit_id: int | None = None) -> None:
    record_change(books, entity="account", entity_id=account.id, unit_id=unit_id or account.unit_id,
                  business_type=business_type, action=action, before=before,
                  after=snapshot(account, ACCOUNT_FIELDS))


def _flush(db: Session, message: str, field: str) -> None:
    """Flush, turning a unique-index clash (two operations racing) into a refusal."""
    try:
        db.flush()
    except IntegrityError as error:
        unique = getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)
        if not unique:
            raise
        raise ConcurrentChange(message, field=field) from None


def _new_account_no(db: Session, unit: Unit) -> str:
    """The unit's number and a 4-digit sequence, skipping numbers already in use."""
    while True:
        number = f"{unit.unit_no}{next_number(db, f'account:{unit.unit_no}'):04d}"
        if len(number) > ACCOUNT_NO_LENGTH:
            raise BusinessError(f"单位{unit.unit_no}的个人账号已用尽，请联系中心", field="unit_id")
        if db.scalar(select(Account.id).where(Account.account_no == number)) is None:
            return number


# --- open ------------------------------------------------------------------------

def open_account(books, unit_id: int, *, name: str, id_no: str, id_type: str = IdType.ID_CARD.value,
                 base: Decimal, phone: str | None = None, department_id: int | None = None) -> Account:
    """Open a person's account under a normal unit (个人账户设立).

    The person is found by (id_type, id_no) or registered (a registered person's name
    and phone are updated from the values given); a person with a normal account
    anywhere in the centre is refused. Ratios come from the unit, amounts from
    the policy of today's fund year. Rules kind ``open_account``, values: id_type, id_no,
    name, birth_date, gender ("1"/"2"), age, base.
    """
    db = books.db
    unit = books.lock_unit(unit_id)
    _require_unit_normal(unit, "开户")
    name = (name or "").strip()
    if not name:
        raise BusinessError("姓名不能为空", field="name")
    if len(name) > 60:
        raise BusinessError("姓名过长（最多60个字）", field="name")
    if id_type not in {t.value for t in IdType}:
        raise BusinessError(f"证件类型“{id_type}”无效", field="id_type")
    birth_date = gender = None
    if id_type == IdType.ID_CARD.value:
        identity = resident_id(id_no)
        id_no, birth_date, gender = identity.number, identity.birth_date, identity.gender
    else:
        id_no = (id_no or "").strip().upper()
        if not id_no:
            raise BusinessError("证件号码不能为空", field="id_no")
        if len(id_no) > 30:
            raise BusinessError("证件号码过长（最多30位）", field="id_no")
    base = _money(base)
    policy = books.policy()
    _refuse(policy.base_violations(base))
    phone = mobile(phone) if phone else None
    if department_id is not None:
        department = db.get(Department, department_id)
        if department is None or department.unit_id != unit.id:
            raise BusinessError("部门不存在或不属于本单位", field="department_id")

    person = db.scalars(select(Person).where(Person.id_type == id_type, Person.id_no == id_no)
                        .with_for_update()).one_or_none()
    if person is not None:
        existing = _other_normal_account(db, person.id)
        if existing is not None:
            raise BusinessError(f"证件号码{id_no}已有正常状态的个人账户{existing.account_no}，不能重复开户",
                                field="id_no")
        if birth_date is None:
            birth_date, gender = person.birth_date, person.gender
    age = age_on(birth_date, books.today) if birth_date else None
    books.check("open_account", unit_id=unit.id, account_id=None, id_type=id_type, id_no=id_no, name=name,
                birth_date=birth_date, gender=gender, age=age, base=base)

    if person is None:
        person = Person(name=name, id_type=id_type, id_no=id_no, gender=gender, birth_date=birth_date, phone=phone)
        db.add(person)
        _flush(db, f"证件号码{id_no}正由其他业务登记，请稍后重试", "id_no")
        record_change(books, entity="person", entity_id=person.id, unit_id=unit.id,
                      business_type=CollectionType.OPEN.value, action="register", before=None,
                      after=snapshot(person, PERSON_FIELDS))
    elif person.name != name or (phone and phone != person.phone):
        # the unit's list is the current word on the person: a returning person's new
        # name or phone replaces the registered one, with a record of both
        before = snapshot(person, PERSON_FIELDS)
        person.name = name
        person.phone = phone or person.phone
        record_change(books, entity="person", entity_id=person.id, unit_id=unit.id,
                      business_type=CollectionType.OPEN.value, action="update", before=before,
                      after=snapshot(person, PERSON_FIELDS))

    account = Account(account_no=_new_account_no(db, unit), person_id=person.id, unit_id=unit.id,
                      department_id=department_id, state=AccountState.NORMAL.value, base=base,
                      unit_ratio=unit.unit_ratio, personal_ratio=unit.personal_ratio, balance=ZERO,
                      paid_to=unit.paid_to, opened_on=books.today)
    _set_amounts(account, policy)
    db.add(account)
    _flush(db, f"证件号码{id_no}已有正常状态的个人账户，不能重复开户", "id_no")
    _record_account(books, account, business_type=CollectionType.OPEN.value, action="open", before=None)
    return account


# --- seal / unseal -----------------------------------------------------------------

def seal(books, account_id: int, *, reason: str) -> Account:
    """Seal a normal account (封存): deposits stop. Rules kind ``seal``, values: reason,
    balance, paid_to."""
    account, unit = _lock_account_and_unit(books, account_id)
    _require_state(account, [AccountState.NORMAL.value], "封存")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("封存原因不能为空", field="reason")
    if len(reason) > 100:
        raise BusinessError("封存原因过长（最多100个字）", field="reason")
    books.check("seal", unit_id=unit.id, account_id=account.id, reason=reason, balance=account.balance,
                paid_to=account.paid_to)
    before = snapshot(account, ACCOUNT_FIELDS)
    account.state = AccountState.SEALED.value
    account.sealed_on = books.today
    account.seal_reason = reason
    _record_account(books, account, business_type=CollectionType.SEAL.value, action="seal", before=before)
    books.db.flush()
    return account


def unseal(books, account_id: int) -> Account:
    """Unseal a sealed account (启封) under its normal unit; ratios and amounts follow the
    unit and today's policy. Refused while the person has another normal account.
    Rules kind ``unseal``, values: sealed_on, seal_month (YYYY-MM), birth_date, gender, age."""
    db = books.db
    account, unit = _lock_account_and_unit(books, account_id)
    _require_state(account, [AccountState.SEALED.value], "启封")
    _require_unit_normal(unit, "启封")
    person = _person(db, account.person_id)
    other = _other_normal_account(db, person.id, but=account.id)
    if other is not None:
        raise BusinessError(f"证件号码{person.id_no}已有正常状态的个人账户{other.account_no}，不能启封",
                            field="id_no")
    books.check("unseal", unit_id=unit.id, account_id=account.id, sealed_on=account.sealed_on,
                seal_month=months.of(account.sealed_on) if account.sealed_on else None,
                birth_date=person.birth_date, gender=person.gender, age=_age(person, books.today))
    before = snapshot(account, ACCOUNT_FIELDS)
    account.state = AccountState.NORMAL.value
    account.sealed_on = None
    account.seal_reason = None
    account.unit_ratio, account.personal_ratio = unit.unit_ratio, unit.personal_ratio
    _set_amounts(account, books.policy())
    _flush(db, f"证件号码{person.id_no}已有正常状态的个人账户，不能启封", "id_no")
    _record_account(books, account, business_type=CollectionType.UNSEAL.value, action="unseal", before=before)
    return account


# --- bases and ratios --------------------------------------------------------------

def _pending_ratio_changes(db: Session, unit_id: int) -> list[RatioChange]:
    return list(db.scalars(select(RatioChange).where(RatioChange.unit_id == unit_id,
                                                     RatioChange.status == "reviewed")
                           .order_by(RatioChange.id).with_for_update()))


def _apply_ratios(books, unit: Unit, unit_ratio: Decimal, personal_ratio: Decimal, *, action: str) -> None:
    """Give the unit and every one of its normal accounts new ratios, amounts recomputed."""
    db = books.db
    before = snapshot(unit, UNIT_RATIO_FIELDS)
    unit.unit_ratio, unit.personal_ratio = unit_ratio, personal_ratio
    record_change(books, entity="unit", entity_id=unit.id, unit_id=unit.id, business_type=CollectionType.OTHER.value,
                  action=action, before=before, after=snapshot(unit, UNIT_RATIO_FIELDS))
    policy = books.policy()
    accounts = db.scalars(select(Account).where(Account.unit_id == unit.id,
                                                Account.state == AccountState.NORMAL.value)
                          .order_by(Account.id).with_for_update())
    for account in accounts:
        if (account.unit_ratio, account.personal_ratio) == (unit_ratio, personal_ratio):
            continue
        previous = snapshot(account, ACCOUNT_FIELDS)
        account.unit_ratio, account.personal_ratio = unit_ratio, personal_ratio
        _set_amounts(account, policy)
        _record_account(books, account, business_type=CollectionType.OTHER.value, action=action, before=previous)


def _use_pending_ratio_changes(books, unit: Unit) -> None:
    """A base adjustment uses the unit's reviewed ratio changes (已复核 → 已使用)."""
    pending = _pending_ratio_changes(books.db, unit.id)
    if not pending:
        return
    latest = pending[-1]
    _apply_ratios(books, unit, latest.unit_ratio, latest.personal_ratio, action="ratio_change")
    now = utcnow()
    for change in pending:
        change.status, change.used_at = "used", now


def change_unit_ratio(books, unit_id: int, *, unit_ratio: Decimal, personal_ratio: Decimal,
                      effective_month: str) -> RatioChange:
    """Change a unit's deposit ratios (缴存比例调整) from ``effective_month``.

    The change is recorded reviewed (已复核). Under a policy whose
    ``ratio_change_applies`` is "immediately" it is applied at once to the unit and its
    normal accounts and marked used; under "with_base_adjustment" the next
    :func:`change_base` / :func:`adjust_bases` of the unit uses it. Rules kind
    ``ratio_change``, values: unit_ratio, personal_ratio, effective_month,
    old_unit_ratio, old_personal_ratio.
    """
    db = books.db
    unit = books.lock_unit(unit_id)
    if unit.state not in (UnitState.NORMAL.value, UnitState.DEFERRED.value):
        raise BusinessError(f"单位{unit.unit_no}状态为“{_state_label(UnitState, unit.state)}”，不能调整缴存比例",
                            field="unit_id")
    unit_ratio = _ratio(unit_ratio, "unit_ratio", "单位缴存比例")
    personal_ratio = _ratio(personal_ratio, "personal_ratio", "个人缴存比例")
    try:
        months.parse(effective_month)
        valid_month = len(effective_month) == 7 and 1 <= int(effective_month[5:]) <= 12
    except (ValueError, AttributeError):
        valid_month = False
    if not valid_month:
        raise BusinessError("生效年月格式应为YYYY-MM", field="effective_month")
    policy = books.policy(effective_month)
    _refuse(policy.ratio_violations(unit_ratio, personal_ratio))
    books.check("ratio_change", unit_id=unit.id, account_id=None, unit_ratio=unit_ratio,
                personal_ratio=personal_ratio, effective_month=effective_month,
                old_unit_ratio=unit.unit_ratio, old_personal_ratio=unit.personal_ratio)
    change = RatioChange(unit_id=unit.id, unit_ratio=unit_ratio, personal_ratio=personal_ratio,
                         effective_month=effective_month, status="reviewed", actor=books.actor,
                         application_id=books.application_id)
    db.add(change)
    db.flush()
    if policy.ratio_change_applies == "immediately":
        _use_pending_ratio_changes(books, unit)
    db.flush()
    return change


def _check_base_change(books, unit: Unit, account: Account, base: Any, policy: DepositPolicy) -> Decimal:
    if account.unit_id != unit.id:
        raise BusinessError(f"个人账户{account.account_no}不属于单位{unit.unit_no}", field="account_no")
    _require_state(account, [AccountState.NORMAL.value], "调整缴存基数")
    base = _money(base)
    _refuse(policy.base_violations(base))
    books.check("base_change", unit_id=unit.id, account_id=account.id, base=base, old_base=account.base)
    return base


def _set_base(books, unit: Unit, account: Account, base: Decimal, policy: DepositPolicy) -> None:
    before = snapshot(account, ACCOUNT_FIELDS)
    account.base = base
    account.unit_ratio, account.personal_ratio = unit.unit_ratio, unit.personal_ratio
    _set_amounts(account, policy)
    _record_account(books, account, business_type=CollectionType.BASE_ADJUSTMENT.value, action="base_change",
                    before=before)


def change_base(books, account_id: int, base: Decimal) -> Account:
    """Change one normal account's base (基数调整); amounts are recomputed by today's
    policy, and the unit's reviewed ratio changes are used. Rules kind ``base_change``,
    values: base, old_base."""
    account, unit = _lock_account_and_unit(books, account_id)
    policy = books.policy()
    base = _check_base_change(books, unit, account, base, policy)
    _use_pending_ratio_changes(books, unit)
    _set_base(books, unit, account, base, policy)
    books.db.flush()
    return account


def adjust_bases(books, unit_id: int, bases: dict[int, Decimal]) -> list[Account]:
    """Change many accounts' bases of one unit at once ({account id: base}); every row is
    checked first and the violations of all rows are reported together (``row`` is the
    1-based position in ``bases``). Rules kind ``base_change`` per account."""
    db = books.db
    unit = books.lock_unit(unit_id)
    if not bases:
        raise BusinessError("没有要调整的个人账户", field="bases")
    policy = books.policy()
    found: list[Violation] = []
    checked: list[tuple[Account, Decimal]] = []
    for row, (account_id, base) in enumerate(bases.items(), start=1):
        try:
            account = books.lock_account(account_id)
            checked.append((account, _check_base_change(books, unit, account, base, policy)))
        except RuleViolations as refusal:
            found += [replace(v, row=row if v.row is None else v.row) for v in refusal.violations]
        except BusinessError as refusal:
            found.append(Violation(refusal.message, field=refusal.field, row=row))
    _refuse(found)
    _use_pending_ratio_changes(books, unit)
    for account, base in checked:
        _set_base(books, unit, account, base, policy)
    db.flush()
    return [account for account, _ in checked]


# --- person --------------------------------------------------------------------------

def change_person(books, person_id: int, **fields: Any) -> Person:
    """Change a person's name, phone or ID number (个人信息变更). A new resident ID number
    is validated and gives the birth date and gender; it must not belong to another
    person. Rules kind ``person_change``, values: person_id, the changed fields and
    ``before`` (the person as it was)."""
    db = books.db
    unknown = set(fields) - {"name", "phone", "id_no"}
    if unknown:
        raise BusinessError(f"不能变更的项目：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    account = _other_normal_account(db, person_id)
    unit_id = account.unit_id if account is not None else None
    if unit_id is not None:
        books.lock_unit(unit_id)
    person = _person(db, person_id)
    changes: dict[str, Any] = {}
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise BusinessError("姓名不能为空", field="name")
        if len(name) > 60:
            raise BusinessError("姓名过长（最多60个字）", field="name")
        changes["name"] = name
    if "phone" in fields:
        changes["phone"] = mobile(fields["phone"]) if fields["phone"] else None
    if "id_no" in fields:
        if person.id_type == IdType.ID_CARD.value:
            identity = resident_id(fields["id_no"])
            changes.update(id_no=identity.number, birth_date=identity.birth_date, gender=identity.gender)
        else:
            id_no = (fields["id_no"] or "").strip().upper()
            if not id_no or len(id_no) > 30:
                raise BusinessError("证件号码不能为空且最多30位", field="id_no")
            changes["id_no"] = id_no
        if changes["id_no"] != person.id_no:
            twin = db.scalar(select(Person).where(Person.id_type == person.id_type,
                                                  Person.id_no == changes["id_no"], Person.id != person.id))
            if twin is not None:
                raise BusinessError(f"证件号码{changes['id_no']}已登记给缴存人“{twin.name}”", field="id_no")
    changes = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changes:
        return person
    before = snapshot(person, PERSON_FIELDS)
    books.check("person_change", unit_id=unit_id, account_id=account.id if account else None,
                person_id=person.id, before=before, **changes)
    for key, value in changes.items():
        setattr(person, key, value)
    _flush(db, "证件号码已被其他业务登记，请刷新后重试", "id_no")
    record_change(books, entity="person", entity_id=person.id, unit_id=unit_id,
                  business_type=CollectionType.OTHER.value, action="person_change", before=before,
                  after=snapshot(person, PERSON_FIELDS))
    return person


# --- money-moving services -----------------------------------------------------------

def _require_nothing_unpaid(db: Session, account: Account, doing: str) -> None:
    """An account in a verified but unpaid remittance or supplement keeps its unit until
    that is paid or cancelled: the payment will credit it as a member of that unit."""
    from core.models import RemittanceDetail, RemittanceVerification, Supplement, SupplementDetail

    pending = db.scalar(select(RemittanceVerification.month)
                        .join(RemittanceDetail, RemittanceDetail.verification_id == RemittanceVerification.id)
                        .where(RemittanceDetail.account_id == account.id, RemittanceVerification.status == "verified")
                        .limit(1))
    if pending is None:
        pending = db.scalar(select(Supplement.batch_no)
                            .join(SupplementDetail, SupplementDetail.supplement_id == Supplement.id)
                            .where(SupplementDetail.account_id == account.id, Supplement.status == "verified")
                            .limit(1))
    if pending is not None:
        raise BusinessError(f"个人账户{account.account_no}在未缴款的核定（{pending}）中，"
                            f"请缴款或取消核定后再办理{doing}", field="account_no")


def transfer(books, account_id: int, to_unit_id: int) -> Account:
    """Move an account to another normal unit of the centre (内部转移, type 06).

    A normal or sealed account may move; it arrives normal, with the new unit's ratios
    and today's amounts, its balance leaving the old unit's ledger and joining the new
    one's. Rules kind ``transfer``, values: from_unit_id, to_unit_id, balance, state.
    """
    db = books.db
    from_unit_id = _unit_id_of(db, account_id)
    if from_unit_id == to_unit_id:
        raise BusinessError("转入单位与转出单位相同", field="to_unit_id")
    units = _lock_units(books, from_unit_id, to_unit_id)
    old, new = units[from_unit_id], units[to_unit_id]
    account = books.lock_account(account_id)
    if account.unit_id != old.id:
        raise ConcurrentChange("个人账户已被其他业务修改，请刷新后重试", field="account_no")
    _require_state(account, [AccountState.NORMAL.value, AccountState.SEALED.value], "内部转移")
    _require_nothing_unpaid(db, account, "内部转移")
    _require_unit_normal(new, "转入个人账户", field="to_unit_id")
    person = _person(db, account.person_id)
    if account.state == AccountState.SEALED.value:
        other = _other_normal_account(db, person.id, but=account.id)
        if other is not None:
            raise BusinessError(f"证件号码{person.id_no}已有正常状态的个人账户{other.account_no}，不能转入",
                                field="id_no")
    books.check("transfer", unit_id=old.id, account_id=account.id, from_unit_id=old.id, to_unit_id=new.id,
                balance=account.balance, state=account.state)
    before = snapshot(account, ACCOUNT_FIELDS)
    business_type = CollectionType.INTERNAL_TRANSFER.value
    flow_no = new_flow_no(db, books.today)
    balance = account.balance
    post_unit(books, old, business_type=business_type, amount=-balance, flow_no=flow_no,
              summary=f"内部转出：个人账户{account.account_no}转至单位{new.unit_no}")
    post_unit(books, new, business_type=business_type, amount=balance, flow_no=flow_no,
              summary=f"内部转入：个人账户{account.account_no}由单位{old.unit_no}转入")
    post_account(books, account, new, business_type=business_type, amount=ZERO, flow_no=flow_no,
                 summary=f"内部转移：由单位{old.unit_no}转入单位{new.unit_no}，余额{balance}元随转")
    account.unit_id = new.id
    account.department_id = None
    account.state = AccountState.NORMAL.value
    account.sealed_on = account.seal_reason = None
    account.unit_ratio, account.personal_ratio = new.unit_ratio, new.personal_ratio
    _set_amounts(account, books.policy())
    _flush(db, f"证件号码{person.id_no}已有正常状态的个人账户，不能转入", "id_no")
    _record_account(books, account, business_type=business_type, action="transfer", before=before,
                    unit_id=new.id)
    return account


def merge(books, from_account_id: int, into_account_id: int) -> Account:
    """Merge one of a person's accounts into another of the same person (个人账户合并):
    the balance moves, and the first account is closed as merged (state 03). Rules kind
    ``merge``, values: into_account_id, balance. Returns the account merged into."""
    db = books.db
    if from_account_id == into_account_id:
        raise BusinessError("不能把个人账户合并到它自己", field="into_account_id")
    units = _lock_units(books, _unit_id_of(db, from_account_id), _unit_id_of(db, into_account_id))
    first, second = sorted((from_account_id, into_account_id))
    locked = {first: books.lock_account(first), second: books.lock_account(second)}
    source, target = locked[from_account_id], locked[into_account_id]
    if source.unit_id not in units or target.unit_id not in units:
        raise ConcurrentChange("个人账户已被其他业务修改，请刷新后重试", field="account_no")
    if source.person_id != target.person_id:
        raise BusinessError(f"个人账户{source.account_no}与{target.account_no}不属于同一缴存人，不能合并",
                            field="into_account_id")
    live = [AccountState.NORMAL.value, AccountState.SEALED.value]
    _require_state(source, live, "合并")
    _require_nothing_unpaid(db, source, "合并")
    _require_state(target, live, "作为合并的目标")
    books.check("merge", unit_id=source.unit_id, account_id=source.id, into_account_id=target.id,
                balance=source.balance)
    source_unit, target_unit = units[source.unit_id], units[target.unit_id]
    before_source, before_target = snapshot(source, ACCOUNT_FIELDS), snapshot(target, ACCOUNT_FIELDS)
    business_type = CollectionType.OTHER.value
    flow_no = new_flow_no(db, books.today)
    balance = source.balance
    post_account(books, source, source_unit, business_type=business_type, amount=-balance, flow_no=flow_no,
                 summary=f"个人账户合并：转入个人账户{target.account_no}")
    post_account(books, target, target_unit, business_type=business_type, amount=balance, flow_no=flow_no,
                 summary=f"个人账户合并：由个人账户{source.account_no}转入")
    if source_unit.id != target_unit.id:
        post_unit(books, source_unit, business_type=business_type, amount=-balance, flow_no=flow_no,
                  summary=f"个人账户合并：{source.account_no}转入{target.account_no}")
        post_unit(books, target_unit, business_type=business_type, amount=balance, flow_no=flow_no,
                  summary=f"个人账户合并：{source.account_no}转入{target.account_no}")
    source.state = AccountState.CLOSED_MERGED.value
    source.closed_on = books.today
    source.merged_into_id = target.id
    db.flush()
    _record_account(books, source, business_type=business_type, action="merge_out", before=before_source)
    _record_account(books, target, business_type=business_type, action="merge_in", before=before_target)
    return target


def close(books, account_id: int, *, state: str, reason: str) -> Account:
    """Close an account (销户) as 04 外部转出, 05 提取 or 99 其他, paying out its balance
    (business type 07 for 04, 99 otherwise). Rules kind ``close``, values: state,
    reason, balance."""
    db = books.db
    if state not in CLOSING_STATES:
        raise BusinessError("销户类型应为04（外部转出销户）、05（提取销户）或99（其他）", field="state")
    account, unit = _lock_account_and_unit(books, account_id)
    _require_state(account, [AccountState.NORMAL.value, AccountState.SEALED.value], "销户")
    _require_nothing_unpaid(books.db, account, "销户")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("销户原因不能为空", field="reason")
    books.check("close", unit_id=unit.id, account_id=account.id, state=state, reason=reason,
                balance=account.balance)
    before = snapshot(account, ACCOUNT_FIELDS)
    business_type = CLOSING_STATES[state]
    flow_no = new_flow_no(db, books.today)
    balance = account.balance
    summary = f"{_state_label(AccountState, state)}：{reason}"[:200]
    post_account(books, account, unit, business_type=business_type, amount=-balance, flow_no=flow_no,
                 summary=summary)
    post_unit(books, unit, business_type=business_type, amount=-balance, flow_no=flow_no,
              summary=f"个人账户{account.account_no}{summary}"[:200])
    account.state = state
    account.closed_on = books.today
    db.flush()
    record_change(books, entity="account", entity_id=account.id, unit_id=unit.id, business_type=business_type,
                  action="close", before=before, after={**snapshot(account, ACCOUNT_FIELDS), "reason": reason})
    return account
