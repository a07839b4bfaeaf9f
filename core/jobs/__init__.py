"""Background jobs on rq, one queue per centre.

A job is a function ``func(ctx, *args, **kwargs)`` named by its dotted path; ``ctx`` is a
:class:`core.jobs.runner.JobContext` with its own request, database session and
transaction, and a ``progress(percent, message)`` the hall can read back.

Jobs are only sent after the transaction that asked for them commits (netbox #18880):
a job never sees data that is not there yet, and a rolled-back request sends nothing.
With ``opengjj.jobs.backend = inline`` (the embedded default) the job runs in-process
right after the commit, on rq's synchronous queue over fakeredis; with ``rq`` it goes to
Redis for ``gjj worker``. A job must be safe to run twice: rq may retry it, so effects it
applies carry their own exactly-once guard (an application's ``effect_applied_at``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import redis
import transaction
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from core.centres import Centre, ConfigurationError

RESULT_TTL = 7 * 24 * 3600


@dataclass(frozen=True)
class JobState:
    id: str
    status: str  # queued, started, finished, failed, ...
    progress: int
    message: str
    result: Any = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status in ("finished", "failed", "stopped", "canceled")


def dotted_name(func: Callable | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def redis_connection(url: str) -> redis.Redis:
    # Fail fast when Redis is down instead of redis-py's default retries.
    return redis.Redis.from_url(url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))


class JobService:
    def __init__(self, centre: Centre, queue: Queue):
        self.centre = centre
        self.queue = queue

    @property
    def inline(self) -> bool:
        return not self.queue.is_async

    def bind(self, runtime) -> None:
        from core.jobs.runner import register_runtime

        register_runtime(self.queue.name, runtime)

    def enqueue(self, func: Callable | str, *args: Any, tm: transaction.TransactionManager,
                description: str | None = None, **kwargs: Any) -> str:
        """Send ``func(ctx, *args, **kwargs)`` once ``tm``'s transaction commits; return the job id."""
        from core.jobs.runner import run_job

        job_id = uuid.uuid4().hex
        path = dotted_name(func)

        def send(committed: bool) -> None:
            if committed:
                self.queue.enqueue(
                    run_job, path, args, kwargs, job_id=job_id, description=description or path,
                    result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL,
                    meta={"progress": 0, "message": "排队中", "centre": self.centre.name},
                )

        tm.get().addAfterCommitHook(send)
        return job_id

    def state(self, job_id: str) -> JobState | None:
        """The job's progress, and its result or error; None if no such job was sent."""
        try:
            job = Job.fetch(job_id, connection=self.queue.connection)
        except NoSuchJobError:
            return None
        status = job.get_status()
        status = getattr(status, "value", status)
        latest = job.latest_result() if status in ("finished", "failed") else None
        error = None
        if status == "failed":
            # The last line of the traceback names the exception and its message.
            lines = ((latest.exc_string if latest else None) or "").strip().splitlines()
            error = lines[-1] if lines else "失败"
        return JobState(
            id=job_id,
            status=status,
            progress=int(job.meta.get("progress", 0)),
            message=str(job.meta.get("message", "")),
            result=latest.return_value if latest and status == "finished" else None,
            error=error,
        )


def make_job_service(centre: Centre, settings: Mapping[str, str]) -> JobService:
    backend = settings.get("opengjj.jobs.backend", "inline")
    name = f"{settings.get('opengjj.jobs.queue_prefix', 'opengjj')}:{centre.name}"
    if backend == "inline":
        import fakeredis

        return JobService(centre, Queue(name, connection=fakeredis.FakeStrictRedis(), is_async=False))
    if backend == "rq":
        url = settings.get("opengjj.redis_url")
        if not url:
            raise ConfigurationError("opengjj.jobs.backend = rq needs opengjj.redis_url")
        return JobService(centre, Queue(name, connection=redis_connection(url)))
    raise ConfigurationError(f"opengjj.jobs.backend must be 'inline' or 'rq', not {backend!r}")


def includeme(config) -> None:
    config.add_request_method(lambda request: request.registry.runtime.jobs, "jobs", reify=True)
