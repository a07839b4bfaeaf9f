"""A real city's centre (its config/<city>.ini and plugin) on PostgreSQL, demo loaded.

Loading a demo takes seconds, so it is loaded once into a template database per test
module and each test gets a fresh copy (``CREATE DATABASE ... TEMPLATE``, ~0.3 s).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from core.demo import load_demo
from tests.conftest import build, libpq_dsn, make_settings


def _admin(pg_server: str, sql: str) -> None:
    with psycopg.connect(libpq_dsn(pg_server), autocommit=True) as conn:
        conn.execute(sql)


def _url(pg_server: str, name: str) -> str:
    return make_url(pg_server).set(database=name).render_as_string(hide_password=False)


def city_settings(city: str, url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return make_settings(tmp_path, centres=(city,), **{
        "opengjj.database_url": url, "opengjj.materials.path": str(tmp_path / "materials" / "{centre}"), **extra})


@contextmanager
def demo_template(pg_server: str, city: str, tmp_path: Path) -> Iterator[str]:
    """A database holding ``city``'s demo, to copy; dropped afterwards."""
    from core.db import dispose_engines

    name = f"opengjj_test_{city}_template_{uuid.uuid4().hex[:8]}"
    _admin(pg_server, f'CREATE DATABASE "{name}"')
    try:
        app = build(city_settings(city, _url(pg_server, name), tmp_path))
        load_demo(app.runtimes[city])
        dispose_engines()  # a template must have no open connections
        yield name
    finally:
        dispose_engines()
        _admin(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def city_app(pg_server: str, city: str, template: str, tmp_path: Path, **settings: str):
    """The city's WSGI app on a fresh copy of the template database."""
    from core.db import dispose_engines

    name = f"opengjj_test_{city}_{uuid.uuid4().hex[:8]}"
    _admin(pg_server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield build(city_settings(city, _url(pg_server, name), tmp_path, **settings))
    finally:
        dispose_engines()
        _admin(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
