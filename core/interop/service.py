"""The 互联互通 look-up interface: what a backend answers and how its answers look.

A backend implements :class:`LookupService` (three methods, each returning a
:class:`LookupResult`) or, more simply, subclasses :class:`RecordLookup` and only says
how to find one enterprise or resident; the comparison of names, and so the outcome
(一致 / 不一致 / 未查询到), is then the same for every backend.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol, runtime_checkable

from core.web.display import mask_id

Outcome = Literal["found", "not_found", "mismatch"]
FOUND: Outcome = "found"
NOT_FOUND: Outcome = "not_found"
MISMATCH: Outcome = "mismatch"

#: the buttons of the item pages, by check
CHECK_TITLES: dict[str, str] = {"enterprise": "查询企业信息", "credit_code": "查询信用代码",
                                "population": "人口信息查询"}
#: 登记状态 in which an enterprise still exists (anything else is shown as a warning)
ACTIVE_STATUSES = frozenset({"存续", "在业", "开业", "正常"})
UNAVAILABLE_MESSAGE = "互联互通服务暂不可用，请稍后再试或到服务大厅柜台核验"


class ServiceUnavailable(RuntimeError):
    """The platform cannot answer now (down, timed out, not connected for this centre).

    The hall shows :data:`UNAVAILABLE_MESSAGE`; the exception's own text (for the log)
    never reaches the operator.
    """


def same_name(a: str | None, b: str | None) -> bool:
    """Names compared as people read them: full- and half-width forms alike (NFKC, so
    “（”≡“(”), white space ignored."""
    return normalise_name(a) == normalise_name(b)


def normalise_name(name: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


@dataclass(frozen=True)
class Enterprise:
    """A registered enterprise (市场主体登记) as the platform describes it."""

    credit_code: str
    name: str
    legal_rep: str = ""
    address: str = ""
    established: date | None = None
    status: str = "存续"  # 登记状态: 存续, 在业, 吊销, 注销, 迁出 ...
    kind: str = ""  # 企业类型
    registered_capital: str = ""  # as registered, e.g. "500万元人民币"
    authority: str = ""  # 登记机关

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def fields(self) -> list[tuple[str, str]]:
        """The labelled values the hall shows, in the registry's order."""
        shown = [("企业名称", self.name), ("统一社会信用代码", self.credit_code), ("法定代表人", self.legal_rep),
                 ("企业类型", self.kind), ("注册资本", self.registered_capital), ("注册地址", self.address),
                 ("成立日期", self.established.isoformat() if self.established else ""),
                 ("登记机关", self.authority), ("登记状态", self.status)]
        return [(label, value) for label, value in shown if value]


@dataclass(frozen=True)
class Resident:
    """A resident (人口信息) as the population registry describes them."""

    id_no: str
    name: str
    gender: str = ""  # 男 / 女
    birth_date: date | None = None
    ethnicity: str = ""  # 民族
    address: str = ""  # 户籍地址

    def fields(self, masked: bool = True) -> list[tuple[str, str]]:
        """The labelled values the hall shows; the ID number masked unless told."""
        shown = [("姓名", self.name), ("公民身份号码", mask_id(self.id_no) if masked else self.id_no),
                 ("性别", self.gender), ("出生日期", self.birth_date.isoformat() if self.birth_date else ""),
                 ("民族", self.ethnicity), ("户籍地址", self.address)]
        return [(label, value) for label, value in shown if value]


@dataclass(frozen=True)
class LookupResult:
    """One answer: what was asked, the outcome, and the record when it may be shown.

    On a population mismatch the record is left out: the hall never tells who an ID
    number belongs to when the name given is not theirs.
    """

    check: str
    outcome: Outcome
    record: Enterprise | Resident | None = None
    asked: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.outcome == FOUND

    @property
    def title(self) -> str:
        if self.outcome == FOUND:
            return "查询成功"
        if self.outcome == NOT_FOUND:
            return "未查询到"
        return "姓名不一致" if self.check == "population" else "名称不一致"

    @property
    def message(self) -> str:
        """One sentence saying what the outcome means, naming what was asked."""
        asked, record = self.asked, self.record
        if self.check == "population":
            who = f"公民身份号码{mask_id(asked.get('id_no'))}"
            if self.outcome == FOUND:
                return f"{who}与姓名一致" if asked.get("name") else f"已查询到{who}的人口信息"
            if self.outcome == NOT_FOUND:
                return f"人口信息库中未查询到{who}"
            return f"姓名“{asked.get('name', '')}”与{who}登记的姓名不一致，请核对"
        code, name = asked.get("credit_code"), asked.get("name")
        if self.outcome == NOT_FOUND:
            return f"未查询到统一社会信用代码为{code}的企业" if code else f"未查询到名称为“{name}”的企业"
        if self.outcome == MISMATCH:
            registered = f"，登记名称为“{record.name}”" if isinstance(record, Enterprise) else ""
            return f"统一社会信用代码{code}与单位名称“{name}”不一致{registered}"
        if self.check == "credit_code":
            return f"统一社会信用代码{code}与单位名称“{name}”一致"
        return "已查询到企业登记信息"

    @property
    def warnings(self) -> list[str]:
        if isinstance(self.record, Enterprise) and not self.record.active:
            return [f"该企业登记状态为“{self.record.status}”，请核实后再办理"]
        return []

    def fields(self) -> list[tuple[str, str]]:
        return self.record.fields() if self.record is not None else []


@runtime_checkable
class LookupService(Protocol):
    """What every backend offers. Arguments arrive validated and compact (upper case,
    no spaces); a backend raises :class:`ServiceUnavailable` when it cannot answer."""

    def enterprise(self, credit_code: str | None = None, name: str | None = None) -> LookupResult:
        """查询企业信息: the enterprise with this credit code, or else with this name;
        with both, a different registered name is a mismatch."""

    def credit_code(self, credit_code: str, name: str) -> LookupResult:
        """查询信用代码: does the code exist, and is ``name`` its registered name?"""

    def population(self, id_no: str, name: str | None = None) -> LookupResult:
        """人口信息查询: does the ID number exist, and (when given) is ``name`` theirs?"""


class RecordLookup:
    """A backend that can find one record: subclasses implement the ``find_*`` methods
    (returning None when there is none) and inherit the checks and their outcomes."""

    def find_enterprise(self, credit_code: str) -> Enterprise | None:
        raise NotImplementedError

    def find_enterprise_by_name(self, name: str) -> Enterprise | None:
        raise NotImplementedError

    def find_resident(self, id_no: str) -> Resident | None:
        raise NotImplementedError

    def enterprise(self, credit_code: str | None = None, name: str | None = None) -> LookupResult:
        asked = {k: v for k, v in (("credit_code", credit_code), ("name", name)) if v}
        record = self.find_enterprise(credit_code) if credit_code else self.find_enterprise_by_name(name or "")
        if record is None:
            return LookupResult("enterprise", NOT_FOUND, asked=asked)
        if credit_code and name and not same_name(record.name, name):
            return LookupResult("enterprise", MISMATCH, record, asked)
        return LookupResult("enterprise", FOUND, record, asked)

    def credit_code(self, credit_code: str, name: str) -> LookupResult:
        asked = {"credit_code": credit_code, "name": name}
        record = self.find_enterprise(credit_code)
        if record is None:
            return LookupResult("credit_code", NOT_FOUND, asked=asked)
        return LookupResult("credit_code", FOUND if same_name(record.name, name) else MISMATCH, record, asked)

    def population(self, id_no: str, name: str | None = None) -> LookupResult:
        asked = {k: v for k, v in (("id_no", id_no), ("name", name)) if v}
        record = self.find_resident(id_no)
        if record is None:
            return LookupResult("population", NOT_FOUND, asked=asked)
        if name and not same_name(record.name, name):
            return LookupResult("population", MISMATCH, None, asked)  # never say whose number it is
        return LookupResult("population", FOUND, record, asked)
