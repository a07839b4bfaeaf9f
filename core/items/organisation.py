"""Standard items about the unit's own organisation (单位管理): its operators (经办人管理)
and its departments (部门管理).

Every change writes a change record with the values before and after; an operator's
password (or its hash) is never among them. A new operator gets a random initial
password, returned once in the application's result so the hall can show it, and must
change it at the first login.
"""
from __future__ import annotations

import secrets
import string

import colander
from sqlalchemy import func, select

from core.codes import AccountState, CollectionType, IdType
from core.contract import INSTANT, ONE_REVIEW, BusinessItem
from core.items import fields, lookups
from core.models import Account, Application, Department, Operator
from core.money.books import Books
from core.money.errors import BusinessError
from core.money.records import record_change, snapshot
from core.money.validation import mobile
from core.passwords import hash_password

MENU = ("单位管理",)
OPERATOR_ACTIONS = (("add", "新增"), ("change", "变更"), ("disable", "停用"))
DEPARTMENT_ACTIONS = (("add", "新增部门"), ("rename", "部门更名"), ("remove", "删除部门"),
                      ("move", "调整职工所属部门"))
#: what an operator's change record shows (never the password or its hash)
OPERATOR_FIELDS = ("login_name", "name", "id_type", "id_no", "phone", "active", "is_admin", "must_change_password")
DEPARTMENT_FIELDS = ("name", "parent_id")
PASSWORD_LENGTH = 12
OTHER = CollectionType.OTHER.value


def initial_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password with upper and lower case letters, digits and a symbol."""
    pools = (string.ascii_uppercase.replace("O", "").replace("I", ""), string.ascii_lowercase.replace("l", ""),
             "23456789", "@#%&*")
    chosen = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chosen += [secrets.choice(everything) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


# --- 经办人管理 --------------------------------------------------------------------------

class OperatorRow(colander.Schema):
    action = fields.select("操作", OPERATOR_ACTIONS)
    login_name = fields.text("登录名", max_length=60)
    name = fields.text("姓名", max_length=60, missing=None)
    id_no = fields.id_no("证件号码", missing=None)
    phone = fields.phone(missing=None)

    def validator(self, node, values) -> None:
        if values.get("action") == "add":
            missing = {key: f"新增经办人须填写{title}" for key, title in (("name", "姓名"), ("id_no", "证件号码"))
                       if not values.get(key)}
            if missing:
                error = colander.Invalid(node)
                for key, message in missing.items():
                    error[key] = message
                raise error
        fields.id_no_validator(node, values)


def _operator(db, unit_id: int, login_name: str, number: int) -> Operator:
    found = db.scalar(select(Operator).where(Operator.unit_id == unit_id, Operator.login_name == login_name)
                      .with_for_update())
    if found is None:
        raise BusinessError(f"登录名“{login_name}”不是本单位的经办人", field="login_name", row=number)
    return found


def _refuse_twin_id(db, unit_id: int, id_no: str, number: int, but: int | None = None) -> None:
    query = select(Operator.login_name).where(Operator.unit_id == unit_id, Operator.id_no == id_no,
                                              Operator.active.is_(True))
    if but is not None:
        query = query.where(Operator.id != but)
    twin = db.scalar(query.limit(1))
    if twin is not None:
        raise BusinessError(f"证件号码{id_no}已是本单位经办人（登录名“{twin}”）", field="id_no", row=number)


def _id_no(value: str | None) -> str | None:
    return value.replace(" ", "").strip().upper() if value else None


def _phone(value: str | None) -> str | None:
    return mobile(value) if value else None


def _add_operator(books: Books, unit_id: int, number: int, row: dict) -> tuple[Operator, str]:
    db = books.db
    login_name = row["login_name"].strip()
    if db.scalar(select(Operator.id).where(Operator.unit_id == unit_id, Operator.login_name == login_name)):
        raise BusinessError(f"登录名“{login_name}”已存在", field="login_name", row=number)
    id_no = _id_no(row["id_no"])
    _refuse_twin_id(db, unit_id, id_no, number)
    password = initial_password()
    operator = Operator(unit_id=unit_id, login_name=login_name, name=row["name"].strip(),
                        id_type=IdType.ID_CARD.value, id_no=id_no, phone=_phone(row.get("phone")),
                        password_hash=hash_password(password), must_change_password=True, is_admin=False,
                        active=True)
    db.add(operator)
    db.flush()
    record_change(books, entity="operator", entity_id=operator.id, unit_id=unit_id, business_type=OTHER,
                  action="operator_add", before=None, after=snapshot(operator, OPERATOR_FIELDS))
    return operator, password


def _change_operator(books: Books, unit_id: int, number: int, row: dict) -> Operator:
    db = books.db
    operator = _operator(db, unit_id, row["login_name"].strip(), number)
    changes = {"name": (row.get("name") or "").strip() or None, "id_no": _id_no(row.get("id_no")),
               "phone": _phone(row.get("phone"))}
    changes = {key: value for key, value in changes.items() if value and value != getattr(operator, key)}
    if not changes:
        raise BusinessError(f"经办人“{operator.login_name}”没有要变更的内容", field="login_name", row=number)
    if "id_no" in changes:
        _refuse_twin_id(db, unit_id, changes["id_no"], number, but=operator.id)
    before = snapshot(operator, OPERATOR_FIELDS)
    for key, value in changes.items():
        setattr(operator, key, value)
    db.flush()
    record_change(books, entity="operator", entity_id=operator.id, unit_id=unit_id, business_type=OTHER,
                  action="operator_change", before=before, after=snapshot(operator, OPERATOR_FIELDS))
    return operator


def _disable_operator(books: Books, unit_id: int, number: int, row: dict) -> Operator:
    db = books.db
    operator = _operator(db, unit_id, row["login_name"].strip(), number)
    if not operator.active:
        raise BusinessError(f"经办人“{operator.login_name}”已停用", field="login_name", row=number)
    others = select(func.count(Operator.id)).where(Operator.unit_id == unit_id, Operator.active.is_(True),
                                                   Operator.id != operator.id)
    if not db.scalar(others):
        raise BusinessError("不能停用本单位最后一个经办人", field="login_name", row=number)
    if operator.is_admin and not db.scalar(others.where(Operator.is_admin.is_(True))):
        raise BusinessError(f"“{operator.login_name}”是本单位唯一的管理员经办人，不能停用",
                            field="login_name", row=number)
    before = snapshot(operator, OPERATOR_FIELDS)
    operator.active = False
    db.flush()
    record_change(books, entity="operator", entity_id=operator.id, unit_id=unit_id, business_type=OTHER,
                  action="operator_disable", before=before, after=snapshot(operator, OPERATOR_FIELDS))
    return operator


def operator_management_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Add, change or disable the unit's operators, one per line. The result names the
    operators touched and gives each new one's initial password."""
    unit_id = application.unit_id
    books.lock_unit(unit_id)
    passwords: dict[str, str] = {}

    def apply(number: int, row: dict) -> Operator:
        if row["action"] == "add":
            operator, password = _add_operator(books, unit_id, number, row)
            passwords[operator.login_name] = password
            return operator
        if row["action"] == "change":
            return _change_operator(books, unit_id, number, row)
        return _disable_operator(books, unit_id, number, row)

    done = lookups.apply_rows(books, rows, apply, lookups.duplicates(rows, "login_name", "登录名"))
    return {"operators": [operator.login_name for operator in done], "initial_passwords": passwords}


# --- 部门管理 ---------------------------------------------------------------------------

class DepartmentForm(colander.Schema):
    action = fields.select("操作", DEPARTMENT_ACTIONS)
    department = fields.select("部门", [], missing=None)
    new_name = fields.text("新部门名称", max_length=100, missing=None)
    account_nos = fields.text("个人账号", missing=None, max_length=4000, textarea=True,
                              description="调整所属部门时填写，多个账号以逗号或空格分隔")

    def after_bind(self, node, kw) -> None:
        self["department"] = lookups.department_select(kw, "部门")

    def validator(self, node, values) -> None:
        action = values.get("action")
        wanted = {"add": ("new_name",), "rename": ("department", "new_name"), "remove": ("department",),
                  "move": ("department", "account_nos")}.get(action, ())
        titles = {"department": "请选择部门", "new_name": "请填写新部门名称", "account_nos": "请填写要调整的个人账号"}
        missing = [key for key in wanted if not (values.get(key) or "").strip()]
        if missing:
            error = colander.Invalid(node)
            for key in missing:
                error[key] = titles[key]
            raise error


def _refuse_taken_name(db, unit_id: int, name: str) -> None:
    if db.scalar(select(Department.id).where(Department.unit_id == unit_id, Department.name == name)):
        raise BusinessError(f"部门“{name}”已存在", field="new_name")


def _record_department(books: Books, department: Department, action: str, before: dict | None,
                       after: dict | None) -> None:
    record_change(books, entity="department", entity_id=department.id, unit_id=department.unit_id,
                  business_type=OTHER, action=action, before=before, after=after)


def _add_department(books: Books, unit_id: int, values: dict) -> dict:
    name = values["new_name"].strip()
    _refuse_taken_name(books.db, unit_id, name)
    department = Department(unit_id=unit_id, name=name)
    books.db.add(department)
    books.db.flush()
    _record_department(books, department, "department_add", None, snapshot(department, DEPARTMENT_FIELDS))
    return {"department": name}


def _rename_department(books: Books, unit_id: int, values: dict) -> dict:
    department = lookups.department_by_name(books.db, unit_id, values["department"])
    name = values["new_name"].strip()
    if name == department.name:
        raise BusinessError("新部门名称与原名称相同", field="new_name")
    _refuse_taken_name(books.db, unit_id, name)
    before = snapshot(department, DEPARTMENT_FIELDS)
    department.name = name
    books.db.flush()
    _record_department(books, department, "department_rename", before, snapshot(department, DEPARTMENT_FIELDS))
    return {"department": name}


def _remove_department(books: Books, unit_id: int, values: dict) -> dict:
    db = books.db
    department = lookups.department_by_name(db, unit_id, values["department"])
    live = lookups.account_count(db, unit_id, department.id)
    if live:
        raise BusinessError(f"部门“{department.name}”下还有{live}个正常或封存的个人账户，请先调整其所属部门",
                            field="department")
    if db.scalar(select(Department.id).where(Department.parent_id == department.id).limit(1)):
        raise BusinessError(f"部门“{department.name}”下还有下级部门，请先删除下级部门", field="department")
    closed = db.scalars(select(Account).where(Account.department_id == department.id).with_for_update()).all()
    for account in closed:  # closed accounts only: they leave the department with a record
        _set_department(books, account, None, department.name, None)
    before = snapshot(department, DEPARTMENT_FIELDS)
    _record_department(books, department, "department_remove", before, None)
    db.delete(department)
    db.flush()
    return {"department": before["name"]}


def _department_name(db, department_id: int | None) -> str | None:
    return db.scalar(select(Department.name).where(Department.id == department_id)) if department_id else None


def _set_department(books: Books, account: Account, department_id: int | None, old_name: str | None,
                    new_name: str | None) -> None:
    before = {"account_no": account.account_no, "department_id": account.department_id, "department": old_name}
    account.department_id = department_id
    record_change(books, entity="account", entity_id=account.id, unit_id=account.unit_id, business_type=OTHER,
                  action="department_change", before=before,
                  after={"account_no": account.account_no, "department_id": department_id, "department": new_name})


def _move_accounts(books: Books, unit_id: int, values: dict) -> dict:
    db = books.db
    department = lookups.department_by_name(db, unit_id, values["department"])
    numbers = lookups.split_numbers(values["account_nos"])
    moved = []
    for number in numbers:
        account = books.lock_account(lookups.account_in_unit(db, unit_id, number, field="account_nos").id)
        if account.state not in (AccountState.NORMAL.value, AccountState.SEALED.value):
            raise BusinessError(f"个人账户{account.account_no}已销户，不能调整所属部门", field="account_nos")
        if account.department_id != department.id:
            _set_department(books, account, department.id, _department_name(db, account.department_id),
                            department.name)
            moved.append(account.account_no)
    if not moved:
        raise BusinessError(f"所填个人账户都已属于部门“{department.name}”", field="account_nos")
    db.flush()
    return {"department": department.name, "accounts": moved}


DEPARTMENT_EFFECTS = {"add": _add_department, "rename": _rename_department, "remove": _remove_department,
                      "move": _move_accounts}


def departments_effect(books: Books, application: Application, values: dict, rows: list[dict]) -> dict:
    """Add, rename or remove a department of the unit, or move accounts into one."""
    books.lock_unit(application.unit_id)
    return {"action": values["action"], **DEPARTMENT_EFFECTS[values["action"]](books, application.unit_id, values)}


# --- the items ---------------------------------------------------------------------------

ITEMS: tuple[BusinessItem, ...] = (
    BusinessItem(code="operator_management", admin_only=True, title="经办人管理", menu_path=MENU, chain=ONE_REVIEW, kind="list",
                 row_schema=OperatorRow, effect=operator_management_effect, order=10,
                 description="新增、变更或停用本单位的经办人；新经办人的初始密码办结后显示一次，首次登录须修改。"),
    BusinessItem(code="departments", title="部门管理", menu_path=MENU, chain=INSTANT, kind="form",
                 schema=DepartmentForm, effect=departments_effect, order=20,
                 description="新增、更名、删除本单位的部门，或调整职工的所属部门；提交即办结。"),
)
