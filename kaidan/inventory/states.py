"""The replenishment request's transition table (pure Python)."""

from __future__ import annotations

from kaidan.core.errors import InvalidTransition
from kaidan.inventory.models import ReplenishmentRequest

Status = ReplenishmentRequest.Status

ALLOWED: dict[str, set[str]] = {
    Status.OPEN: {Status.ORDERED, Status.RECEIVED, Status.CANCELLED},
    Status.ORDERED: {Status.RECEIVED, Status.CANCELLED},
    Status.RECEIVED: set(),
    Status.CANCELLED: set(),
}


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED.get(current, set()):
        raise InvalidTransition(current=Status(current).label, target=Status(target).label)
