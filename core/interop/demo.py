"""The demo's development registry: what the ``registry`` backend answers in a demo.

Every unit of the demo is a registered enterprise and every person (and operator) a
resident, so the checks on the demo's own pages succeed; a few records of no unit let
a walker see the other outcomes:

- an enterprise registered as “<city>市新华书店有限责任公司”: asked with the name
  “<city>市新华书店有限公司”, 查询信用代码 answers 名称不一致;
- “<city>市红星机械厂”, 登记状态 注销 (deregistered);
- “<city>市恒泰建筑工程有限公司”, a live enterprise that is not yet a unit
  (for 自主开户);
- two residents with no account (for 个人账户设立).

Same ``rng``, same records: everything is drawn in a fixed order.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.codes import IdType
from core.interop.service import normalise_name
from core.models import InteropRecord, Operator, Person, Unit

ETHNICITIES = ("汉族",) * 17 + ("回族", "满族", "蒙古族")
STREETS = ("解放路", "建设路", "人民路", "文化街", "新华街", "迎宾路", "红星街", "泽州路")
GENDERS = {"1": "男", "2": "女"}


def _city(centre) -> str:
    from core.demo import CITY_NAMES

    return CITY_NAMES.get(centre.name, centre.title[:2])


def _area(centre) -> str:
    from core.demo import AREA_CODES

    return AREA_CODES.get(centre.name, "110101")


def _enterprise(key: str, name: str, **data) -> dict:
    return {"kind": "enterprise", "key": key, "name": name, "data": data}


def _resident(rng: random.Random, city: str, id_no: str, name: str, gender: str | None, born: date | None) -> dict:
    from stdnum.cn import ric

    if born is None:
        born = ric.get_birth_date(id_no)
    if gender not in GENDERS:
        gender = "1" if int(id_no[16]) % 2 else "2"
    address = f"{city}市{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 8)}单元"
    return {"kind": "population", "key": id_no, "name": name,
            "data": {"gender": GENDERS[gender], "birth_date": born.isoformat(),
                     "ethnicity": rng.choice(ETHNICITIES), "address": address}}


def load_interop_demo(centre, db: Session, rng: random.Random) -> None:
    """Register the demo's units and persons, and the extra records, in ``interop_records``."""
    from core.demo import credit_code, id_number, person_name

    city, area = _city(centre), _area(centre)
    authority = f"{city}市市场监督管理局"
    records: list[dict] = []
    for unit in db.scalars(select(Unit).where(Unit.credit_code.is_not(None)).order_by(Unit.id)):
        company = "公司" in unit.name
        founded = (unit.opened_on or date(2015, 1, 1)) - timedelta(days=rng.randrange(200, 3000))
        records.append(_enterprise(
            unit.credit_code, unit.name, legal_rep=unit.legal_rep or person_name(rng), address=unit.address or "",
            established=founded.isoformat(), status="存续",
            kind="有限责任公司" if company else "事业单位",
            registered_capital=f"{rng.randrange(1, 200) * 50}万元人民币" if company else "",
            authority=authority if company else f"{city}市事业单位登记管理局"))
    extras = (("新华书店有限责任公司", "存续", None), ("红星机械厂", "注销", date(2023, 6, 30)),
              ("恒泰建筑工程有限公司", "存续", None))
    taken = {r["key"] for r in records}
    for suffix, status, closed in extras:
        code = credit_code(rng, area)
        while code in taken:
            code = credit_code(rng, area)
        taken.add(code)
        data = {"legal_rep": person_name(rng), "address": f"{city}市{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
                "established": date(rng.randrange(1995, 2015), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat(),
                "status": status, "kind": "有限责任公司" if "公司" in suffix else "全民所有制",
                "registered_capital": f"{rng.randrange(1, 100) * 100}万元人民币", "authority": authority}
        if closed:
            data["deregistered"] = closed.isoformat()
        records.append(_enterprise(code, f"{city}市{suffix}", **data))

    seen: set[str] = set()
    people = [(p.id_no, p.name, p.gender, p.birth_date) for p in db.scalars(
        select(Person).where(Person.id_type == IdType.ID_CARD.value).order_by(Person.id))]
    people += [(o.id_no, o.name, None, None) for o in db.scalars(
        select(Operator).where(Operator.id_type == IdType.ID_CARD.value).order_by(Operator.id))]
    for n in range(2):  # not yet anyone's account: for 个人账户设立
        gender = "12"[n]
        born = date(2000 + n, 4 + n, 12)
        people.append((id_number(rng, area, born, gender), person_name(rng), gender, born))
    for id_no, name, gender, born in people:
        if id_no and len(id_no) == 18 and id_no not in seen:
            seen.add(id_no)
            records.append(_resident(rng, city, id_no, name, gender, born))
    db.execute(insert(InteropRecord), records)


def registered(db: Session, kind: str, name: str) -> InteropRecord | None:
    """A record by its registered name (tests and walkers find the extra records so)."""
    return db.scalars(select(InteropRecord).where(InteropRecord.kind == kind, InteropRecord.name.in_(
        {name, normalise_name(name)})).order_by(InteropRecord.id)).first()
