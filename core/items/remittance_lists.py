"""汇缴's three lists, exported from the item page (Jincheng manual 11.2):

- 缴存人汇缴明细清册: every normal account of the unit with its base, ratios and monthly
  parts, exactly the lines a verification would snapshot now;
- 汇缴核定变更清册: what changed since the unit's previous (not cancelled) verification,
  read from the change records the money engine wrote (open, seal, unseal, base and
  ratio changes, transfers in and out, merges, closures);
- 汇缴缴存人超龄清册: the persons of those lines past retirement age, with their 超龄缴存登记.

Each export is ``export(db, unit, application) -> (columns, rows)``; money is Decimal.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.contract import Operation
from core.models import Account, Application, ChangeRecord, OverAgeRegistration, Person, RemittanceVerification, Unit
from core.money import remittance
from core.money.rules.accounts import age_limits
from core.money.validation import age_on
from core.passwords import CHINA
from core.web.display import local_time, mask_id

Columns = tuple[tuple[str, str], ...]
ZERO = Decimal("0.00")
NORMAL = "01"

DETAIL_COLUMNS: Columns = (
    ("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("base", "缴存基数"),
    ("unit_ratio", "单位缴存比例"), ("personal_ratio", "个人缴存比例"), ("unit_amount", "单位月缴存额"),
    ("personal_amount", "个人月缴存额"), ("amount", "月缴存额合计"))

CHANGE_COLUMNS: Columns = (
    ("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("change", "变更类型"),
    ("changed_at", "变更时间"), ("base_before", "变更前缴存基数"), ("base_after", "变更后缴存基数"),
    ("amount_before", "变更前月缴存额"), ("amount_after", "变更后月缴存额"))

OVER_AGE_COLUMNS: Columns = (
    ("account_no", "个人账号"), ("name", "姓名"), ("id_no", "证件号码"), ("gender", "性别"),
    ("birth_date", "出生日期"), ("age", "年龄"), ("amount", "月缴存额"), ("registered", "是否超龄缴存登记"),
    ("until_month", "超龄缴存截止年月"))

#: the account change records that change what the unit remits, with their 变更类型
CHANGE_TYPES = {
    "open": "开户", "seal": "封存", "unseal": "启封", "base_change": "基数调整",
    "annual_verification": "年度基数调整", "ratio_change": "比例调整", "transfer": "转移",
    "merge_out": "合并转出", "merge_in": "合并转入", "close": "销户",
}
GENDERS = {"1": "男", "2": "女"}


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{(ratio * 100).normalize():f}%"


def _today() -> date:
    return datetime.now(CHINA).date()


# --- 缴存人汇缴明细清册 ---------------------------------------------------------------------

def remittance_details(db: Session, unit: Unit, application: Application | None = None) -> tuple[Columns, list]:
    """The lines a verification would fix now: the engine's own selection of the unit's
    normal accounts, whose amounts the engine computed by the centre's policy."""
    lines = remittance._normal_lines(unit.id).subquery("lines")
    found = db.execute(
        select(Account.account_no, Person.name, Person.id_no, lines.c.base, Account.unit_ratio,
               Account.personal_ratio, lines.c.unit_amount, lines.c.personal_amount, lines.c.amount)
        .join(Account, Account.id == lines.c.account_id).join(Person, Person.id == Account.person_id)
        .order_by(Account.account_no)).all()
    rows = [{"account_no": r.account_no, "name": r.name, "id_no": mask_id(r.id_no), "base": r.base,
             "unit_ratio": _percent(r.unit_ratio), "personal_ratio": _percent(r.personal_ratio),
             "unit_amount": r.unit_amount, "personal_amount": r.personal_amount, "amount": r.amount}
            for r in found]
    return DETAIL_COLUMNS, rows


# --- 汇缴核定变更清册 -----------------------------------------------------------------------

def previous_verification(db: Session, unit_id: int) -> RemittanceVerification | None:
    """The unit's latest verification that was not cancelled."""
    return db.scalars(select(RemittanceVerification).where(
        RemittanceVerification.unit_id == unit_id, RemittanceVerification.status != "cancelled")
        .order_by(RemittanceVerification.created_at.desc(), RemittanceVerification.id.desc()).limit(1)).first()


def _remitted(snapshot: dict | None, unit_id: int) -> tuple[Decimal | None, Decimal | None]:
    """An account's base in a change record's snapshot, and the monthly amount it then
    remits for the unit (None when it is not then a normal account of the unit)."""
    if not snapshot:
        return None, None
    base = Decimal(snapshot["base"]) if snapshot.get("base") is not None else None
    # the annual verification's snapshots carry only the amounts, of normal accounts of the unit;
    # a snapshot without the amount (loaded history) tells nothing about the remittance
    if snapshot.get("state", NORMAL) != NORMAL or int(snapshot.get("unit_id", unit_id)) != unit_id \
            or snapshot.get("monthly_amount") is None:
        return base, None
    return base, Decimal(snapshot["monthly_amount"])


def _change_title(record: ChangeRecord, unit_id: int) -> str:
    if record.action == "transfer":
        return "转入" if int((record.after or {}).get("unit_id", unit_id)) == unit_id else "转出"
    return CHANGE_TYPES[record.action]


def remittance_changes(db: Session, unit: Unit, application: Application | None = None) -> tuple[Columns, list]:
    """The change records of the unit's accounts since its previous verification that
    change what it remits, oldest first, with the monthly amount before and after."""
    previous = previous_verification(db, unit.id)
    # a transfer's record belongs to the receiving unit: the giving unit finds it by the account
    query = (select(ChangeRecord, Account.account_no, Person.name, Person.id_no)
             .join(Account, Account.id == ChangeRecord.entity_id).join(Person, Person.id == Account.person_id)
             .where(ChangeRecord.entity == "account", ChangeRecord.action.in_(CHANGE_TYPES),
                    or_(ChangeRecord.unit_id == unit.id, ChangeRecord.action == "transfer")))
    if previous is not None:
        query = query.where(ChangeRecord.created_at > previous.created_at)
    rows = []
    for record, account_no, name, id_no in db.execute(query.order_by(ChangeRecord.created_at, ChangeRecord.id)):
        base_before, before = _remitted(record.before, unit.id)
        base_after, after = _remitted(record.after, unit.id)
        if before is None and after is None:
            continue  # another unit's transfer, or a sealed account moving away: nothing remitted
        if (base_before, before) == (base_after, after):
            continue
        rows.append({"account_no": account_no, "name": name, "id_no": mask_id(id_no),
                     "change": _change_title(record, unit.id), "changed_at": local_time(record.created_at),
                     "base_before": base_before, "base_after": base_after,
                     "amount_before": before or ZERO, "amount_after": after or ZERO})
    return CHANGE_COLUMNS, rows


# --- 汇缴缴存人超龄清册 ---------------------------------------------------------------------

def past_retirement(birth_date: date | None, gender: str | None, today: date) -> bool:
    """Past the statutory retirement age, by core's age rule
    (:func:`core.money.rules.accounts.age_limits`, its default ages)."""
    if birth_date is None:
        return False
    operation = Operation(kind="open_account", unit_id=None, account_id=None, today=today,
                          values={"birth_date": birth_date, "gender": gender})
    return bool(age_limits(operation, min_age=0))


def remittance_over_age(db: Session, unit: Unit, application: Application | None = None,
                        today: date | None = None) -> tuple[Columns, list]:
    """The persons of the remittance's lines past retirement age, with their active
    超龄缴存登记 (and until when) if they have one."""
    today = today or _today()
    lines = remittance._normal_lines(unit.id).subquery("lines")
    found = db.execute(
        select(Account.id, Account.account_no, Person.name, Person.id_no, Person.gender, Person.birth_date,
               lines.c.amount)
        .join(Account, Account.id == lines.c.account_id).join(Person, Person.id == Account.person_id)
        .order_by(Account.account_no)).all()
    over = [r for r in found if past_retirement(r.birth_date, r.gender, today)]
    registered = dict(db.execute(select(OverAgeRegistration.account_id, OverAgeRegistration.until_month).where(
        OverAgeRegistration.account_id.in_([r.id for r in over]), OverAgeRegistration.status == "active")).all()) \
        if over else {}
    rows: list[dict[str, Any]] = [
        {"account_no": r.account_no, "name": r.name, "id_no": mask_id(r.id_no), "gender": GENDERS.get(r.gender, ""),
         "birth_date": r.birth_date.isoformat(), "age": age_on(r.birth_date, today), "amount": r.amount,
         "registered": "是" if r.id in registered else "否", "until_month": registered.get(r.id)}
        for r in over]
    return OVER_AGE_COLUMNS, rows


#: the exports of the remittance item, in the manual's order
EXPORTS = (("缴存人汇缴明细清册", remittance_details), ("汇缴核定变更清册", remittance_changes),
           ("汇缴缴存人超龄清册", remittance_over_age))
