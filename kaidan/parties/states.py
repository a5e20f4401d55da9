"""Customer status transitions (pure)."""

from kaidan.core.errors import InvalidTransition

ACTIVE, BLOCKED, INACTIVE = "active", "blocked", "inactive"

ALLOWED = {
    ACTIVE: {BLOCKED, INACTIVE},
    BLOCKED: {ACTIVE, INACTIVE},
    INACTIVE: {ACTIVE},
}


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED.get(current, set()):
        raise InvalidTransition(current=current, target=target)
