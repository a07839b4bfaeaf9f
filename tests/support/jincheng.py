"""Fixtures for the Jincheng test modules: import them (``from tests.support.jincheng
import app, demo, runtime, template``) to walk the real Jincheng centre on PostgreSQL."""
from __future__ import annotations

import pytest

from tests.support.city import city_app, demo_template
from tests.support.web import demo_facts


@pytest.fixture(scope="module")
def template(pg_server, tmp_path_factory):
    with demo_template(pg_server, "jincheng", tmp_path_factory.mktemp("jc")) as name:
        yield name


@pytest.fixture
def app(pg_server, template, tmp_path):
    with city_app(pg_server, "jincheng", template, tmp_path) as app:
        yield app


@pytest.fixture
def runtime(app):
    return app.runtimes["jincheng"]


@pytest.fixture
def demo(runtime):
    return demo_facts(runtime)
