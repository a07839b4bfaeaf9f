"""Schema, migrations, exact money and per-centre isolation, on SQLite and PostgreSQL."""
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from webtest import TestApp

from core.centres import Centre
from core.cli import main as gjj
from core.db import make_engine, make_sessionmaker, session_scope
from core.db.migrate import current_revision, downgrade, head_revision, upgrade
from core.models import Account, Base, LedgerEntry, Person, Unit
from tests.conftest import build, make_settings


@pytest.fixture
def centre(database_url):
    return Centre(name="demo", title="测试中心", city="kaifeng", database_url=database_url)


@pytest.fixture
def engine(centre):
    engine = make_engine(centre)
    yield engine
    engine.dispose()


def test_migrations_upgrade_an_empty_database_to_head_and_back_down(centre, engine):
    assert current_revision(engine) is None
    upgrade(centre, engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    downgrade(centre, engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(centre, engine)  # and up again: downgrade leaves nothing behind
    assert current_revision(engine) == head_revision()


def test_migrated_schema_matches_the_models(centre, engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(centre, engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], "models changed without a migration: alembic revision --autogenerate"


def test_money_is_exact_decimal_and_refuses_floats(centre, engine):
    upgrade(centre, engine)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as db:
        unit = Unit(unit_no="U1", name="单位", balance=Decimal("12345678901234.56"), suspense=Decimal("0.10"))
        db.add(unit)
        db.flush()
        db.add(Person(name="张三", id_no="140502199001011234"))
        db.flush()
        db.add_all(LedgerEntry(flow_no=f"F{i}", kind="suspense", unit_id=unit.id, business_type="01",
                               amount=Decimal("0.10"), booked_on=unit.created_at.date()) for i in range(3))
    with session_scope(factory) as db:
        unit = db.scalars(select(Unit)).one()
        assert unit.balance == Decimal("12345678901234.56") and isinstance(unit.balance, Decimal)
        from sqlalchemy import func

        total = db.scalar(select(func.sum(LedgerEntry.amount)))
        assert total == Decimal("0.30") and isinstance(total, Decimal)  # 0.1 * 3 exactly, no float drift
        unit.balance = 0.3
        with pytest.raises(Exception, match="Decimal, never float"):
            db.flush()
        db.rollback()
    with session_scope(factory) as db:
        db.scalars(select(Unit)).one().suspense = Decimal("0.001")
        with pytest.raises(Exception, match="more than 2 decimal places"):
            db.flush()
        db.rollback()


def test_a_person_has_one_normal_account_per_centre(centre, engine):
    from sqlalchemy.exc import IntegrityError

    upgrade(centre, engine)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as db:
        unit = Unit(unit_no="U1", name="单位")
        person = Person(name="张三", id_no="140502199001011234")
        db.add_all([unit, person])
        db.flush()
        db.add(Account(account_no="A1", person_id=person.id, unit_id=unit.id, state="02"))
        db.add(Account(account_no="A2", person_id=person.id, unit_id=unit.id, state="01"))
    with pytest.raises(IntegrityError):
        with session_scope(factory) as db:
            db.add(Account(account_no="A3", person_id=1, unit_id=1, state="01"))
    with pytest.raises(IntegrityError):  # codes are the standard's
        with session_scope(factory) as db:
            db.add(Account(account_no="A4", person_id=1, unit_id=1, state="07"))


@pytest.mark.postgresql
@pytest.mark.parametrize("layout", ["database per centre", "schema per centre"])
def test_rows_never_cross_centres_on_postgresql(tmp_path, pg_databases, layout):
    if layout == "database per centre":
        urls = {name: pg_databases(name) for name in ("jincheng", "kaifeng")}
        extra = {f"opengjj.centre.{name}.database_url": url for name, url in urls.items()}
    else:
        extra = {"opengjj.database_url": pg_databases("shared"), "opengjj.database_schema": "centre_{centre}"}
    app = build(make_settings(tmp_path, centres=("jincheng", "kaifeng"), **extra))
    assert all(r.engine.dialect.name == "postgresql" for r in app.runtimes.values())
    with app.runtimes["jincheng"].session() as db:
        db.add(Unit(unit_no="1401000001", name="晋城某单位"))
    with app.runtimes["jincheng"].session() as db:
        assert db.scalars(select(Unit.name)).all() == ["晋城某单位"]
    with app.runtimes["kaifeng"].session() as db:
        assert db.scalars(select(Unit)).all() == []
    web = TestApp(app)
    assert web.get("/jincheng/").html.select_one(".unit-count").text == "1"
    assert web.get("/kaifeng/").html.select_one(".unit-count").text == "0"


def write_ini(tmp_path, settings) -> str:
    ini = tmp_path / "app.ini"
    ini.write_text("[app:main]\nuse = egg:opengjj\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    return str(ini)


def test_gjj_db_upgrade_demo_and_check(tmp_path, capsys):
    ini = write_ini(tmp_path, make_settings(tmp_path, centres=("jincheng", "shaanxi")))
    assert gjj(["-c", ini, "db", "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"jincheng: {head_revision()} (head {head_revision()})", f"shaanxi: {head_revision()} (head {head_revision()})"]
    assert gjj(["-c", ini, "demo", "--logins"]) == 0
    out = capsys.readouterr().out
    assert "jincheng: demo data loaded" in out and "柜员: clerk1  密码 Demo@2026" in out
    assert gjj(["-c", ini, "demo"]) == 0
    assert capsys.readouterr().out == "jincheng: already has data, demo not loaded\nshaanxi: already has data, demo not loaded\n"
    assert gjj(["-c", ini, "check"]) == 0
    assert capsys.readouterr().out == "jincheng: ok\nshaanxi: ok\n"

    # tamper with one account's balance: the check names it and fails
    engine = make_engine(Centre(name="x", title="x", city="x", database_url=f"sqlite:///{tmp_path}/shaanxi.sqlite"))
    with session_scope(make_sessionmaker(engine)) as db:
        account = db.scalars(select(Account).order_by(Account.account_no)).first()
        account.balance += Decimal("0.01")
        number = account.account_no
    assert gjj(["-c", ini, "check"]) == 1
    out = capsys.readouterr().out
    assert "shaanxi: 3 discrepancies" in out
    assert f"账户余额≠明细合计: account {number}" in out
    assert f"账户余额≠最后一笔明细的余额: account {number}" in out
    assert "单位余额≠个人账户合计+暂存款: unit 6100000001" in out


@pytest.mark.postgresql
def test_demo_data_is_the_same_on_every_database(tmp_path, pg_databases, capsys):
    def fingerprint(url):
        centre = Centre(name="kaifeng", title="开封", city="kaifeng", database_url=url)
        engine = make_engine(centre)
        with session_scope(make_sessionmaker(engine)) as db:
            rows = db.execute(select(Account.account_no, Account.base, Account.balance, Account.paid_to, Person.id_no)
                              .join(Person).order_by(Account.account_no)).all()
        engine.dispose()
        return rows

    sqlite_ini = write_ini(tmp_path, make_settings(tmp_path, centres=("kaifeng",)))
    pg_dir = tmp_path / "pg"
    pg_dir.mkdir()
    pg_url = pg_databases("demo")
    pg_ini = write_ini(pg_dir, make_settings(pg_dir, centres=("kaifeng",), **{"opengjj.database_url": pg_url}))
    for ini in (sqlite_ini, pg_ini):
        assert gjj(["-c", ini, "db", "upgrade"]) == 0
        assert gjj(["-c", ini, "demo"]) == 0
        assert gjj(["-c", ini, "check"]) == 0
    on_sqlite, on_pg = fingerprint(f"sqlite:///{tmp_path}/kaifeng.sqlite"), fingerprint(pg_url)
    assert len(on_sqlite) == 270
    assert on_sqlite == on_pg
    from stdnum.cn import ric

    assert all(ric.is_valid(row.id_no) for row in on_sqlite)  # demo IDs pass the centre's own checks
