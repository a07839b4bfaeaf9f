"""The hook specifications: the one public contract between core and plugins.

Every hook takes ``centre`` (a :class:`core.centres.Centre`) so a plugin can tell which
centre of a shared process is asking. Collected hooks return lists that core merges and
sorts by an explicit key, so the order plugins are registered in never matters; a
``firstresult`` hook stops at the first non-None result, and core's default is always
registered ``trylast``, so any plugin that answers wins over it.

``docs/hooks.md`` is generated from these docstrings (``python -m core.docs``); a test
fails when a hook lacks a docstring or the reference is stale.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("opengjj")
hookimpl = pluggy.HookimplMarker("opengjj")


@hookspec
def opengjj_login_methods(centre):
    """Declare the ways operators can log in to this centre's hall.

    Called once per centre at start-up. Return a list of
    :class:`core.contract.LoginMethod`. Collected from every plugin (not firstresult);
    core sorts them by ``(order, name)`` and refuses to start when two plugins declare
    the same ``name``. The login page shows one tab per method.

    Example::

        @hookimpl
        def opengjj_login_methods(centre):
            return [LoginMethod(name="password", title="密码登录",
                                fields=("id_no", "password"), order=10)]
    """


@hookspec
def opengjj_business_items(centre):
    """Define business items (任务项) that centres can offer.

    Called once per centre at start-up. Return a list of
    :class:`core.contract.BusinessItem`. Collected (not firstresult); an item ``code``
    defined twice, differently, stops start-up naming the code. Core defines the
    standard library; a city defines only the items core lacks.

    Example::

        @hookimpl
        def opengjj_business_items(centre):
            return [BusinessItem(code="annual_verification", title="年度核定",
                                 menu_path=("缴存业务",), collection_type="10")]
    """


@hookspec(firstresult=True)
def opengjj_enabled_items(centre):
    """Choose which business items this centre offers.

    Called once per centre at start-up. Return a list of item codes, or None to have no
    opinion. firstresult: stops at the first non-None result; core's default (trylast)
    enables every defined item. A code that no plugin defines stops start-up.

    Example::

        @hookimpl
        def opengjj_enabled_items(centre):
            return ["open_account", "seal", "unseal", "remittance"]
    """


@hookspec
def opengjj_item_overrides(centre, item):
    """Adjust a business item for this centre: title, menu place, materials, vouchers.

    Called once per enabled item at start-up, with the
    :class:`core.contract.BusinessItem` as defined. Return a dict of field names to new
    values, or None. Collected (not firstresult): all dicts are merged; two plugins
    setting the same field to different values stop start-up, naming the field, so
    the result never depends on plugin order.

    Example::

        @hookimpl
        def opengjj_item_overrides(centre, item):
            if item.code == "seal":
                return {"title": "缴存人账户封存", "menu_path": ("缴存人", "缴存人缴存服务")}
    """


@hookspec(firstresult=True)
def opengjj_approval_chain(centre, item):
    """Give the approval chain of a business item in this centre.

    Called when the centre's catalogue is built, once per enabled item. Return a
    :class:`core.contract.ApprovalChain` (an empty one means 发起即办结: the effect is
    applied on submission), or None. firstresult: stops at the first non-None result;
    core's default (trylast) returns the item's own ``chain``.

    Example::

        @hookimpl
        def opengjj_approval_chain(centre, item):
            if item.code == "seal":
                return TWO_REVIEWS  # core.contract: INSTANT, ONE_REVIEW, TWO_REVIEWS,
                                    # REVIEW_THEN_PRINT, ASYNC, or your own steps
    """


@hookspec
def opengjj_business_rules(centre, item, application, db):
    """Check an application against the centre's business rules.

    Called before an application is saved, submitted or approved, with its item, the
    application (a :class:`core.models.Application`, rows included) and the database
    session. Return a list of :class:`core.contract.Violation` (empty when all is well).
    Collected from every plugin (not firstresult); core sorts the violations by
    ``(row, field, code, message)`` and refuses the step while any remain.

    Example::

        @hookimpl
        def opengjj_business_rules(centre, item, application, db):
            if item.code == "base_adjustment" and application.business_month[5:] != "07":
                return [Violation("基数调整只能在每年7月办理", field="business_month")]
    """


@hookspec
def opengjj_operation_rules(centre, db, operation):
    """Check an operation of the money engine against the centre's rules.

    Called by every engine service (open an account, seal, verify a remittance, a
    supplement, ...) before it changes anything, with the database session and a
    :class:`core.contract.Operation`. Return a list of
    :class:`core.contract.Violation` (empty when all is well). Collected (not
    firstresult): the engine refuses the operation while any plugin objects, and shows
    every message, sorted. Core's own rules (no duplicate normal account, the deposit
    policy's ranges) are checked by the services themselves; :mod:`core.money.rules`
    offers ready-made rules a city can return from here (age limits, same-month unseal).

    Example::

        @hookimpl
        def opengjj_operation_rules(centre, db, operation):
            if operation.kind == "supplement":
                return [Violation("只能补缴本年度，往年请到柜台办理", field="month", row=n)
                        for n, line in enumerate(operation.values["lines"], start=1)
                        if line["month"] and line["month"] < "2026-07"]
    """


@hookspec(firstresult=True)
def opengjj_deposit_policy(centre, fund_year):
    """Give the deposit policy (base floor and cap, ratios, rounding) of a fund year.

    Called whenever an amount is computed, with ``fund_year`` the calendar year in which
    the fund year starts (fund year 2026 runs 2026-07-01 to 2027-06-30). Return a
    :class:`core.contract.DepositPolicy`, or None. firstresult: stops at the first
    non-None result; core's default (trylast) reads ``deposit.*`` centre settings.

    Example::

        @hookimpl
        def opengjj_deposit_policy(centre, fund_year):
            return DepositPolicy(base_floor=Decimal("1880"), base_cap=Decimal("28000"),
                                 rounding="up_jiao_to_yuan", personal_ratio_rule="equal")
    """


@hookspec
def opengjj_voucher_layouts(centre):
    """Declare voucher layouts (凭证) that items of this centre can print.

    Called once per centre at start-up. Return a list of
    :class:`core.contract.VoucherLayout`. Collected (not firstresult); a layout ``code``
    declared twice stops start-up. Items name the layouts they print by code, so a city
    replaces core's voucher by declaring its own layout and pointing the item at it with
    :func:`opengjj_item_overrides`.

    Example::

        @hookimpl
        def opengjj_voucher_layouts(centre):
            return [VoucherLayout(code="jc_seal_list", title="个人账户封存清册",
                                  table_columns=(("account_no", "个人账号"), ("name", "姓名")))]
    """


@hookspec
def opengjj_material_types(centre):
    """Declare the material types (电子档案 kinds) items can require.

    Called once per centre at start-up. Return a list of
    :class:`core.contract.MaterialType`. Collected (not firstresult); a ``code`` declared
    twice stops start-up; an item naming an undeclared type stops start-up.

    Example::

        @hookimpl
        def opengjj_material_types(centre):
            return [MaterialType("business_licence", "营业执照", required=True, max_count=1)]
    """


@hookspec
def opengjj_menu(centre, items):
    """Add entries to the hall's menu.

    Called once per centre at start-up with the centre's resolved items (a dict of code
    to :class:`core.contract.BusinessItem`). Return a list of
    :class:`core.contract.MenuEntry`. Collected (not firstresult); core sorts entries by
    ``(path, order, title)``. Core's default (trylast) places every item at its
    ``menu_path``.

    Example::

        @hookimpl
        def opengjj_menu(centre, items):
            return [MenuEntry(path=("查询",), title="缴存明细查询", url="queries/ledger")]
    """


@hookspec(firstresult=True)
def opengjj_theme(centre):
    """Give the centre's theme: its title, colours and the folders overriding core's.

    Called once per centre at start-up. Return a :class:`core.contract.Theme`, or None.
    firstresult: stops at the first non-None result; core's default (trylast) is the
    plain core theme. Template folders override core's templates file by file, for this
    centre only, even when several centres share one process.

    Example::

        @hookimpl
        def opengjj_theme(centre):
            return Theme(name="jincheng", title="晋城市住房公积金管理中心",
                         templates="themes.jincheng:templates/",
                         static="themes.jincheng:static/")
    """


@hookspec
def opengjj_notify(centre, db, notification):
    """Hear about an event that people should be told of (消息, 待办).

    Called inside the transaction of the step that caused it, with the database session
    and a :class:`core.contract.Notification`. Return value ignored; every
    implementation is called (not firstresult). Core's default records the message for
    the hall's task centre; an SMS plugin may text the operator. Work that talks to the
    outside world belongs in a job enqueued after commit, not here.

    Example::

        @hookimpl
        def opengjj_notify(centre, db, notification):
            if notification.event == "application.returned":
                request_sms(notification.operator_id, notification.title)
    """


@hookspec
def opengjj_demo_data(centre, db, rng, policy):
    """Add this plugin's demo data to a centre's empty database (``gjj demo``).

    Called once per centre by ``gjj demo``, inside one transaction, with ``rng`` a
    ``random.Random`` seeded from the centre's name (the data is the same on every
    machine) and ``policy(fund_year)`` giving the centre's
    :class:`core.contract.DepositPolicy`. Core's implementation runs first
    (``tryfirst``), so a city's demo data can refer to core's demo units and persons.
    Return value ignored (not firstresult).

    Example::

        @hookimpl
        def opengjj_demo_data(centre, db, rng, policy):
            db.add(Message(unit_id=1, title="欢迎使用网上服务大厅"))
    """


@hookspec
def opengjj_record_queries(centre):
    """Declare record queries (记录查询) of the hall: 流水, 清册, 明细, 变更, 对账单 ...

    Called once per centre at start-up, when the web app is built (and by
    :func:`core.queries.collect`). Return a list of :class:`core.queries.RecordQuery`.
    Collected from every plugin (not firstresult); core sorts the queries by
    ``(menu_path, menu_order, code)`` and refuses to start when a ``code`` is declared
    twice, differently; the centre setting ``queries.disabled`` (codes) hides some.
    Core's standard queries are in :mod:`core.queries.standard`. Every query is
    filtered by the operator's unit, always: a ``source`` select must label a
    ``unit_id`` column. Core's menu lists core's queries; a plugin adding a query also
    returns ``core.queries.menu_entries([query])`` from :func:`opengjj_menu`.

    Example::

        @hookimpl
        def opengjj_record_queries(centre):
            le = LedgerEntry
            return [RecordQuery(
                code="interest_lines", title="结息明细", totals=("interest",),
                columns=(QueryColumn("booked_on", "日期", "date"),
                         QueryColumn("interest", "利息(元)", "money")),
                filters=(QueryFilter("booked_on", "日期", "date_range", column="booked_on"),),
                order=("-booked_on",),
                source=lambda unit_id, values: select(le.id, le.unit_id, le.booked_on, le.interest)
                    .where(le.kind == "unit", le.unit_id == unit_id, le.business_type == "09"))]
    """


@hookspec(firstresult=True)
def opengjj_lookup_service(centre):
    """Give the centre's 互联互通 look-up service (enterprise, credit code, population).

    Called on every check an operator asks from an item's page (查询企业信息,
    查询信用代码, 人口信息查询), so keep it cheap: hold clients and connection pools at
    module level. Return an object implementing :class:`core.interop.LookupService`
    (subclassing :class:`core.interop.RecordLookup` is the short way), or None.
    firstresult: stops at the first non-None result; core's default (trylast) builds
    the backend named by the centre setting ``interop.backend``: ``registry`` (the
    development registry, the default), ``unavailable``, or ``pkg.module:Class``. A
    backend that cannot reach its platform raises :class:`core.interop.ServiceUnavailable`.

    Example::

        @hookimpl
        def opengjj_lookup_service(centre):
            if centre.setting("province.platform_url"):
                return ProvincePlatform(centre.setting("province.platform_url"))
    """
