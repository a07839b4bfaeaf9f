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
    request = env["request"] if env else None
    tm = transaction.TransactionManager(explicit=True)
    db = runtime.sessionmaker()
    try:
        with tm:  # commits the job's own work, or rolls it back if it raises
            join_transaction(db, tm)
            if request is not None:
                request.tm, request.db = tm, db
            ctx = JobContext(job_id=job.id, runtime=runtime, request=request, db=db, _job=job)
            result = func(ctx, *args, **kwargs)
        ctx.progress(100, "完成")
        return result
    finally:
        db.close()
        if env:
            env["closer"]()
