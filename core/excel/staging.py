"""Putting imported rows into an application's 清册, in a request or in a job.

Settings (app settings first, then the centre's): ``excel.import_job_threshold`` (rows;
an import declaring more runs as a job, default 2000) and ``excel.max_rows``,
``excel.max_columns``, ``excel.max_bytes``, ``excel.max_unzipped`` (see
:class:`core.excel.read.Limits`). Uploaded files of background imports and the error
files are kept in the centre's material storage (content-addressed).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.excel.read import ImportResult, Limits, read
from core.excel.write import error_file

DEFAULT_THRESHOLD = 2000


def setting(runtime, key: str, default: str | None = None) -> str | None:
    registry = getattr(runtime, "registry", None)
    value = (getattr(registry, "settings", None) or {}).get(key)
    return value if value not in (None, "") else runtime.centre.setting(key, default)


def limits(runtime) -> Limits:
    return Limits.from_settings(lambda key: setting(runtime, key))


def job_threshold(runtime) -> int:
    text = str(setting(runtime, "excel.import_job_threshold", "") or "")
    return int(text) if text.strip().isdigit() else DEFAULT_THRESHOLD


def storage(runtime):
    from core.materials import storage_for

    return storage_for(runtime)


@dataclass(frozen=True)
class Outcome:
    """What an import did: rows staged, rows refused, the error file's digest."""

    good: int
    failed: int
    error_file: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"good": self.good, "failed": self.failed, "error_file": self.error_file}


def stage(runtime, data: bytes, schema, save: Callable[[list[dict]], Any],
          progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Read ``data`` with ``schema``, hand the good rows to ``save`` and keep the error
    file; raises :class:`core.excel.ExcelRefused` for a bad file (nothing saved)."""
    result: ImportResult = read(data, schema, limits(runtime), progress=progress)
    if result.good:
        save(result.good)
    digest = storage(runtime).put(error_file(result, schema)) if result.errors else None
    return Outcome(len(result.good), len(result.errors), digest)
