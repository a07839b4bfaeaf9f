"""Standard items about persons and their accounts (缴存人业务).

个人账户设立, 封存, 启封, 集中封存, 缴存基数调整, 缴存人基本信息变更 (a 清册, or one
person's form), 同城转移 and 个人账户合并. Each item's effect calls the money engine (:mod:`core.money.accounts`),
which checks the rules and writes the change records; a refused 清册 line is reported
with its 1-based row number and the field, and the whole application is refused.
"""
from __future__ import annotations

from typing import Any

import colander
from sqlalchemy import select

from core.codes import AccountState, CollectionType, IdType
from core.contract import INSTANT, ONE_REVIEW, TWO_REVIEWS, BusinessItem
from core.items import fields, lookups
from core.models import Account, Application, Person
from core.money import accounts
from core.money.books import Books
from core.money.errors import BusinessError

MENU = ("缴存人业务",)
SEAL_REASONS = ("离职", "调出", "退休", "出国定居", "死亡", "其他")
BULK_SCOPES = (("all", "本单位全部正常账户"), ("department", "指定部门的正常账户"))
LIVE_STATES = (AccountState.NORMAL.value, AccountState.SEALED.value)


def _reasons() -> list[tuple[str, str]]:
    return [(reason, reason) for reason in SEAL_REASONS]


def _result(accounts_done: list[Account]) -> dict[str, list[str]]:
    return {"accounts": [account.account_no for account in accounts_done]}


def _blank(value: Any) -> bool:
    return value in (None, colander.null) or not str(value).strip()


class _Departments(colander.Schema):
    """A schema whose ``department`` select lists the bound unit's departments."""

    department_title = "部门"

    def after_bind(self, node, kw) -> None:
        self["department"] = lookups.department_select(kw, self.department_title)


# --- 个人账户设立 ------------------------------------------------------------------------

class OpenAccountRow(_Departments):
    name = fields.text("姓名", max_length=60)
    id_type = fields.id_type()
    id_no = fields.id_no()
    phone = fields.phone(missing=None)
    base = fields.money("缴存基数")
    department = fields.select("部门", [], missing=None)

    def validator(self, node, values) -> None:
        fields.id_no_validator(node, values)


def open_accounts_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Open one account per line; the result lists the account numbers opened."""
    unit_id = application.unit_id

    def open_one(number: int, row: dict) -> Account:
        department_id = None
        if row.get("department"):
            department_id = lookups.department_by_name(books.db, unit_id, row["department"], row=number).id
        return accounts.open_account(books, unit_id, name=row["name"], id_no=row["id_no"],
                                     id_type=row["id_type"], base=row["base"], phone=row.get("phone"),
                                     department_id=department_id)

    opened = lookups.apply_rows(books, rows, open_one, lookups.duplicates(rows, "id_no", "证件号码"))
    lookups.link_rows(application, {n: a.id for n, a in enumerate(opened, start=1)})
    return _result(opened)


# --- 封存 / 启封 -------------------------------------------------------------------------

class SealRow(colander.Schema):
    account_no = fields.account_no()
    reason = fields.select("封存原因", _reasons())


def seal_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Seal each listed account of the unit with its reason."""
    def seal_one(number: int, row: dict) -> Account:
        account = lookups.account_in_unit(books.db, application.unit_id, row["account_no"], row=number)
        return accounts.seal(books, account.id, reason=row["reason"])

    sealed = lookups.apply_rows(books, rows, seal_one, lookups.duplicates(rows, "account_no", "个人账号"))
    lookups.link_rows(application, {n: a.id for n, a in enumerate(sealed, start=1)})
    return _result(sealed)


class UnsealRow(colander.Schema):
    account_no = fields.account_no()
    base = fields.money("新缴存基数", missing=None)


def unseal_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Unseal each listed account; a line with a new base also changes the base."""
    def unseal_one(number: int, row: dict) -> Account:
        account = lookups.account_in_unit(books.db, application.unit_id, row["account_no"], row=number)
        account = accounts.unseal(books, account.id)
        if row.get("base") is not None:
            account = accounts.change_base(books, account.id, row["base"])
        return account

    unsealed = lookups.apply_rows(books, rows, unseal_one, lookups.duplicates(rows, "account_no", "个人账号"))
    lookups.link_rows(application, {n: a.id for n, a in enumerate(unsealed, start=1)})
    return _result(unsealed)


# --- 集中封存 ----------------------------------------------------------------------------

class BulkSealForm(_Departments):
    reason = fields.select("封存原因", _reasons())
    scope = fields.select("封存范围", BULK_SCOPES, default="all")
    department = fields.select("部门", [], missing=None)

    def validator(self, node, values) -> None:
        if values.get("scope") == "department" and not values.get("department"):
            error = colander.Invalid(node)
            error["department"] = "封存范围为指定部门时，请选择部门"
            raise error


def bulk_seal_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Seal every normal account of the unit, or of one department, as it stands when
    the application completes."""
    db, unit_id = books.db, application.unit_id
    query = select(Account.id).where(Account.unit_id == unit_id, Account.state == AccountState.NORMAL.value)
    where = "本单位"
    if values.get("scope") == "department":
        department = lookups.department_by_name(db, unit_id, values.get("department"))
        query = query.where(Account.department_id == department.id)
        where = f"部门“{department.name}”"
    account_ids = list(db.scalars(query.order_by(Account.account_no)))
    if not account_ids:
        raise BusinessError(f"{where}没有正常状态的个人账户可以封存", field="scope")
    sealed = [accounts.seal(books, account_id, reason=values["reason"]) for account_id in account_ids]
    return {**_result(sealed), "count": str(len(sealed))}


# --- 缴存基数调整 -------------------------------------------------------------------------

class BaseRow(colander.Schema):
    account_no = fields.account_no()
    base = fields.money("缴存基数")


def base_adjustment_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Change the listed accounts' bases in one call of the engine (all lines are
    checked before any is changed)."""
    def find(number: int, row: dict) -> Account:
        return lookups.account_in_unit(books.db, application.unit_id, row["account_no"], row=number)

    found = lookups.apply_rows(books, rows, find, lookups.duplicates(rows, "account_no", "个人账号"))
    changed = accounts.adjust_bases(books, application.unit_id,
                                    {account.id: row["base"] for account, row in zip(found, rows)})
    lookups.link_rows(application, {n: a.id for n, a in enumerate(changed, start=1)})
    return _result(changed)


# --- 缴存人基本信息变更 -------------------------------------------------------------------

class PersonChangeRow(colander.Schema):
    account_no = fields.account_no()
    name = fields.text("姓名", max_length=60, missing=None, description="不变更请留空")
    id_type = fields.id_type()
    id_no = fields.id_no("证件号码", missing=None)
    phone = fields.phone(missing=None)

    def validator(self, node, values) -> None:
        if all(_blank(values.get(key)) for key in ("name", "id_no", "phone")):
            raise colander.Invalid(node, "请至少填写一项要变更的内容（姓名、证件号码或手机号码）")
        fields.id_no_validator(node, values)


def _person_changes(books: Books, application: Application, number: int, row: dict) -> tuple[Account, dict]:
    """The account of a person-change line and the fields to change."""
    db = books.db
    account = lookups.account_in_unit(db, application.unit_id, row["account_no"], row=number)
    if account.state not in LIVE_STATES:
        raise BusinessError(f"个人账户{account.account_no}已销户，不能变更缴存人信息", field="account_no", row=number)
    person = db.get(Person, account.person_id)
    if account.state != AccountState.NORMAL.value:
        elsewhere = db.scalar(select(Account.account_no).where(
            Account.person_id == person.id, Account.state == AccountState.NORMAL.value,
            Account.unit_id != application.unit_id).limit(1))
        if elsewhere is not None:
            raise BusinessError(f"缴存人现由其他单位缴存（个人账号{elsewhere}），请由该单位办理",
                                field="account_no", row=number)
    changes = {key: row[key] for key in ("name", "id_no", "phone") if not _blank(row.get(key))}
    if "id_no" in changes and row.get("id_type", IdType.ID_CARD.value) != person.id_type:
        raise BusinessError("证件类型与登记的不符；变更证件类型请到柜台办理", field="id_type", row=number)
    return account, changes


def person_change_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Change the listed persons' name, ID number or phone (blank means unchanged)."""
    def change_one(number: int, row: dict) -> Account:
        account, changes = _person_changes(books, application, number, row)
        accounts.change_person(books, account.person_id, **changes)
        return account

    changed = lookups.apply_rows(books, rows, change_one, lookups.duplicates(rows, "account_no", "个人账号"))
    lookups.link_rows(application, {n: a.id for n, a in enumerate(changed, start=1)})
    return _result(changed)


class PersonInfoForm(PersonChangeRow):
    """缴存人基本信息变更 for one person: the account, and the new values (blank: unchanged)."""


PERSON_LABELS = {"name": "姓名", "id_no": "证件号码", "phone": "手机号码"}


def person_info_change_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Change one person's name, ID number or phone, as one line of ``person_change`` does."""
    account, changes = _person_changes(books, application, None, values)
    person = books.db.get(Person, account.person_id)
    changed = [key for key, value in changes.items()
               if str(value).strip().upper() != str(getattr(person, key) or "").upper()]
    if not changed:
        raise BusinessError("填写的信息与登记的相同，没有需要变更的内容", field="name")
    accounts.change_person(books, account.person_id, **changes)
    return {"account_no": account.account_no, "changed": "、".join(PERSON_LABELS[key] for key in changed)}


# --- 同城转移 ----------------------------------------------------------------------------

class TransferRow(colander.Schema):
    account_no = fields.account_no("转出个人账号", missing=None)
    id_type = fields.id_type()
    id_no = fields.id_no("证件号码", missing=None)
    name = fields.text("姓名", max_length=60)

    def validator(self, node, values) -> None:
        if _blank(values.get("account_no")) and _blank(values.get("id_no")):
            error = colander.Invalid(node)
            error["account_no"] = "请填写转出个人账号或证件号码"
            raise error
        fields.id_no_validator(node, values)


def _account_to_transfer(books: Books, application: Application, number: int, row: dict) -> Account:
    """The account a transfer line names, in another unit of the centre."""
    db = books.db
    if not _blank(row.get("account_no")):
        account = lookups.account_by_no(db, row["account_no"], row=number)
        person = db.get(Person, account.person_id)
        if not _blank(row.get("id_no")) and person.id_no != row["id_no"].strip().upper():
            raise BusinessError(f"证件号码与个人账号{account.account_no}登记的不符", field="id_no", row=number)
    else:
        account = lookups.live_account_of_person(db, row["id_no"], row.get("id_type") or IdType.ID_CARD.value,
                                                 row=number)
        person = db.get(Person, account.person_id)
    if person.name != row["name"].strip():
        raise BusinessError(f"姓名与个人账号{account.account_no}登记的不符", field="name", row=number)
    if account.unit_id == application.unit_id:
        raise BusinessError(f"个人账户{account.account_no}已在本单位，无需转移", field="account_no", row=number)
    return account


def internal_transfer_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Move each listed account from its unit to the applying unit."""
    def transfer_one(number: int, row: dict) -> Account:
        account = _account_to_transfer(books, application, number, row)
        return accounts.transfer(books, account.id, application.unit_id)

    repeated = lookups.duplicates(rows, "account_no", "个人账号") + lookups.duplicates(rows, "id_no", "证件号码")
    moved = lookups.apply_rows(books, rows, transfer_one, repeated)
    lookups.link_rows(application, {n: a.id for n, a in enumerate(moved, start=1)})
    return _result(moved)


# --- 个人账户合并 ------------------------------------------------------------------------

class MergeForm(colander.Schema):
    from_account_no = fields.account_no("被合并个人账号")
    into_account_no = fields.account_no("保留个人账号")

    def validator(self, node, values) -> None:
        if values["from_account_no"].strip() == values["into_account_no"].strip():
            error = colander.Invalid(node)
            error["into_account_no"] = "保留个人账号不能与被合并个人账号相同"
            raise error


def account_merge_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Merge a person's duplicate account into the one kept under this unit; the
    duplicate may be in another unit only when it is sealed there."""
    db = books.db
    into = lookups.account_in_unit(db, application.unit_id, values["into_account_no"], field="into_account_no")
    source = lookups.account_by_no(db, values["from_account_no"], field="from_account_no")
    if source.unit_id != application.unit_id and source.state != AccountState.SEALED.value:
        raise BusinessError(f"个人账号{source.account_no}属于其他单位且未封存，请先由该单位封存",
                            field="from_account_no")
    kept = accounts.merge(books, source.id, into.id)
    return {"from_account": source.account_no, "into_account": kept.account_no, "balance": str(kept.balance)}


# --- 清册 fillers -----------------------------------------------------------------------

def _normal_accounts(db, unit) -> list[Account]:
    return list(db.scalars(select(Account).where(Account.unit_id == unit.id,
                                                 Account.state == AccountState.NORMAL.value)
                           .order_by(Account.account_no)))


def sealable_accounts(db, unit) -> list[dict]:
    """查询可封存账户: every normal account of the unit, the reason left to choose."""
    return [{"account_no": account.account_no, "reason": ""} for account in _normal_accounts(db, unit)]


def adjustable_bases(db, unit) -> list[dict]:
    """获取本单位正常账户: each normal account with its base now (export, edit, import)."""
    return [{"account_no": account.account_no, "base": f"{account.base:.2f}"} for account in _normal_accounts(db, unit)]


# --- the items ---------------------------------------------------------------------------

ITEMS: tuple[BusinessItem, ...] = (
    BusinessItem(code="open_accounts", title="个人账户设立", menu_path=MENU, chain=INSTANT, kind="list",
                 row_schema=OpenAccountRow, effect=open_accounts_effect, order=10,
                 collection_type=CollectionType.OPEN.value,
                 description="为新入职职工开立个人账户，清册中每行一人；提交即办结，返回新开的个人账号。"),
    BusinessItem(code="seal", title="个人账户封存", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 row_schema=SealRow, effect=seal_effect, order=20, collection_type=CollectionType.SEAL.value,
                 fillers=(("查询可封存账户", sealable_accounts),),
                 description="职工离职、调出、退休等，停止为其缴存。"),
    BusinessItem(code="unseal", title="个人账户启封", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 row_schema=UnsealRow, effect=unseal_effect, order=30,
                 collection_type=CollectionType.UNSEAL.value,
                 description="职工重新入职本单位，恢复缴存；可同时填写新的缴存基数。"),
    BusinessItem(code="bulk_seal", title="集中封存", menu_path=MENU, chain=ONE_REVIEW, kind="form",
                 schema=BulkSealForm, effect=bulk_seal_effect, order=40,
                 collection_type=CollectionType.SEAL.value,
                 description="一次封存本单位（或某一部门）全部正常状态的个人账户。"),
    BusinessItem(code="base_adjustment", title="缴存基数调整", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 row_schema=BaseRow, effect=base_adjustment_effect, order=50,
                 fillers=(("获取本单位正常账户", adjustable_bases),),
                 collection_type=CollectionType.BASE_ADJUSTMENT.value,
                 description="调整职工的缴存基数，月缴存额按中心规则重新计算。"),
    BusinessItem(code="person_change", title="缴存人基本信息变更", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 row_schema=PersonChangeRow, effect=person_change_effect, order=60,
                 description="变更职工的姓名、证件号码或手机号码，不变更的项目留空。"),
    BusinessItem(code="person_info_change", title="缴存人基本信息变更", menu_path=MENU, chain=ONE_REVIEW,
                 kind="form", schema=PersonInfoForm, effect=person_info_change_effect, order=61,
                 checks=("population",),
                 description="变更一名职工的姓名、证件号码或手机号码，不变更的项目留空；可先做人口信息查询核对。"),
    BusinessItem(code="internal_transfer", title="同城转移", menu_path=MENU, chain=TWO_REVIEWS, kind="list",
                 row_schema=TransferRow, effect=internal_transfer_effect, order=70,
                 collection_type=CollectionType.INTERNAL_TRANSFER.value,
                 description="把职工在本中心其他单位的个人账户转入本单位，余额随转。"),
    BusinessItem(code="account_merge", title="个人账户合并", menu_path=MENU, chain=ONE_REVIEW, kind="form",
                 schema=MergeForm, effect=account_merge_effect, order=80,
                 description="同一职工有两个个人账户时，把其中一个合并到本单位的账户，余额随并。"),
)
