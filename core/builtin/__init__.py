"""Core's own hook implementations, registered as plugins (all ``trylast``).

Any plugin answering the same firstresult hook wins over these; collected hooks merge
them with the plugins' answers.
"""
from core.builtin import demo, interop, items, materials, notifications, policy, queries, theme, vouchers

BUILTIN_PLUGINS = (items, policy, theme, notifications, demo, materials, vouchers, queries, interop)
