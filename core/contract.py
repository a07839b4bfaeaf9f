"""The value types that hook implementations receive and return.

They are plain frozen dataclasses so a plugin can build them without touching the
database or the web layer, and so that two plugins' answers can be compared.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, Callable

FEN = Decimal("0.01")
JIAO = Decimal("0.1")
YUAN = Decimal("1")

#: Rounding modes of the monthly amount, as fund centres name them.
ROUNDING_MODES: dict[str, tuple[Decimal, str, str]] = {
    "truncate_fen": (FEN, ROUND_DOWN, "舍去到分"),
    "truncate_jiao": (JIAO, ROUND_DOWN, "舍去到角"),
    "truncate_yuan": (YUAN, ROUND_DOWN, "舍去到元"),
    "half_up_fen": (FEN, ROUND_HALF_UP, "四舍五入到分"),
    "half_up_jiao": (JIAO, ROUND_HALF_UP, "四舍五入到角"),
    "half_up_yuan": (YUAN, ROUND_HALF_UP, "四舍五入到元"),
    "up_li_to_fen": (FEN, ROUND_UP, "见厘进分"),
    "up_fen_to_jiao": (JIAO, ROUND_UP, "见分进角"),
    "up_jiao_to_yuan": (YUAN, ROUND_UP, "见角进元"),
}


def round_money(amount: Decimal, mode: str) -> Decimal:
    """Round ``amount`` by one of :data:`ROUNDING_MODES`, keeping two decimals."""
    quantum, rounding, _ = ROUNDING_MODES[mode]
    return amount.quantize(quantum, rounding=rounding).quantize(FEN)


@dataclass(frozen=True)
class DepositPolicy:
    """A centre's deposit rules for one fund year (1 July – 30 June)."""

    base_floor: Decimal
    base_cap: Decimal
    unit_ratio_min: Decimal = Decimal("0.05")
    unit_ratio_max: Decimal = Decimal("0.12")
    ratio_step: Decimal = Decimal("0.01")
    #: "free", "equal" (personal = unit) or "not_below_unit" (personal >= unit)
    personal_ratio_rule: str = "free"
    personal_ratio_min: Decimal = Decimal("0.05")
    personal_ratio_max: Decimal = Decimal("0.12")
    rounding: str = "half_up_fen"
    #: "each" rounds the unit and personal parts separately, "total" rounds the sum
    round_parts: str = "each"
    monthly_cap: Decimal | None = None
    #: "immediately", or "with_base_adjustment": a reviewed ratio change waits for the
    #: next base adjustment to use it (Kaifeng: 已复核 → 已使用)
    ratio_change_applies: str = "immediately"
    #: at most this many consecutive months in one remittance verification (seed 001: 3)
    max_months_per_verification: int | None = None

    def __post_init__(self) -> None:
        if self.rounding not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {self.rounding!r}; one of {sorted(ROUNDING_MODES)}")
        if self.round_parts not in ("each", "total"):
            raise ValueError("round_parts must be 'each' or 'total'")
        if self.ratio_change_applies not in ("immediately", "with_base_adjustment"):
            raise ValueError("ratio_change_applies must be 'immediately' or 'with_base_adjustment'")
        for name in ("base_floor", "base_cap", "unit_ratio_min", "unit_ratio_max", "monthly_cap"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                raise TypeError(f"DepositPolicy.{name} must be a Decimal, not {type(value).__name__}")

    def ratio_violations(self, unit_ratio: Decimal, personal_ratio: Decimal) -> list["Violation"]:
        """What is wrong with a pair of ratios under this policy (empty when they are fine)."""
        found = []
        for field_name, value, low, high in (
                ("unit_ratio", unit_ratio, self.unit_ratio_min, self.unit_ratio_max),
                ("personal_ratio", personal_ratio, self.personal_ratio_min, self.personal_ratio_max)):
            label = "单位缴存比例" if field_name == "unit_ratio" else "个人缴存比例"
            if not low <= value <= high:
                found.append(Violation(f"{label}须在{low:.0%}至{high:.0%}之间", field=field_name))
            elif (value - low) % self.ratio_step:
                found.append(Violation(f"{label}须以{self.ratio_step:.0%}为单位调整", field=field_name))
        if self.personal_ratio_rule == "equal" and personal_ratio != unit_ratio:
            found.append(Violation("个人缴存比例须与单位缴存比例相同", field="personal_ratio"))
        if self.personal_ratio_rule == "not_below_unit" and personal_ratio < unit_ratio:
            found.append(Violation("个人缴存比例不得低于单位缴存比例", field="personal_ratio"))
        return found

    def base_violations(self, base: Decimal) -> list["Violation"]:
        if base < self.base_floor:
            return [Violation(f"缴存基数不得低于{self.base_floor}元", field="base")]
        if base > self.base_cap:
            return [Violation(f"缴存基数不得高于{self.base_cap}元", field="base")]
        return []

    def monthly_parts(self, base: Decimal, unit_ratio: Decimal, personal_ratio: Decimal) -> tuple[Decimal, Decimal]:
        """The unit and personal parts of one month's deposit, rounded by this policy."""
        unit, personal = base * unit_ratio, base * personal_ratio
        if self.round_parts == "each":
            return round_money(unit, self.rounding), round_money(personal, self.rounding)
        total = round_money(unit + personal, self.rounding)
        unit = round_money(unit, "half_up_fen")
        return unit, total - unit

    def monthly_amount(self, base: Decimal, unit_ratio: Decimal, personal_ratio: Decimal) -> Decimal:
        total = sum(self.monthly_parts(base, unit_ratio, personal_ratio), Decimal("0.00"))
        if self.monthly_cap is not None:
            total = min(total, self.monthly_cap)
        return total


@dataclass(frozen=True)
class Theme:
    """How a centre's hall looks.

    ``templates`` and ``static`` are asset specs of folders (``"themes.jincheng:templates/"``);
    a template found there replaces core's template of the same name, one not found falls
    back to core's.
    """

    name: str
    title: str
    templates: str | None = None
    static: str | None = None
    colours: dict[str, str] = field(default_factory=dict)

    @classmethod
    def bundled(cls, name: str, title: str, colours: dict[str, str], templates: bool = False) -> "Theme":
        """A theme shipped in the ``themes`` package: ``themes/<name>/static/`` (and ``templates/``)."""
        return cls(name=name, title=title, colours=colours, static=f"themes.{name}:static/",
                   templates=f"themes.{name}:templates/" if templates else None)


@dataclass(frozen=True)
class MenuEntry:
    """One leaf of the hall's menu; ``path`` is the chain of group titles above it."""

    path: tuple[str, ...]
    title: str
    item: str | None = None
    url: str | None = None
    order: int = 100


@dataclass(frozen=True)
class LoginMethod:
    """A way into the hall, shown as one tab of the centre's login page."""

    name: str
    title: str
    fields: tuple[str, ...]
    order: int = 100
    #: authenticate(request, values) -> the core.models.Operator, or raises
    #: core.passwords.LoginRefused with the message the login page shows
    authenticate: Callable[..., Any] | None = field(default=None, compare=False)
    #: the label of each field on the login page ("password" is 密码 unless given)
    titles: dict[str, str] = field(default_factory=dict, compare=False)
    #: a Chameleon template (asset spec) with a ``form`` macro drawing this method's tab
    #: (a "send code" button, the UKey script ...); None: one input per field
    template: str | None = None

    def title_of(self, name: str) -> str:
        return self.titles.get(name) or {"password": "密码"}.get(name, name)


@dataclass(frozen=True)
class MaterialType:
    code: str
    title: str
    required: bool = False
    max_count: int | None = None


#: The roles that own a chain's steps, with the names the manuals use.
ROLES: dict[str, str] = {
    "unit_operator": "单位经办人",
    "first_review": "柜面初审",
    "second_review": "柜面复核",
    "job": "系统处理",
    "unit_voucher_print": "网厅凭证打印",
}
#: Every action a step can offer, with its button label.
ACTIONS: dict[str, str] = {
    "save_draft": "暂存",
    "submit": "提交",
    "approve": "审批通过",
    "return": "退回",
    "return_previous": "退回上一步",
    "revoke": "撤销",
    "exception": "异常处理",
    "in_progress": "办理中",
    "end_process": "结束流程",
    "print": "打印并提交",
    "complete": "办理完成",
    "fail": "办理失败",
}
COUNTER_ACTIONS = ("approve", "return", "revoke", "exception", "in_progress")


@dataclass(frozen=True)
class Step:
    """One step of an approval chain, owned by a role (a key of :data:`ROLES`).

    A counter step offers the actions the manuals name (审批 / 退回 / 撤销 / 异常处理 /
    办理中); a ``unit_voucher_print`` step is a to-do back in the hall that the unit
    completes by printing; a ``job`` step runs the effect in the background.
    """

    role: str
    title: str
    actions: tuple[str, ...] = COUNTER_ACTIONS
    #: actions that need an opinion besides return / revoke / exception (e.g. approve,
    #: where the opinion is the centre's answer)
    requires_opinion: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown step role {self.role!r}; one of {sorted(ROLES)}")
        unknown = [a for a in self.actions if a not in ACTIONS]
        if unknown:
            raise ValueError(f"step {self.title!r}: unknown actions {unknown}")


@dataclass(frozen=True)
class ApprovalChain:
    """The steps an application passes after submission; empty means 发起即办结.

    The item's effect runs once, in the transaction of the action that completes the
    last step.
    """

    steps: tuple[Step, ...] = ()

    @property
    def instant(self) -> bool:
        return not self.steps

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(step.role for step in self.steps)


FIRST_REVIEW = Step("first_review", "柜面初审")
SECOND_REVIEW = Step("second_review", "柜面复核", COUNTER_ACTIONS + ("return_previous",))
VOUCHER_PRINT = Step("unit_voucher_print", "凭证打印", ("print",))
BACKGROUND_JOB = Step("job", "系统处理", ())

#: The chain shapes of the seeds.
INSTANT = ApprovalChain()  # 发起即办结
ONE_REVIEW = ApprovalChain((FIRST_REVIEW,))
TWO_REVIEWS = ApprovalChain((FIRST_REVIEW, SECOND_REVIEW))
REVIEW_THEN_PRINT = ApprovalChain((FIRST_REVIEW, VOUCHER_PRINT))  # Shaoguan
TWO_REVIEWS_THEN_PRINT = ApprovalChain((FIRST_REVIEW, SECOND_REVIEW, VOUCHER_PRINT))
ASYNC = ApprovalChain((BACKGROUND_JOB,))  # Shaanxi: 交易进度查询


@dataclass(frozen=True)
class VoucherLayout:
    """A printed voucher (凭证): title, a grid of header fields, a table with totals, the
    amount in figures and in Chinese capitals (大写), remarks, a seal area and the date.

    ``header_fields`` and ``table_columns`` are ``(key, title)`` pairs. The values come
    from ``values(db, application)`` (default: the unit, the application's numbers and
    its stored form, see :mod:`core.vouchers.data`) and the table's rows from
    ``rows(db, application)`` (default: the application's 清册). ``totals`` names the
    columns summed under the table; ``amount`` names the value printed in figures and
    in 大写 (a header key, or a column of ``totals``).
    """

    code: str
    title: str
    header_fields: tuple[tuple[str, str], ...] = ()
    table_columns: tuple[tuple[str, str], ...] = ()
    totals: tuple[str, ...] = ()
    seal: bool = True
    #: rows(db, application) -> list of dicts keyed by the table's column keys
    rows: Callable[..., list[dict]] | None = field(default=None, compare=False)
    #: values(db, application) -> dict of header values (merged over core's defaults)
    values: Callable[..., dict] | None = field(default=None, compare=False)
    amount: str | None = None
    remarks: str = ""
    #: the seal area's caption (盖章处)
    seal_title: str = "住房公积金管理中心（业务专用章）"


#: What an item's page looks like: one form; a form and a 清册 of rows; or the unit's
#: current values to edit, the differences staged in a 待变更清册 before submitting.
ITEM_KINDS = ("form", "list", "change")

#: The 清册 buttons an item's page can offer (增加, 导入, 导出, 修改, 删除, 详情); a city
#: narrows an item's to what its manual shows with the ``row_actions`` override.
ROW_ACTIONS = ("add", "import", "export", "edit", "delete", "detail")

#: 互联互通 checks an item's page can offer: 查询企业信息, 查询信用代码, 人口信息查询
#: (answered by the centre's look-up service, :mod:`core.interop`).
INTEROP_CHECKS = ("enterprise", "credit_code", "population")


@dataclass(frozen=True)
class BusinessItem:
    """A kind of business a unit can apply for (任务项).

    ``schema`` and ``row_schema`` are callables returning a fresh ``colander`` schema (a
    class works); the engine binds them with ``request``, ``centre``, ``db`` and ``unit``.
    Applications store the serialized form (strings), so the effect receives what the
    schema deserializes: ``Decimal``, ``date`` and codes, never floats.

    ``effect(books, application, values, rows)`` applies the business through the money
    engine (``core.money``) and may return a small JSON-able dict kept as the
    application's result; it runs once, when the chain completes. ``initial(db, unit)``
    gives the form's starting values (for a "change" item: the values now).
    """

    code: str
    title: str
    menu_path: tuple[str, ...] = ()
    chain: ApprovalChain = ApprovalChain()
    #: material types of its 电子档案 slots; None = core's defaults, () = no materials
    materials: tuple[str, ...] | None = None
    #: voucher layouts it prints; None = core's defaults, () = prints none
    vouchers: tuple[str, ...] | None = None
    collection_type: str | None = None  # JGJ/T 320 归集业务类型 code of its effect
    order: int = 100
    kind: str = "form"
    schema: Callable[[], Any] | None = None
    row_schema: Callable[[], Any] | None = None
    effect: Callable[..., dict | None] | None = None
    initial: Callable[..., dict] | None = None
    description: str = ""
    #: only the unit's administrator (经办人管理员) may apply (operator management)
    admin_only: bool = False
    #: 清册 fillers: ``(title, fill(db, unit) -> list of row cstructs)``, each a button
    #: on the item page ("查询可封存账户", "获取单位缴存人") and an export of its rows
    fillers: tuple[tuple[str, Callable[..., list[dict]]], ...] = field(default=(), compare=False)
    #: the 清册 buttons the page offers (a subset of :data:`ROW_ACTIONS`)
    row_actions: tuple[str, ...] = ROW_ACTIONS
    #: the 互联互通 checks the page offers (a subset of :data:`INTEROP_CHECKS`)
    checks: tuple[str, ...] = ()
    #: lists the page exports as Excel: ``(title, export(db, unit, application) ->
    #: (columns, rows))`` with columns ``((key, title), ...)`` (汇缴's three 清册)
    exports: tuple[tuple[str, Callable[..., Any]], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ITEM_KINDS:
            raise ValueError(f"item {self.code!r}: kind must be one of {ITEM_KINDS}")
        if unknown := set(self.row_actions) - set(ROW_ACTIONS):
            raise ValueError(f"item {self.code!r}: unknown row actions {sorted(unknown)}; use {ROW_ACTIONS}")
        if unknown := set(self.checks) - set(INTEROP_CHECKS):
            raise ValueError(f"item {self.code!r}: unknown checks {sorted(unknown)}; use {INTEROP_CHECKS}")
        if self.kind == "list" and self.row_schema is None:
            raise ValueError(f"item {self.code!r}: a list item needs a row_schema")


@dataclass(frozen=True, order=True)
class Violation:
    """A broken business rule: what the operator sees next to the field or row."""

    message: str
    field: str | None = None
    row: int | None = None
    code: str = "rule"

    def sort_key(self) -> tuple:
        return (self.row if self.row is not None else -1, self.field or "", self.code, self.message)


@dataclass(frozen=True)
class Operation:
    """An operation of the money engine, as the rules hook sees it before it is applied.

    ``kind`` is one of: open_account, seal, unseal, base_change, ratio_change,
    person_change, transfer, merge, close, verify_remittance, supplement, payment,
    annual_verification, interest, mispayment_adjustment, over_age_registration, and the
    standard items' unit operations: unit_info_change, bank_account, ratio_reduction,
    deferral, direct_debit, unit_deregistration. ``values`` holds what the operation is about (the
    person's ID number, the months, the amounts, ...): see each service's docstring.
    """

    kind: str
    unit_id: int | None
    account_id: int | None
    today: date
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """Something that happened that people should hear of (a message, a to-do)."""

    event: str  # e.g. "application.submitted", "application.returned"
    unit_id: int | None
    title: str
    body: str = ""
    application_id: int | None = None
    operator_id: int | None = None
    kind: str = "message"  # or "todo"
