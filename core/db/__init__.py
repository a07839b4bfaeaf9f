"""Database plumbing: one engine per centre, one session per request or job.

``request.db`` is a SQLAlchemy session joined to the request's transaction
(pyramid_tm + zope.sqlalchemy): it commits when the view returns and rolls back when it
raises. Scripts and jobs use :func:`session_scope` with their own transaction manager.
"""
from __future__ import annotations

import contextlib
import os
import weakref
from pathlib import Path
from typing import Iterator

import transaction
import zope.sqlalchemy
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.centres import Centre

_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _dispose_inherited_pools() -> None:
    # A forked child (an rq work horse) must not reuse its parent's connections
    # (ckan #3243): drop them without closing the parent's sockets.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_inherited_pools)


def dispose_engines() -> None:
    """Close every pooled connection of this process (tests, and a clean shutdown)."""
    for engine in list(_engines):
        engine.dispose()


def make_engine(centre: Centre, **kwargs) -> Engine:
    url = make_url(centre.database_url)
    connect_args: dict = {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    elif url.get_backend_name() == "postgresql" and centre.schema:
        # One database, one schema per centre: every statement of this engine runs
        # inside the centre's schema, migrations included.
        connect_args["options"] = f"-c search_path={centre.schema}"
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    _engines.add(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite would start transactions itself, lazily, so a SAVEPOINT issued first ran
    # outside one and its RELEASE committed: let SQLAlchemy emit BEGIN (its documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def join_transaction(session: Session, tm: transaction.TransactionManager) -> Session:
    session.info["opengjj.tm_events"] = zope.sqlalchemy.register(session, transaction_manager=tm)
    return session


def mark_changed(session: Session) -> None:
    """Tell the transaction a bulk statement changed data (zope.sqlalchemy #88): without
    it a transaction whose only writes are ``session.execute(insert/update)`` rolls back."""
    events = session.info.get("opengjj.tm_events")
    if events is not None:
        events.mark_changed(session)


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in its own transaction, committed on success, for scripts and jobs."""
    tm = transaction.TransactionManager(explicit=True)
    session = factory()
    try:
        with tm:
            yield join_transaction(session, tm)
    finally:
        session.close()


def _request_db(request) -> Session:
    session = request.registry.runtime.sessionmaker()
    join_transaction(session, request.tm)
    request.add_finished_callback(lambda _request: session.close())
    return session


def includeme(config) -> None:
    config.add_request_method(_request_db, "db", reify=True)
