"""Where the sales transitions ask the approvals app (which depends on sales, not the other way round)
whether a submitted order needs approval. The approvals app registers its gate at start; without one
every order is confirmed at once."""

from __future__ import annotations

from typing import Protocol


class Gate(Protocol):
    def accepts_blocked_customer(self) -> bool:
        """True when a rule sends orders of blocked customers to approval instead of refusing them."""

    def route(self, order, *, actor, editor_id: int) -> bool:
        """Evaluate the rules for an order being submitted (locked by the caller); True when an approval
        request was opened and the order must wait. May raise Conflict (credit blocked, no approver)."""

    def withdraw(self, order, *, actor, why: str) -> None:
        """The order was revised or cancelled: its open approval request, if any, no longer counts."""


_gate: Gate | None = None


def register(gate: Gate) -> None:
    global _gate
    _gate = gate


def accepts_blocked_customer() -> bool:
    return _gate is not None and _gate.accepts_blocked_customer()


def route(order, *, actor, editor_id: int) -> bool:
    return _gate is not None and _gate.route(order, actor=actor, editor_id=editor_id)


def withdraw(order, *, actor, why: str) -> None:
    if _gate is not None:
        _gate.withdraw(order, actor=actor, why=why)
