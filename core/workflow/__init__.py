"""Applications and their approval chains: the machine every business item runs on.

:mod:`core.workflow.engine` moves applications (draft, submit, the counter's actions,
end process, voucher print); :mod:`core.workflow.forms` checks an item's form and 清册
against its schemas; :mod:`core.workflow.jobs` runs asynchronous steps.
"""
from core.workflow.engine import (
    SYSTEM, Actor, StaleApplication, Workflow, WorkflowError, available_actions, current_step, status_label,
)
from core.workflow.forms import FormErrors

__all__ = ["SYSTEM", "Actor", "FormErrors", "StaleApplication", "Workflow", "WorkflowError",
           "available_actions", "current_step", "status_label"]
