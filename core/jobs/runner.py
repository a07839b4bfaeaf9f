"""What a worker (or the inline queue) runs: one job in a bootstrapped request."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import transaction
from pyramid.scripting import prepare
from rq import get_current_job
from sqlalchemy.orm import Session

from core.db import join_transaction

_runtimes: dict[str, Any] = {}


def register_runtime(queue_name: str, runtime) -> None:
    _runtimes[queue_name] = runtime


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@dataclass
class JobContext:
    """What a job function receives: its centre, request, session and progress reporter."""

    job_id: str
    runtime: Any
    request: Any
    db: Session
    _job: Any

    @property
    def centre(self):
        return self.runtime.centre

    def progress(self, percent: int, message: str = "") -> None:
        self._job.meta["progress"] = max(0, min(100, int(percent)))
        self._job.meta["message"] = message
        self._job.save_meta()


def run_job(path: str, args: tuple, kwargs: dict) -> Any:
    job = get_current_job()
    runtime = _runtimes.get(job.origin)
    if runtime is None:
        raise RuntimeError(f"this worker does not serve the queue {job.origin!r}")
    func = _resolve(path)
    env = prepare(registry=runtime.registry) if runtime.registry is not None else None
    tm = transaction.TransactionManager(explicit=True)
    try:
        request = env["request"] if env else None
        if request is not None:
            request.tm = tm
        with tm:
            db = join_transaction(runtime.sessionmaker(), tm)
            try:
                if request is not None:
                    request.db = db
                ctx = JobContext(job_id=job.id, runtime=runtime, request=request, db=db, _job=job)
                result = func(ctx, *args, **kwargs)
            finally:
                db.close()
        ctx.progress(100, "完成")
        return result
    finally:
        if env:
            env["closer"]()
