"""Start-up, page and inline-job figures of the four demo centres on the embedded default.

Prints figures; asserts nothing. Run with `make bench` or `.venv/bin/python bench/bench_platform.py`.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import transaction  # noqa: E402
from webtest import TestApp  # noqa: E402

from core.db import join_transaction  # noqa: E402
from tests.conftest import build, make_settings  # noqa: E402

REQUESTS = 300


def timed(func, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def ms(values: list[float]) -> str:
    values = sorted(values)
    return (f"median {statistics.median(values) * 1000:.2f} ms, "
            f"p95 {values[int(len(values) * 0.95) - 1] * 1000:.2f} ms")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="opengjj-bench-"))
    (tmp / "warm").mkdir()
    build(make_settings(tmp / "warm"))  # migrate the template once, outside the figures
    starts = []
    for i in range(5):
        settings = make_settings(tmp / f"s{i}")
        (tmp / f"s{i}").mkdir()
        start = time.perf_counter()
        app = build(settings)
        starts.append(time.perf_counter() - start)
    print(f"start-up, four centres (plugins, catalogues, engines, Pyramid apps): {ms(starts)}")

    web = TestApp(app)
    for name in ("jincheng", "shaanxi"):
        web.get(f"/{name}/")  # compile templates
        home = timed(lambda: web.get(f"/{name}/"), REQUESTS)
        print(f"GET /{name}/ in process ({REQUESTS} requests): {ms(home)}, "
              f"{REQUESTS / sum(home):.0f} requests/s on one thread")
    health = timed(lambda: web.get("/kaifeng/_health"), REQUESTS)
    print(f"GET /kaifeng/_health: {ms(health)}")

    runtime = app.runtimes["jincheng"]

    def job_round_trip():
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            join_transaction(runtime.sessionmaker(), tm)
            job_id = runtime.jobs.enqueue("tests.support.jobs.leave_message", "bench", tm=tm)
        assert runtime.jobs.state(job_id).status == "finished"

    print(f"inline job, enqueue → commit → run → read back: {ms(timed(job_round_trip, 100))}")


if __name__ == "__main__":
    main()
