"""Alembic environment.

``gjj db upgrade`` passes each centre's connection in ``config.attributes``. The plain
``alembic`` command works too (``alembic -c config/alembic.ini -x centre=jincheng upgrade
head``): the app ini named by ``-x ini=`` (default development.ini) says where the
centre's database is.
"""
from alembic import context

from core.models import Base

target_metadata = Base.metadata


def _connection_from_settings():
    from pyramid.paster import get_appsettings

    from core.centres import load_centres
    from core.db import make_engine
    from core.settings import with_environment

    args = context.get_x_argument(as_dictionary=True)
    settings = with_environment(get_appsettings(args.get("ini", "development.ini")))
    centres = {c.name: c for c in load_centres(settings)}
    try:
        centre = centres[args["centre"]]
    except KeyError:
        raise SystemExit(f"name the centre: -x centre=<one of {', '.join(centres)}>")
    return make_engine(centre).connect()


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    owned = connection is None
    if owned:
        connection = _connection_from_settings()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if owned:
            connection.commit()
    finally:
        if owned:
            connection.close()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run against a database")
run_migrations()
