"""A throwaway PostgreSQL centre for the benchmarks: created, migrated, dropped after."""
from __future__ import annotations

import contextlib
import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.catalogue import build_catalogue  # noqa: E402
from core.centres import Centre  # noqa: E402
from core.db import make_engine, make_sessionmaker  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.jobs import make_job_service  # noqa: E402
from core.plugins import make_plugin_manager  # noqa: E402
from core.runtime import CentreRuntime  # noqa: E402

SERVER = os.environ.get("OPENGJJ_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def throwaway_centre() -> Iterator[CentreRuntime]:
    """A centre's runtime on a new, migrated PostgreSQL database, dropped on exit."""
    name = f"opengjj_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = None
    try:
        centre = Centre(name="bench", title="bench", city="kaifeng", plugins=("password_login",),
                        database_url=make_url(SERVER).set(database=name).render_as_string(hide_password=False))
        engine = make_engine(centre)
        upgrade(centre, engine)
        pm = make_plugin_manager(centre)
        yield CentreRuntime(centre=centre, pm=pm, catalogue=build_catalogue(centre, pm), engine=engine,
                            sessionmaker=make_sessionmaker(engine), jobs=make_job_service(centre, {}))
    finally:
        if engine is not None:
            engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(runtime: CentreRuntime, script: str, **params) -> None:
    """Run a ';'-separated SQL script in one transaction, then analyse."""
    with runtime.engine.begin() as conn:
        for statement in filter(str.strip, script.split(";")):
            conn.execute(text(statement), params)
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
