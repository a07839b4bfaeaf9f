"""``gjj worker``: an rq worker over the queues of the configured centres."""
from __future__ import annotations

from typing import Iterable

from rq import Worker

from core.centres import ConfigurationError


def run_worker(runtimes: Iterable, burst: bool = False, worker_class: type[Worker] = Worker) -> bool:
    runtimes = list(runtimes)
    inline = [r.centre.name for r in runtimes if r.jobs.inline]
    if inline:
        raise ConfigurationError(
            f"jobs of {', '.join(inline)} run inline (opengjj.jobs.backend = inline): there is no "
            "queue to work on; set opengjj.jobs.backend = rq and opengjj.redis_url")
    queues = [r.jobs.queue for r in runtimes]
    # rq forks a work horse per job; core.db disposes inherited connection pools in the
    # child, so each job opens fresh database connections.
    worker = worker_class(queues, connection=queues[0].connection)
    return worker.work(burst=burst, with_scheduler=False)
