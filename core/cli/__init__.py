"""``gjj``: the command line of an OpenGJJ installation.

Every command reads an ini file like pserve does (``-c``, default ``$OPENGJJ_INI`` or
``development.ini``) and acts on every configured centre unless ``--centre`` narrows it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import Sequence

from core.centres import ConfigurationError
from core.plugins import PluginNotInstalled


def _settings(path: str) -> dict[str, str]:
    from pyramid.paster import get_appsettings, setup_logging

    if not os.path.exists(path):
        raise ConfigurationError(f"configuration file {path} does not exist")
    setup_logging(path)
    from core.settings import with_environment

    return with_environment(get_appsettings(path))


def _runtimes(args) -> list:
    from core.runtime import build_runtimes

    runtimes = build_runtimes(_settings(args.config))
    if args.centre:
        runtimes = [r for r in runtimes if r.centre.name in args.centre]
        missing = set(args.centre) - {r.centre.name for r in runtimes}
        if missing:
            raise ConfigurationError(f"no such centre: {', '.join(sorted(missing))}")
    return runtimes


def cmd_db(args, out) -> int:
    from core.db import migrate

    for runtime in _runtimes(args):
        centre = runtime.centre
        if args.action == "upgrade":
            migrate.upgrade(centre, runtime.engine, args.revision or "head")
        elif args.action == "downgrade":
            migrate.downgrade(centre, runtime.engine, args.revision or "-1")
        print(f"{centre.name}: {migrate.current_revision(runtime.engine) or '(empty)'} "
              f"(head {migrate.head_revision()})", file=out)
    return 0


def cmd_demo(args, out) -> int:
    from core.demo import demo_logins, load_demo

    for runtime in _runtimes(args):
        centre = runtime.centre
        loaded = load_demo(runtime)
        print(f"{centre.name}: " + ("demo data loaded" if loaded else "already has data, demo not loaded"), file=out)
        with runtime.session() as db:
            if args.logins:
                for login in demo_logins(centre, db):
                    who = f"单位 {login.unit_no} 经办人" if login.role == "operator" else "柜员"
                    ident = f"证件号 {login.id_no} / 登录名 {login.login_name}" if login.id_no else login.login_name
                    print(f"    {who}: {ident}  密码 {login.password}", file=out)
    return 0


def cmd_plugins(args, out) -> int:
    from core.plugins import describe

    report = {r.centre.name: [asdict(p) for p in describe(r.pm)] for r in _runtimes(args)}
    if args.json:
        json.dump(report, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for centre, plugins in report.items():
        print(f"{centre}:", file=out)
        for p in plugins:
            print(f"  {p['name']} ({p['distribution']} {p['version']}): {', '.join(p['hooks'])}", file=out)
    return 0


def cmd_worker(args, out) -> int:
    from core.app import make_app
    from core.jobs.worker import run_worker

    app = make_app(_settings(args.config))  # jobs run in bootstrapped requests
    runtimes = [r for name, r in app.runtimes.items() if not args.centre or name in args.centre]
    run_worker(runtimes, burst=args.burst)
    return 0


def cmd_check(args, out) -> int:
    from core.invariants import check_ledgers

    problems = 0
    for runtime in _runtimes(args):
        with runtime.session() as db:
            found = check_ledgers(db)
        problems += len(found)
        print(f"{runtime.centre.name}: {'ok' if not found else f'{len(found)} discrepancies'}", file=out)
        for item in found:
            print(f"    {item}", file=out)
    return 1 if problems else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gjj", description="OpenGJJ command line")
    p.add_argument("-c", "--config", default=os.environ.get("OPENGJJ_INI", "development.ini"),
                   help="ini file (default: $OPENGJJ_INI or development.ini)")
    p.add_argument("--centre", action="append", help="act on this centre only (repeatable)")
    sub = p.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="database migrations of every centre")
    db.add_argument("action", choices=("upgrade", "downgrade", "current"))
    db.add_argument("revision", nargs="?", help="target revision (upgrade: head, downgrade: -1)")
    db.set_defaults(func=cmd_db)
    demo = sub.add_parser("demo", help="load deterministic demo data into empty centres")
    demo.add_argument("--logins", action="store_true", help="print the demo logins")
    demo.set_defaults(func=cmd_demo)
    plugins = sub.add_parser("plugins", help="list each centre's plugins and the hooks they implement")
    plugins.add_argument("--json", action="store_true")
    plugins.set_defaults(func=cmd_plugins)
    worker = sub.add_parser("worker", help="run an rq worker for the centres' queues")
    worker.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    worker.set_defaults(func=cmd_worker)
    check = sub.add_parser("check", help="verify the ledger invariants of every centre")
    check.set_defaults(func=cmd_check)
    return p


def main(argv: Sequence[str] | None = None, out=None) -> int:
    from core.db import dispose_engines

    args = parser().parse_args(argv)
    try:
        return args.func(args, out or sys.stdout)
    except (ConfigurationError, PluginNotInstalled) as error:
        print(f"gjj: {error}", file=sys.stderr)
        return 2
    finally:
        dispose_engines()  # close the database connections the command opened

