"""States of approval requests and their steps, pure Python.

Request:  pending → approved (last step approved) | rejected (any step rejected) | withdrawn (the order
          was revised or cancelled while waiting)
Step:     waiting (not its turn yet) → pending (its turn) → approved | rejected | withdrawn;
          waiting → withdrawn
Approver (one person a step needs or may act for): open → approved | rejected, or skipped when a
          one-of (或签) step was decided by someone else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("approval status", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("approval status", "Withdrawn")


class StepStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("approval step", "Not yet")
    PENDING = "pending", pgettext_lazy("approval step", "Its turn")
    APPROVED = "approved", pgettext_lazy("approval step", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval step", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("approval step", "Withdrawn")


class Decision(models.TextChoices):
    OPEN = "", pgettext_lazy("approval decision", "Not decided")
    APPROVED = "approved", pgettext_lazy("approval decision", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval decision", "Rejected")
    SKIPPED = "skipped", pgettext_lazy("approval decision", "Not needed")


class Mode(models.TextChoices):
    ANY = "any", _("Any one of them (或签)")
    ALL = "all", _("All of them (会签)")


R, S = RequestStatus, StepStatus
REQUEST_ALLOWED = {
    R.PENDING: frozenset({R.APPROVED, R.REJECTED, R.WITHDRAWN}),
    R.APPROVED: frozenset(),
    R.REJECTED: frozenset(),
    R.WITHDRAWN: frozenset(),
}
STEP_ALLOWED = {
    S.WAITING: frozenset({S.PENDING, S.WITHDRAWN}),
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def can_move(table: dict, current: str, target: str) -> bool:
    return target in table.get(current, frozenset())


def step_is_done(mode: str, decisions: list[str]) -> bool:
    """A step is approved when one approver approved (或签) or every approver did (会签)."""
    approved = [d for d in decisions if d == Decision.APPROVED]
    return bool(approved) if mode == Mode.ANY else bool(decisions) and len(approved) == len(decisions)
