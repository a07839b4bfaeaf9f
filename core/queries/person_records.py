"""The persons' item record queries (清册流水查询, seed 000 x.7): accounts opened, base
changes, over-age registrations and person-information changes, of the unit's
accounts. Each selects ``unit_id`` and narrows to the unit it is given (the framework
adds the same condition again, always); every condition is optional."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import and_, select

from core.models import Account, ChangeRecord, OverAgeRegistration, Person
from core.queries.parts import (
    BUSINESS_NO, BUSINESS_NO_COLUMN, OPERATOR_COLUMN, business_no, field_rows, from_json, link,
    with_handler,
)
from core.queries.types import QueryColumn as C, QueryFilter as F, RecordQuery

MENU = ("查询",)
PERSON_FILTERS = (F("account_no", "个人账号", column="account_no"), F("name", "姓名", column="name", match="contains"),
                  F("id_no", "证件号码", column="id_no", masked="id"))
PERSON_COLUMNS = (C("account_no", "个人账号"), C("name", "姓名"), C("id_no", "证件号码", masked="id"))


def _to_persons(row: Mapping[str, Any]):
    return link("persons", account_no=row.get("account_no"))


def _account_records(unit_id: int, actions: tuple[str, ...], *extra):
    """The unit's change records of its accounts with these actions, with the account's
    number and its person's name and ID number."""
    cr = ChangeRecord
    query = (select(cr.id, cr.unit_id, cr.created_at, cr.action, Account.account_no, Person.name, Person.id_no,
                    cr.before, cr.after, *extra, cr.application_id, business_no(cr.application_id))
             .join(Account, and_(cr.entity == "account", Account.id == cr.entity_id))
             .join(Person, Person.id == Account.person_id)
             .where(cr.unit_id == unit_id, cr.action.in_(actions)))
    return with_handler(query, cr.application_id, cr.actor)


# --- 缴存人设立记录 (缴存单位缴存人设立记录流水) ------------------------------------------------

ACCOUNT_OPENINGS = RecordQuery(
    code="account_openings", title="缴存人设立记录", menu_path=MENU, menu_order=210,
    description="本单位设立的个人账户：设立时的缴存基数和月缴存额（个人账户设立）",
    columns=(C("created_at", "设立时间", "datetime"), *PERSON_COLUMNS,
             C("base", "缴存基数(元)", "money", compute=from_json("after", "base")),
             C("monthly_amount", "月缴存额(元)", "money", compute=from_json("after", "monthly_amount")),
             BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(F("created_at", "设立日期", "date_range", column="created_at"), *PERSON_FILTERS, BUSINESS_NO),
    order=("-created_at", "-id"), source=lambda unit_id, values: _account_records(unit_id, ("open",)),
    detail=_to_persons,
)


# --- 缴存人基数调整记录 -----------------------------------------------------------------------

BASE_CHANGES = RecordQuery(
    code="base_changes", title="缴存人基数调整记录", menu_path=MENU, menu_order=230,
    description="缴存人缴存基数的每一次调整：调整前后的基数和月缴存额（缴存基数调整）",
    columns=(C("created_at", "调整时间", "datetime"), *PERSON_COLUMNS,
             C("old_base", "原缴存基数(元)", "money", compute=from_json("before", "base")),
             C("new_base", "新缴存基数(元)", "money", compute=from_json("after", "base")),
             C("old_monthly", "原月缴存额(元)", "money", compute=from_json("before", "monthly_amount")),
             C("new_monthly", "新月缴存额(元)", "money", compute=from_json("after", "monthly_amount")),
             BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(F("created_at", "调整日期", "date_range", column="created_at"), *PERSON_FILTERS, BUSINESS_NO),
    order=("-created_at", "-id"), source=lambda unit_id, values: _account_records(unit_id, ("base_change",)),
    detail=_to_persons,
)


# --- 缴存人超龄缴存登记记录 -------------------------------------------------------------------

OVER_AGE_STATES = (("active", "有效"), ("ended", "已终止"))


def over_age_source(unit_id: int, values: Mapping[str, str]):
    oa = OverAgeRegistration
    query = (select(oa.id, oa.unit_id, oa.created_at, Account.account_no, Person.name, Person.id_no,
                    Person.birth_date, oa.until_month, oa.status, oa.application_id, business_no(oa.application_id))
             .join(Account, Account.id == oa.account_id).join(Person, Person.id == Account.person_id)
             .where(oa.unit_id == unit_id))
    return with_handler(query, oa.application_id, oa.actor)


OVER_AGE = RecordQuery(
    code="over_age_registrations", title="缴存人超龄缴存登记记录", menu_path=MENU, menu_order=240,
    description="超过法定退休年龄仍继续缴存的登记记录（超龄缴存登记）",
    columns=(C("created_at", "登记时间", "datetime"), *PERSON_COLUMNS, C("birth_date", "出生日期", "date"),
             C("until_month", "超龄缴存截止年月", "month"), C("status", "状态", "code", labels=OVER_AGE_STATES),
             BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(F("created_at", "登记日期", "date_range", column="created_at"), *PERSON_FILTERS,
             F("status", "状态", "select", column="status", choices=OVER_AGE_STATES),
             F("until_month", "截止年月", "month_range", column="until_month"), BUSINESS_NO),
    order=("-created_at", "-id"), source=over_age_source, detail=_to_persons,
)


# --- 缴存人信息变更记录 (缴存人流水) ----------------------------------------------------------

PERSON_FIELDS = (("name", "姓名"), ("id_no", "证件号码"), ("phone", "手机号码"))
MASKED_FIELDS = {"id_no": "id", "phone": "phone"}


def _shown(which: str):
    """A changed value; an ID or phone number masked like everywhere else."""
    def compute(row: Mapping[str, Any]) -> str:
        from core.web.display import mask_id, mask_phone

        value = row.get(which)
        mask = MASKED_FIELDS.get(row.get("field"))
        if not value:
            return "空"
        return mask_id(value) if mask == "id" else mask_phone(value) if mask == "phone" else value
    return compute


def person_changes_source(unit_id: int, values: Mapping[str, str]):
    cr = ChangeRecord
    fields = field_rows(dict(PERSON_FIELDS), (cr.entity == "person", cr.action == "person_change",
                                              cr.unit_id == unit_id),
                        lambda cr: [cr.id, cr.unit_id, cr.entity_id, cr.created_at, cr.application_id, cr.actor])
    query = (select(fields.c.id, fields.c.unit_id, fields.c.created_at, Account.account_no, Person.name,
                    Person.id_no, fields.c.field, fields.c.old, fields.c.new, fields.c.application_id,
                    business_no(fields.c.application_id))
             .join(Person, Person.id == fields.c.entity_id)
             # the person's account in the unit the change was made for
             .outerjoin(Account, and_(Account.person_id == Person.id, Account.unit_id == fields.c.unit_id)))
    return with_handler(query, fields.c.application_id, fields.c.actor)


PERSON_CHANGES = RecordQuery(
    code="person_changes", title="缴存人信息变更记录", menu_path=MENU, menu_order=250,
    description="缴存人姓名、证件号码、手机号码的变更记录（缴存人基本信息变更）",
    columns=(C("created_at", "变更时间", "datetime"), *PERSON_COLUMNS,
             C("field", "变更项目", "code", labels=PERSON_FIELDS), C("old_shown", "变更前", compute=_shown("old")),
             C("new_shown", "变更后", compute=_shown("new")), BUSINESS_NO_COLUMN, OPERATOR_COLUMN),
    filters=(F("created_at", "变更日期", "date_range", column="created_at"), *PERSON_FILTERS,
             F("field", "变更项目", "select", column="field", choices=PERSON_FIELDS), BUSINESS_NO),
    order=("-created_at", "-id", "field"), source=person_changes_source, detail=_to_persons,
)

PERSON_RECORD_QUERIES = (ACCOUNT_OPENINGS, BASE_CHANGES, OVER_AGE, PERSON_CHANGES)
