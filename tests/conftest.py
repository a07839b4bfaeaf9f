"""Shared fixtures: apps built from real settings, PostgreSQL databases, Redis.

PostgreSQL and Redis come from OPENGJJ_TEST_DATABASE_URL (a database the tests may
create other databases from) and OPENGJJ_TEST_REDIS_URL (a database number the tests
may flush). When a server is unreachable its tests are skipped with the reason, unless
OPENGJJ_REQUIRE_SERVICES=1 (as .ci/run sets), which turns that into a failure.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

# Compiled templates are kept on disk, so the many apps the tests build share them
# (read by chameleon at import, hence before anything imports it).
os.environ.setdefault("CHAMELEON_CACHE", tempfile.mkdtemp(prefix="opengjj-chameleon-"))

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url
from webtest import TestApp

from core.settings import ENVIRONMENT, as_bool

REPO = Path(__file__).resolve().parent.parent
PLUGIN_DIST = Path(__file__).resolve().parent / "plugin_dist"
PG_URL = os.environ.get("OPENGJJ_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("OPENGJJ_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = as_bool(os.environ.get("OPENGJJ_REQUIRE_SERVICES", ""))
DEMO_CENTRES = ("jincheng", "shaoguan", "kaifeng", "shaanxi")


def _unavailable(what: str, error: Exception):
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (OPENGJJ_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _no_deployment_environment(monkeypatch):
    # The deployment's OPENGJJ_* variables must not leak into the apps tests build.
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def _close_connections():
    # Close the pools of the apps a test built, so a PostgreSQL connection is never left
    # for the garbage collector (a ResourceWarning, an error here, in some later test).
    yield
    from core.db import dispose_engines

    dispose_engines()


def libpq_dsn(url: str) -> str:
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server() -> str:
    try:
        with psycopg.connect(libpq_dsn(PG_URL), connect_timeout=3):
            pass
    except psycopg.Error as error:
        _unavailable(f"PostgreSQL at {make_url(PG_URL).render_as_string()}", error)
    return PG_URL


@pytest.fixture
def pg_databases(pg_server):
    """``new()`` creates an empty PostgreSQL database and returns its URL; all are dropped after."""
    created: list[str] = []

    def new(label: str = "db") -> str:
        name = f"opengjj_test_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(libpq_dsn(pg_server), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_url(pg_server).set(database=name).render_as_string(hide_password=False)

    yield new
    from core.db import dispose_engines

    dispose_engines()
    with psycopg.connect(libpq_dsn(pg_server), autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {REDIS_URL}", error)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def make_settings(tmp_path: Path, centres=DEMO_CENTRES, **extra: str) -> dict[str, str]:
    settings = {
        "opengjj.centres": " ".join(centres),
        "opengjj.centre_dir": str(REPO / "config"),
        "opengjj.database_url": f"sqlite:///{tmp_path}/{{centre}}.sqlite",
        "opengjj.jobs.backend": "inline",
        "opengjj.jobs.queue_prefix": f"test-{uuid.uuid4().hex[:8]}",
        "opengjj.session_secret": "tests-only-secret",
        "opengjj.sms.backend": "outbox",
    }
    settings.update(extra)
    return settings


_sqlite_template: list[Path] = []


def _migrated_sqlite_file(tmp_root: Path) -> Path:
    """A SQLite file migrated to head, made once per test session and copied per test."""
    if not _sqlite_template:
        from core.centres import Centre
        from core.db import make_engine
        from core.db.migrate import upgrade

        tmp_root.mkdir(parents=True, exist_ok=True)
        path = tmp_root / "template.sqlite"
        path.unlink(missing_ok=True)
        centre = Centre(name="template", title="template", city="none", database_url=f"sqlite:///{path}")
        engine = make_engine(centre)
        upgrade(centre, engine)
        engine.dispose()
        _sqlite_template.append(path)
    return _sqlite_template[0]


def build(settings: dict[str, str], migrate: bool = True):
    """The WSGI app for these settings, every centre migrated to head."""
    import shutil

    from core.app import make_app
    from core.centres import load_centres
    from core.db.migrate import upgrade

    if migrate:
        for centre in load_centres(settings):
            url = make_url(centre.database_url)
            if url.get_backend_name() == "sqlite" and not Path(url.database).exists():
                template = _migrated_sqlite_file(Path(tempfile.gettempdir()) / f"opengjj-{os.getpid()}")
                shutil.copyfile(template, url.database)
    app = make_app(settings)
    if migrate:
        for runtime in app.runtimes.values():
            if runtime.engine.dialect.name != "sqlite":
                upgrade(runtime.centre, runtime.engine)
    return app


@pytest.fixture
def demo_app(tmp_path):
    """The four demo centres on SQLite, migrated, empty."""
    return build(make_settings(tmp_path))


@pytest.fixture
def web(demo_app) -> TestApp:
    return TestApp(demo_app)


@pytest.fixture
def plugin_dist(monkeypatch) -> Path:
    """Make the test-only plugin distribution under tests/plugin_dist visible to importlib.metadata."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIST))
    yield PLUGIN_DIST
    import sys

    for name in [m for m in sys.modules if m.startswith("opengjj_testcity")]:
        del sys.modules[name]


def write_centre(config_dir: Path, name: str, **values: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    lines = ["[centre]"] + [f"{key} = {value}" for key, value in values.items()]
    (config_dir / f"{name}.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plugin(**hooks):
    """An object implementing the given hooks: ``plugin(opengjj_theme=lambda centre: ...)``."""
    from core.hookspecs import hookimpl

    return type("Plugin", (), {name: hookimpl(staticmethod(f)) for name, f in hooks.items()})()


def make_runtime(url: str, *plugins, settings: dict[str, str] | None = None, migrate: bool = True):
    """One centre's runtime on ``url`` (migrated to head), with these plugins registered
    after core's and the city's, as a plugin author's test would build it."""
    from core.catalogue import build_catalogue
    from core.centres import Centre
    from core.db import make_engine, make_sessionmaker
    from core.db.migrate import upgrade
    from core.jobs import make_job_service
    from core.plugins import make_plugin_manager
    from core.runtime import CentreRuntime

    centre = Centre(name="testing", title="测试中心", city="kaifeng", database_url=url,
                    plugins=("password_login",), settings=settings or {})
    engine = make_engine(centre)
    if migrate:
        upgrade(centre, engine)
    pm = make_plugin_manager(centre)
    for p in plugins:
        pm.register(p)
    runtime = CentreRuntime(centre=centre, pm=pm, catalogue=build_catalogue(centre, pm), engine=engine,
                            sessionmaker=make_sessionmaker(engine),
                            jobs=make_job_service(centre, {"opengjj.jobs.queue_prefix": f"t{uuid.uuid4().hex[:8]}"}))
    runtime.jobs.bind(runtime)
    return runtime


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/centre.sqlite"
    return request.getfixturevalue("pg_databases")(request.node.name.split("[")[0][5:25])


# --- a demo centre's hall, for test modules that define an ``app`` fixture ---------------
# (tests.support.web.make_centre_app); a module's own fixture of the same name wins.

@pytest.fixture
def runtime(app):
    """The "testhall" centre's runtime."""
    return app.runtimes["testhall"]


@pytest.fixture
def demo(runtime):
    from tests.support.web import demo_facts

    return demo_facts(runtime)


@pytest.fixture
def hall(app, demo):
    """The first unit's operator, signed in."""
    from tests.support.web import Client

    client = Client(app)
    client.login(demo.operator_id_no).follow()
    return client
