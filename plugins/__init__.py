"""Reusable plugins a centre can enable by name (``plugins = ...`` in its settings).

Each is a module registered under the ``opengjj`` entry-point group in setup.py, exactly
as a third-party package would register its own.
"""
