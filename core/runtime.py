"""Everything one centre needs at run time, built once at start-up.

The web app, the CLI and the job worker all start from :func:`build_runtimes`, so a
centre behaves the same whichever door its work comes through.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import pluggy
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.catalogue import Catalogue, build_catalogue, deposit_policy
from core.centres import Centre, load_centres
from core.contract import BusinessItem, DepositPolicy, Notification, Violation
from core.db import make_engine, make_sessionmaker, session_scope
from core.jobs import JobService, make_job_service
from core.plugins import make_plugin_manager


@dataclass
class CentreRuntime:
    centre: Centre
    pm: pluggy.PluginManager
    catalogue: Catalogue
    engine: Engine
    sessionmaker: sessionmaker[Session]
    jobs: JobService
    #: the centre's Pyramid registry, once its web app is built (jobs run requests on it)
    registry: Any = field(default=None, repr=False)

    @property
    def hook(self):
        return self.pm.hook

    def policy(self, fund_year: int) -> DepositPolicy:
        return deposit_policy(self.centre, self.pm, fund_year)

    def check_rules(self, item: BusinessItem, application, db: Session) -> list[Violation]:
        """Every plugin's violations for this application, in a stable order."""
        found = [v for result in self.hook.opengjj_business_rules(
            centre=self.centre, item=item, application=application, db=db) for v in result or ()]
        return sorted(found, key=Violation.sort_key)

    def notify(self, db: Session, notification: Notification) -> None:
        self.hook.opengjj_notify(centre=self.centre, db=db, notification=notification)

    def session(self):
        """``with runtime.session() as db:`` — a session in its own transaction."""
        return session_scope(self.sessionmaker)


def build_runtime(centre: Centre, settings: Mapping[str, str]) -> CentreRuntime:
    pm = make_plugin_manager(centre)
    engine = make_engine(centre)
    runtime = CentreRuntime(
        centre=centre,
        pm=pm,
        catalogue=build_catalogue(centre, pm),
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        jobs=make_job_service(centre, settings),
    )
    runtime.jobs.bind(runtime)
    return runtime


def build_runtimes(settings: Mapping[str, str]) -> list[CentreRuntime]:
    return [build_runtime(centre, settings) for centre in load_centres(settings)]
