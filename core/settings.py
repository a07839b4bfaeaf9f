"""Settings: the ini file's ``[app:main]`` plus the environment.

Environment variables win over the file so that one ini serves a laptop, CI and a
container alike (the same habit as Kinto's ``KINTO_*`` variables).
"""
from __future__ import annotations

import os
from typing import Mapping

ENVIRONMENT = {
    "OPENGJJ_DATABASE_URL": "opengjj.database_url",
    "OPENGJJ_DATABASE_SCHEMA": "opengjj.database_schema",
    "OPENGJJ_REDIS_URL": "opengjj.redis_url",
    "OPENGJJ_JOBS": "opengjj.jobs.backend",
    "OPENGJJ_CENTRES": "opengjj.centres",
    "OPENGJJ_SESSION_SECRET": "opengjj.session_secret",
    "OPENGJJ_SMS_TOKEN": "opengjj.sms.token",
}


def with_environment(settings: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    merged = dict(settings)
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            merged[key] = environ[variable]
    return merged


def as_bool(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")
