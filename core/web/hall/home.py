"""The hall's home: the unit, its accounts, the operator, the task centre, common
functions, deposit statistics and the menu."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import func, select

from core.codes import AccountState, CollectionType
from core.models import Account, LedgerEntry, RemittanceVerification, Unit
from core.web.display import Bar, bar_chart
from core.web.hall.tasks import kinds, task_lists
from core.web.security import HallRoot
from core.web.views import menu_tree

CHART_MONTHS = 12


def unit_figures(db, unit_id: int) -> dict:
    rows = dict(db.execute(select(Account.state, func.count()).where(Account.unit_id == unit_id)
                           .group_by(Account.state)).all())
    monthly = db.scalar(select(func.coalesce(func.sum(Account.monthly_amount), 0)).where(
        Account.unit_id == unit_id, Account.state == AccountState.NORMAL.value))
    return {"normal": rows.get(AccountState.NORMAL.value, 0), "sealed": rows.get(AccountState.SEALED.value, 0),
            "monthly": Decimal(monthly)}


def deposit_bars(db, unit_id: int, today: date | None = None) -> list[Bar]:
    """The last 12 months deposited: the amounts of the unit's own ledger lines (one per
    flow, so a few dozen rows even for a large unit) and the headcount of the paid
    remittance verifications of those months."""
    since = (today or date.today()) - timedelta(days=CHART_MONTHS * 31 + 31)
    amounts = db.execute(
        select(LedgerEntry.month, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.unit_id == unit_id, LedgerEntry.kind == "unit", LedgerEntry.booked_on >= since,
               LedgerEntry.month.is_not(None),
               LedgerEntry.business_type.in_([CollectionType.REMITTANCE.value, CollectionType.SUPPLEMENT.value]))
        .group_by(LedgerEntry.month).order_by(LedgerEntry.month.desc()).limit(CHART_MONTHS)).all()
    heads = dict(db.execute(
        select(RemittanceVerification.month, func.sum(RemittanceVerification.headcount))
        .where(RemittanceVerification.unit_id == unit_id, RemittanceVerification.status == "paid",
               RemittanceVerification.month.in_([month for month, _ in amounts]))
        .group_by(RemittanceVerification.month)).all())
    return [Bar(month, Decimal(amount), int(heads.get(month) or 0)) for month, amount in reversed(amounts)]


@view_config(route_name="hall", context=HallRoot, permission="hall", renderer="core.web:templates/hall/home.pt")
def home(request):
    operator = request.user
    catalogue = request.registry.runtime.catalogue
    unit = request.db.get(Unit, operator.unit_id)
    favourites = [catalogue.items[c] for c in operator.favourites or () if c in catalogue.items]
    bars = deposit_bars(request.db, unit.id)
    return {
        "unit": unit, "operator": operator, "figures": unit_figures(request.db, unit.id),
        "tasks": task_lists(request, limit=5), "task_titles": kinds(request), "favourites": favourites,
        "addable": [i for i in catalogue.items.values() if i not in favourites and i.menu_path],
        "chart": bar_chart(bars), "bars": bars, "menu": menu_tree(catalogue.menu),
    }


@view_config(route_name="hall_favourites", context=HallRoot, permission="hall", request_method="POST")
def favourites(request):
    """常用功能: add or remove an item (a preference, not business: no history row)."""
    operator = request.user
    code = request.POST.get("item", "")
    current = list(operator.favourites or ())
    if request.POST.get("do") == "remove":
        current = [c for c in current if c != code]
    elif code in request.registry.runtime.catalogue.items and code not in current:
        current.append(code)
    operator.favourites = current
    return HTTPSeeOther(request.route_url("hall"))
