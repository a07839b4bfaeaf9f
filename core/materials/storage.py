"""Content-addressed storage of material bytes.

A backend stores bytes under their SHA-256 (hex) and returns them by it; storing the
same bytes twice keeps one copy. Choose it with ``opengjj.materials.backend`` (a dotted
name ``package.module:Class`` or ``package.module.Class``, constructed with the centre
and the settings); the default is :class:`FileSystemStorage`.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from core.centres import Centre, ConfigurationError

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_PATH = "var/materials/{centre}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MaterialStorage(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256 (hex). Storing the same bytes again is a no-op."""

    def get(self, digest: str) -> bytes:
        """The stored bytes (as stored: a caller that must trust them re-hashes them)."""

    def exists(self, digest: str) -> bool:
        ...


class FileSystemStorage:
    """Files under ``root/ab/cd/<sha256>``, written atomically (temp file, then rename)."""

    def __init__(self, centre: Centre, settings: Mapping[str, str]):
        template = settings.get("opengjj.materials.path") or DEFAULT_PATH
        self.root = Path(template.format(centre=centre.name))

    def _path(self, digest: str) -> Path:
        if not HASH_RE.match(digest):
            raise KeyError(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = sha256(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            raise KeyError(digest) from None

    def exists(self, digest: str) -> bool:
        try:
            return self._path(digest).exists()
        except KeyError:
            return False


def _resolve(dotted: str):
    module, _, name = dotted.replace(":", ".").rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ConfigurationError(f"opengjj.materials.backend {dotted!r} cannot be imported: {error}") from None


def make_storage(centre: Centre, settings: Mapping[str, str]) -> MaterialStorage:
    dotted = settings.get("opengjj.materials.backend")
    factory = _resolve(dotted) if dotted else FileSystemStorage
    return factory(centre, settings)
