"""A test centre with the demo loaded, and a browser-like client for its two faces."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from webtest import TestApp

from core.demo import DEMO_PASSWORD, load_demo
from core.models import Account, Operator, Unit
from tests.conftest import build, make_settings, write_centre

#: The chain shapes of the seeds, declared the way a centre declares them.
CHAINS = {
    "chain.open_accounts": "instant",
    "chain.unit_ratio_adjustment": "first_review",
    "chain.mispayment_adjustment": "first_review second_review",
    "chain.seal": "first_review unit_voucher_print",
    "chain.remittance": "job",
}


def make_centre_app(tmp_path: Path, database_url: str | None = None, **settings: str):
    """Centre "testhall" at /c (the seeds' chain shapes declared in its settings) and
    centre "other" at /o, demo data loaded. With ``database_url`` only "testhall" is
    built, on that database."""
    config = tmp_path / "config"
    write_centre(config, "testhall", title="测试市住房公积金管理中心", city="none", plugins="password_login",
                 prefix="/c", **{"login.password.fields": "id_no password", "deposit.base_floor": "1880",
                                 "deposit.base_cap": "25419", "demo.unit_no_prefix": "9900", **CHAINS})
    write_centre(config, "other", title="另一中心", city="kaifeng", plugins="password_login", prefix="/o",
                 **{"login.password.fields": "id_no password", "deposit.base_floor": "1880",
                    "deposit.base_cap": "25419", "demo.unit_no_prefix": "9800"})
    extra = {"opengjj.centre_dir": str(config), **settings}
    if database_url is not None:
        extra["opengjj.database_url"] = database_url
        extra["opengjj.centres"] = "testhall"
    app = build(make_settings(tmp_path, centres=("testhall", "other"), **extra))
    for runtime in app.runtimes.values():
        load_demo(runtime)
    return app


@dataclass
class Demo:
    """Who and what the demo holds in the test centre."""

    unit_id: int
    unit_no: str
    operator_id_no: str
    other_operator_id_no: str
    accounts: list[str]  # normal account numbers of the first unit


def demo_facts(runtime) -> Demo:
    with runtime.session() as db:
        units = db.scalars(select(Unit).order_by(Unit.id)).all()
        operators = {o.unit_id: o.id_no for o in db.scalars(select(Operator))}
        accounts = list(db.scalars(select(Account.account_no).where(
            Account.unit_id == units[0].id, Account.state == "01").order_by(Account.account_no)))
        return Demo(units[0].id, units[0].unit_no, operators[units[0].id], operators[units[1].id], accounts)


class Client:
    """A user of one centre: logs in, opens pages, fills and submits forms."""

    def __init__(self, app, prefix: str = "/c"):
        self.web = TestApp(app)
        self.prefix = prefix

    def url(self, path: str) -> str:
        return self.prefix + path

    def get(self, path: str, **kw):
        return self.web.get(self.url(path), **kw)

    def post(self, path: str, params: dict, **kw):
        params = {**params, "csrf_token": self.csrf()}
        return self.web.post(self.url(path), params, **kw)

    def csrf(self) -> str:
        page = self.get("/login")
        return page.html.find("input", {"name": "csrf_token"})["value"]

    def login(self, id_no: str, password: str = DEMO_PASSWORD):
        page = self.get("/login")
        form = page.forms[0]
        form["id_no"], form["password"] = id_no, password
        return form.submit()

    def login_clerk(self, name: str, password: str = DEMO_PASSWORD):
        page = self.get("/counter/login")
        form = page.forms[0]
        form["login_name"], form["password"] = name, password
        return form.submit()

    def item(self, code: str, **query):
        return self.get(f"/hall/items/{code}", params=query)


def fill(form, **values):
    for name, value in values.items():
        form[name] = value
    return form

