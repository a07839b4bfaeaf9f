"""Jobs run after their transaction commits, inline or on real Redis, and report back."""
import os
import subprocess
import sys

import pytest
import transaction
from sqlalchemy import select, text

from core.db import join_transaction
from core.jobs.worker import run_worker
from core.models import Message, Unit
from tests.conftest import REPO, build, make_settings
from tests.support import jobs


def in_transaction(runtime, work):
    """Run ``work(db, tm)`` in a transaction like a request's; return what it returns."""
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        db = join_transaction(runtime.sessionmaker(), tm)
        return work(db, tm)


def enqueue_after_adding_a_unit(runtime, unit_no="1401000009"):
    def work(db, tm):
        db.add(Unit(unit_no=unit_no, name="新开户单位"))
        job_id = runtime.jobs.enqueue(jobs.count_units, unit_no, tm=tm)
        assert runtime.jobs.state(job_id) is None  # nothing is sent before the commit
        return job_id

    return in_transaction(runtime, work)


@pytest.fixture
def inline(tmp_path):
    return build(make_settings(tmp_path, centres=("jincheng",))).runtimes["jincheng"]


def test_inline_job_runs_after_commit_and_reports_progress_and_result(inline):
    assert inline.jobs.inline
    job_id = enqueue_after_adding_a_unit(inline)
    state = inline.jobs.state(job_id)
    assert (state.status, state.progress, state.message) == ("finished", 100, "完成")
    assert state.result["units"] == 1  # the job saw the committed unit
    assert state.result["progress_seen"] == [40, "已校验 40 行"]
    assert state.result["request_db_is_job_db"] and state.result["centre"] == "jincheng"


def test_rolled_back_transaction_sends_no_job(inline):
    sent = []

    def work(db, tm):
        sent.append(inline.jobs.enqueue(jobs.leave_message, "不应出现", tm=tm))
        raise RuntimeError("校验失败，回滚")

    with pytest.raises(RuntimeError):
        in_transaction(inline, work)
    assert inline.jobs.state(sent[0]) is None
    with inline.session() as db:
        assert db.scalars(select(Message)).all() == []


def test_inline_job_effects_commit_and_errors_are_read_back(inline):
    done = in_transaction(inline, lambda db, tm: inline.jobs.enqueue(jobs.leave_message, "导入完成", tm=tm))
    assert inline.jobs.state(done).result == "导入完成"
    with inline.session() as db:
        assert db.scalars(select(Message.title)).all() == ["导入完成"]
    failed = in_transaction(inline, lambda db, tm: inline.jobs.enqueue(jobs.fail, 3, tm=tm))
    state = inline.jobs.state(failed)
    assert state.status == "failed" and state.done
    assert state.error == "ValueError: 清册第3行：证件号码校验位错误"


@pytest.fixture
def on_redis(tmp_path, pg_databases, redis_url):
    settings = make_settings(tmp_path, centres=("jincheng", "kaifeng"), **{
        "opengjj.database_url": pg_databases("jobs"),
        "opengjj.database_schema": "centre_{centre}",
        "opengjj.jobs.backend": "rq",
        "opengjj.redis_url": redis_url,
    })
    return build(settings), settings


@pytest.mark.postgresql
@pytest.mark.redis
def test_redis_job_waits_for_commit_then_runs_in_a_forked_worker_with_fresh_connections(on_redis):
    app, _ = on_redis
    runtime = app.runtimes["jincheng"]
    queue = runtime.jobs.queue
    with runtime.engine.connect() as conn:  # the parent's pooled connection
        parent_backend = conn.scalar(text("SELECT pg_backend_pid()"))

    def work(db, tm):
        db.add(Unit(unit_no="1401000009", name="新开户单位"))
        job_id = runtime.jobs.enqueue(jobs.count_units, "1401000009", tm=tm)
        assert queue.count == 0  # still uncommitted: nothing on Redis
        return job_id

    job_id = in_transaction(runtime, work)
    assert queue.count == 1 and runtime.jobs.state(job_id).status == "queued"
    assert app.runtimes["kaifeng"].jobs.queue.count == 0  # a queue per centre

    assert run_worker(app.runtimes.values(), burst=True)
    state = runtime.jobs.state(job_id)
    assert (state.status, state.progress) == ("finished", 100)
    assert state.result["units"] == 1
    assert state.result["progress_seen"] == [40, "已校验 40 行"]
    assert state.result["pid"] != os.getpid()  # rq forked a work horse...
    assert state.result["backend_pid"] != parent_backend  # ...which opened its own connection


@pytest.mark.postgresql
@pytest.mark.redis
def test_gjj_worker_runs_queued_jobs_and_failures_are_read_back(on_redis, tmp_path):
    app, settings = on_redis
    runtime = app.runtimes["kaifeng"]
    ok = in_transaction(runtime, lambda db, tm: runtime.jobs.enqueue(jobs.leave_message, "结息完成", tm=tm))
    bad = in_transaction(runtime, lambda db, tm: runtime.jobs.enqueue(jobs.fail, 7, tm=tm))
    ini = tmp_path / "worker.ini"
    ini.write_text("[app:main]\nuse = egg:opengjj\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    result = subprocess.run([sys.executable, "-m", "core.cli", "-c", str(ini), "worker", "--burst"],
                            cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert runtime.jobs.state(ok).result == "结息完成"
    with runtime.session() as db:
        assert db.scalars(select(Message.title)).all() == ["结息完成"]
    state = runtime.jobs.state(bad)
    assert state.status == "failed" and state.error == "ValueError: 清册第7行：证件号码校验位错误"


def test_worker_refuses_an_inline_configuration(inline):
    from core.centres import ConfigurationError

    with pytest.raises(ConfigurationError, match="run inline"):
        run_worker([inline], burst=True)
