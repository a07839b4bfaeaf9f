"""One pluggy PluginManager per centre, filled from the ``opengjj`` entry-point group.

Registration order: core's built-in implementations (all ``trylast``), then the generic
plugins the centre enables, then its city plugin. Collected hooks are sorted by explicit
keys elsewhere, so this order only decides which ``firstresult`` answer wins when two
non-core plugins both answer: the city's, registered last, is called first.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points, version
from types import ModuleType

import pluggy

from core import hookspecs
from core.centres import Centre

ENTRY_POINT_GROUP = "opengjj"


class PluginNotInstalled(RuntimeError):
    """A centre names a plugin that no installed distribution provides."""


def builtin_plugins() -> list[ModuleType]:
    from core.builtin import BUILTIN_PLUGINS

    return list(BUILTIN_PLUGINS)


def installed_plugins() -> dict[str, EntryPoint]:
    """The plugins installed in this environment, by entry-point name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load(centre: Centre, name: str, installed: dict[str, EntryPoint]) -> ModuleType:
    try:
        entry_point = installed[name]
    except KeyError:
        available = ", ".join(sorted(installed)) or "none"
        raise PluginNotInstalled(
            f"centre {centre.name!r} needs the plugin {name!r}, which is not installed: no "
            f"distribution provides the entry point {name!r} in the group {ENTRY_POINT_GROUP!r}. "
            f"Install the package that provides it (pip install <package>; the bundled cities "
            f"and plugins come with `pip install -e .` in the OpenGJJ checkout) and start again. "
            f"Installed plugins: {available}.") from None
    return entry_point.load()


NO_CITY = "none"


def make_plugin_manager(centre: Centre) -> pluggy.PluginManager:
    """Build and check the plugin manager of one centre."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    for module in builtin_plugins():
        pm.register(module, name=module.__name__)
    installed = installed_plugins()
    # city = none: core's defaults only (a centre trying the platform, core's own tests)
    for name in dict.fromkeys((*centre.plugins, *([centre.city] if centre.city != NO_CITY else []))):
        pm.register(_load(centre, name, installed), name=name)
    # A misspelled hook implementation fails here, not silently at run time.
    pm.check_pending()
    if os.environ.get("OPENGJJ_TRACE_HOOKS"):
        pm.trace.root.setwriter(lambda msg: sys.stderr.write(f"[{centre.name}] {msg}"))
        pm.enable_tracing()
    return pm


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    distribution: str
    version: str
    hooks: tuple[str, ...]


def describe(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Each registered plugin, its distribution and version, and the hooks it implements."""
    installed = installed_plugins()
    rows = []
    for name, plugin in pm.list_name_plugin():
        entry_point = installed.get(name)
        dist = entry_point.dist if entry_point is not None else None
        dist_name = dist.name if dist is not None else "opengjj"
        rows.append(PluginInfo(
            name=name,
            module=plugin.__name__,
            distribution=dist_name,
            version=dist.version if dist is not None else version("opengjj"),
            hooks=tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ())),
        ))
    return rows


def plugin_modules(pm: pluggy.PluginManager) -> list[ModuleType]:
    """The registered plugin modules that are not core's built-ins, in registration order."""
    builtin = set(builtin_plugins())
    return [plugin for _, plugin in pm.list_name_plugin() if plugin not in builtin]
