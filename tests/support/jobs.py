"""Job functions the job tests enqueue by dotted path (workers import them)."""
import os

from sqlalchemy import func, select, text

from core.models import Message, Unit


def count_units(ctx, unit_no):
    """What the job sees: proves it ran after the enqueuing transaction committed."""
    ctx.progress(40, "已校验 40 行")
    seen = ctx.centre.name, ctx.runtime.jobs.state(ctx.job_id)
    backend_pid = None
    if ctx.db.bind.dialect.name == "postgresql":
        backend_pid = ctx.db.scalar(text("SELECT pg_backend_pid()"))
    return {
        "units": ctx.db.scalar(select(func.count()).select_from(Unit).where(Unit.unit_no == unit_no)),
        "progress_seen": [seen[1].progress, seen[1].message],
        "centre": seen[0],
        "request_db_is_job_db": ctx.request.db is ctx.db,
        "pid": os.getpid(),
        "backend_pid": backend_pid,
    }


def leave_message(ctx, title):
    """A job with an effect of its own, committed in the job's transaction."""
    ctx.db.add(Message(event="job", title=title))
    return title


def fail(ctx, row):
    raise ValueError(f"清册第{row}行：证件号码校验位错误")
