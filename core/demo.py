"""Deterministic demo data for one centre (``gjj demo``).

Seeded from the centre's name, so every machine gets the same units, logins, persons and
history. Amounts follow the centre's deposit policy; every balance is the sum of its
ledger entries, so ``gjj check`` passes on a fresh demo.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from core.money import months
from core.codes import AccountState, CollectionType, IdType
from core.models import (
    Account, BankAccount, ChangeRecord, Clerk, Department, LedgerEntry, Operator, Person, RemittanceVerification, Unit,
)
from core.passwords import hash_password

DEMO_PASSWORD = "Demo@2026"
PAID_TO = "2026-10"  # the demo's last paid month, fixed so the data never drifts
HISTORY_MONTHS = 12
PERSONS_PER_UNIT = (120, 90, 60)
UNIT_NAMES = ("{city}市城建投资有限公司", "{city}市第一人民医院", "{city}市晨光科技有限公司")
DEPARTMENTS = ("综合办公室", "财务部", "业务部")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌宇浩然欣怡子涵"
CITY_NAMES = {"jincheng": "晋城", "shaoguan": "韶关", "kaifeng": "开封", "shaanxi": "西安"}
AREA_CODES = {"jincheng": "140502", "shaoguan": "440203", "kaifeng": "410202", "shaanxi": "610102"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    unit_no: str | None
    login_name: str
    id_no: str | None
    password: str = DEMO_PASSWORD


def id_number(rng: random.Random, area: str, born: date, gender: str) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if gender == "1" else 2)  # odd: male, even: female
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 characters


def credit_code(rng: random.Random, area: str) -> str:
    body = "91" + area + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def demo_logins(centre, db: Session) -> list[DemoLogin]:
    logins = [DemoLogin("operator", unit_no, login, id_no)
              for unit_no, login, id_no in db.execute(
                  select(Unit.unit_no, Operator.login_name, Operator.id_no)
                  .join(Operator, Operator.unit_id == Unit.id).order_by(Unit.unit_no))]
    logins += [DemoLogin("clerk", None, name, None)
               for name in db.scalars(select(Clerk.login_name).order_by(Clerk.login_name))]
    return logins


def load_core_demo(centre, db: Session, rng: random.Random, policy) -> None:
    city = CITY_NAMES.get(centre.name, centre.title[:2])
    area = AREA_CODES.get(centre.name, "110101")
    prefix = centre.setting("demo.unit_no_prefix", "1000")
    history = months.span(months.add(PAID_TO, 1 - HISTORY_MONTHS), HISTORY_MONTHS)
    password_hash = hash_password(DEMO_PASSWORD)
    db.add_all([
        Clerk(login_name="clerk1", name="柜员一", roles="first_review", password_hash=password_hash,
              must_change_password=False),
        Clerk(login_name="clerk2", name="柜员二", roles="second_review", password_hash=password_hash,
              must_change_password=False),
    ])
    used_ids: set[str] = set()
    for u, (template, headcount) in enumerate(zip(UNIT_NAMES, PERSONS_PER_UNIT), start=1):
        unit = Unit(unit_no=f"{prefix}{u:06d}", name=template.format(city=city),
                    credit_code=credit_code(rng, area), address=f"{city}市示范路{u * 18}号",
                    postcode=area[:4] + "00", legal_rep=person_name(rng), contact_name=person_name(rng),
                    contact_phone=f"1390356{u:04d}", unit_ratio=Decimal("0.12") - Decimal("0.02") * (u - 1),
                    paid_to=PAID_TO, opened_on=date(2015 + u, 3, 1))
        unit.personal_ratio = unit.unit_ratio
        db.add(unit)
        db.flush()
        db.add(BankAccount(unit_id=unit.id, bank_name="中国建设银行" + city + "分行", account_name=unit.name,
                           account_no=f"6227{rng.randrange(10**14, 10**15)}"))
        departments = []
        for name in DEPARTMENTS:
            department = Department(unit_id=unit.id, name=name)
            db.add(department)
            departments.append(department)
        born = date(1990 + u, 5, 20)
        db.add(Operator(unit_id=unit.id, name=person_name(rng), id_type=IdType.ID_CARD.value,
                        id_no=id_number(rng, area, born, "1"), phone=f"1380356{u:04d}", login_name="admin",
                        password_hash=password_hash, must_change_password=False, is_admin=True))
        db.flush()
        _load_accounts(db, rng, unit, departments, headcount, area, history, used_ids, policy)


def _load_accounts(db, rng, unit, departments, headcount, area, history, used_ids, policy_of):
    persons, accounts, entries, records = [], [], [], []
    for n in range(1, headcount + 1):
        gender = rng.choice("12")
        while True:
            born = date(rng.randrange(1990, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
            id_no = id_number(rng, area, born, gender)
            if id_no not in used_ids:
                used_ids.add(id_no)
                break
        persons.append({"name": person_name(rng), "id_type": IdType.ID_CARD.value, "id_no": id_no,
                        "gender": gender, "birth_date": born, "phone": f"13{rng.randrange(10**8, 10**9)}"})
    person_ids = db.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), persons).all()
    sealed_from = headcount - max(2, headcount // 20)  # the last few left the unit
    flow = 0
    for n, person_id in enumerate(person_ids, start=1):
        base = Decimal(rng.randrange(30, 150) * 100)
        policy = policy_of(months.fund_year(history[-1]))
        base = min(max(base, policy.base_floor), policy.base_cap)
        unit_part, personal_part = policy.monthly_parts(base, unit.unit_ratio, unit.personal_ratio)
        sealed = n > sealed_from
        paid = history[:-3] if sealed else history
        accounts.append({
            "account_no": f"{unit.unit_no}{n:04d}", "person_id": person_id, "unit_id": unit.id,
            "department_id": departments[n % len(departments)].id,
            "state": (AccountState.SEALED if sealed else AccountState.NORMAL).value,
            "base": base, "unit_ratio": unit.unit_ratio, "personal_ratio": unit.personal_ratio,
            "unit_amount": unit_part, "personal_amount": personal_part,
            "monthly_amount": unit_part + personal_part,
            "balance": (unit_part + personal_part) * len(paid), "paid_to": paid[-1],
            "opened_on": unit.opened_on, "sealed_on": date(2026, 8, 5) if sealed else None,
            "seal_reason": "离职" if sealed else None,
        })
    account_ids = db.scalars(insert(Account).returning(Account.id, sort_by_parameter_order=True), accounts).all()
    running = {account_id: Decimal("0.00") for account_id in account_ids}
    unit_balance = Decimal("0.00")
    verifications = []  # the history was verified and paid month by month
    for month in history:
        flow += 1
        flow_no = f"{unit.unit_no}{month.replace('-', '')}{flow:04d}"
        booked = date(int(month[:4]), int(month[5:]), 15)
        paid = [(account_id, account) for account_id, account in zip(account_ids, accounts)
                if month <= account["paid_to"]]
        for account_id, account in paid:
            running[account_id] += account["monthly_amount"]
            entries.append({"flow_no": flow_no, "kind": "account", "unit_id": unit.id, "account_id": account_id,
                            "business_type": CollectionType.REMITTANCE.value, "amount": account["monthly_amount"],
                            "balance_after": running[account_id], "month": month, "booked_on": booked,
                            "summary": f"{month} 汇缴"})
        total = sum((account["monthly_amount"] for _, account in paid), Decimal("0.00"))
        unit_part = sum((account["unit_amount"] for _, account in paid), Decimal("0.00"))
        verifications.append({"batch_no": flow_no, "unit_id": unit.id, "month": month, "status": "paid",
                              "headcount": len(paid), "amount": total, "unit_amount": unit_part,
                              "personal_amount": total - unit_part, "flow_no": flow_no, "actor": "system:demo",
                              "paid_at": datetime(booked.year, booked.month, booked.day, tzinfo=timezone.utc)})
        unit_balance += total
        entries.append({"flow_no": flow_no, "kind": "unit", "unit_id": unit.id, "account_id": None,
                        "business_type": CollectionType.REMITTANCE.value, "amount": total,
                        "balance_after": unit_balance, "month": month, "booked_on": booked,
                        "summary": f"{month} 汇缴 {len(paid)} 人"})
    for account_id, account in zip(account_ids, accounts):
        if account["state"] == AccountState.SEALED.value:
            records.append({"entity": "account", "entity_id": account_id, "unit_id": unit.id,
                            "business_type": CollectionType.SEAL.value, "action": "seal",
                            "before": {"state": AccountState.NORMAL.value},
                            "after": {"state": AccountState.SEALED.value, "seal_reason": "离职"},
                            "actor": "system:demo"})
    suspense = Decimal("1280.50") if unit.unit_no.endswith("1") else Decimal("0.00")
    if suspense:
        unit_balance += suspense
        for kind, after in (("suspense", suspense), ("unit", unit_balance)):
            entries.append({"flow_no": f"{unit.unit_no}S0001", "kind": kind, "unit_id": unit.id,
                            "account_id": None, "business_type": CollectionType.REMITTANCE.value,
                            "amount": suspense, "balance_after": after, "month": None,
                            "booked_on": date(2026, 10, 20), "summary": "到账未匹配核定，转暂存款"})
    db.execute(insert(LedgerEntry), entries)
    db.execute(insert(RemittanceVerification), verifications)
    db.execute(insert(ChangeRecord), records)
    unit.suspense = suspense
    unit.balance = unit_balance


def load_demo(runtime) -> bool:
    """Load the demo into an empty centre (False, untouched, if it has units already)."""
    with runtime.session() as db:
        if db.scalar(select(func.count()).select_from(Unit)):
            return False
        runtime.hook.opengjj_demo_data(centre=runtime.centre, db=db, rng=random.Random(runtime.centre.name),
                                       policy=runtime.policy)
    return True
