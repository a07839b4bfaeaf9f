"""Errors the engine raises; each message is Chinese and names the field or row."""
from __future__ import annotations

from core.contract import Violation


class BusinessError(Exception):
    """A request the engine refuses; nothing has been written."""

    def __init__(self, message: str, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message, self.field, self.row = message, field, row

    @property
    def violations(self) -> list[Violation]:
        return [Violation(self.message, field=self.field, row=self.row)]

    @property
    def for_people(self) -> str:
        """The message as the hall shows it: the row if any, never a field's code name."""
        return f"第{self.row}行：{self.message}" if self.row is not None and not self.message.startswith("第") \
            else self.message

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.field:
            where.append(self.field)
        return f"{'·'.join(where)}：{self.message}" if where else self.message


class RuleViolations(BusinessError):
    """One or more business rules (core's or a plugin's) refuse the operation."""

    def __init__(self, violations: list[Violation]):
        self._violations = violations
        first = violations[0]
        super().__init__("；".join(v.message for v in violations), field=first.field, row=first.row)

    @property
    def violations(self) -> list[Violation]:
        return list(self._violations)


class ConcurrentChange(BusinessError):
    """Another operation on the same data won; retry after reloading."""
