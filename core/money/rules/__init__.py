"""Ready-made business rules a city returns from ``opengjj_operation_rules``.

Core does not apply these by itself: each centre chooses its own (see
``cities/<city>/rules.py``). Each function takes the operation (and what it needs) and
returns a list of :class:`core.contract.Violation`.
"""
