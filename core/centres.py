"""Centres: which fund centres this process serves, read from settings.

A centre's own settings live in ``config/<name>.ini`` (section ``[centre]``); the app's
settings may override any of them for one deployment with
``opengjj.centre.<name>.<key>``, and give templates shared by every centre with
``{centre}`` in them (``opengjj.database_url``, ``opengjj.database_schema``).
"""
from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ConfigurationError(RuntimeError):
    """The settings cannot describe a working set of centres."""


@dataclass(frozen=True)
class Centre:
    """One fund centre: its plugin, database, address and its own settings."""

    name: str
    title: str
    city: str
    database_url: str
    plugins: tuple[str, ...] = ()
    prefix: str = ""
    host: str | None = None
    schema: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def setting(self, key: str, default: str | None = None) -> str | None:
        return self.settings.get(key, default)

    @property
    def backend(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


def _words(value: str | None) -> tuple[str, ...]:
    return tuple((value or "").replace(",", " ").split())


def _read_centre_file(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep dotted keys as written
    if not parser.read(path, encoding="utf-8"):
        raise ConfigurationError(f"centre settings file {path} does not exist")
    if not parser.has_section("centre"):
        raise ConfigurationError(f"{path} has no [centre] section")
    return dict(parser.items("centre"))


def _normalise_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip().strip("/")
    return "" if prefix == "/" else prefix


def load_centres(settings: Mapping[str, str]) -> list[Centre]:
    """Read the centres the app settings list, in the listed order."""
    names = _words(settings.get("opengjj.centres"))
    if not names:
        raise ConfigurationError("opengjj.centres lists no centre")
    centre_dir = Path(settings.get("opengjj.centre_dir") or "config")
    url_template = settings.get("opengjj.database_url")
    schema_template = settings.get("opengjj.database_schema")
    centres: list[Centre] = []
    for name in names:
        if not NAME_RE.match(name):
            raise ConfigurationError(f"centre name {name!r} must be lower-case letters, digits and _")
        values = _read_centre_file(centre_dir / f"{name}.ini")
        override = f"opengjj.centre.{name}."
        values.update({k[len(override):]: v for k, v in settings.items() if k.startswith(override)})
        url = values.pop("database_url", None) or url_template
        if not url:
            raise ConfigurationError(f"centre {name!r} has no database_url and opengjj.database_url is not set")
        schema = values.pop("schema", None) or schema_template
        try:
            city = values.pop("city")
        except KeyError:
            raise ConfigurationError(f"{centre_dir / (name + '.ini')} does not name its city plugin (city = ...)")
        centres.append(Centre(
            name=name,
            title=values.pop("title", name),
            city=city,
            database_url=url.format(centre=name),
            plugins=_words(values.pop("plugins", "")),
            prefix=_normalise_prefix(values.pop("prefix", f"/{name}")),
            host=(values.pop("host", "") or None),
            schema=schema.format(centre=name) if schema else None,
            settings=values,
        ))
    _check_addresses(centres)
    return centres


def _check_addresses(centres: list[Centre]) -> None:
    seen: dict[tuple[str | None, str], str] = {}
    for centre in centres:
        key = (centre.host, centre.prefix)
        if key in seen:
            raise ConfigurationError(
                f"centres {seen[key]!r} and {centre.name!r} share the address "
                f"{centre.host or '*'}{centre.prefix or '/'}")
        seen[key] = centre.name
