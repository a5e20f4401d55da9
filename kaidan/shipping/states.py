"""Delivery note states: the transition table, pure Python.

    draft → picking → packed → shipped → in transit → delivered
    shipped / in transit → exception (lost, damaged, refused) → in transit / delivered
    draft / picking / packed → cancelled (nothing left the warehouse: the order keeps its reservation)
    packed → picking (re-open the packing)

A note counts as shipped from ``shipped`` on: its stock has left and its quantities are the order's
shipped quantities. Tracking events move a shipped note on (in transit, delivered, exception).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaidan.core.errors import InvalidTransition


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("delivery status", "Draft")
    PICKING = "picking", pgettext_lazy("delivery status", "Picking")
    PACKED = "packed", pgettext_lazy("delivery status", "Packed")
    SHIPPED = "shipped", pgettext_lazy("delivery status", "Shipped")
    IN_TRANSIT = "in_transit", pgettext_lazy("delivery status", "In transit")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    EXCEPTION = "exception", pgettext_lazy("delivery status", "Exception")
    CANCELLED = "cancelled", pgettext_lazy("delivery status", "Cancelled")


class ExceptionReason(models.TextChoices):
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    REFUSED = "refused", _("Refused by the customer")
    DELAYED = "delayed", _("Delayed")


S = Status
ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.PICKING, S.CANCELLED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.DELIVERED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Still in the warehouse: its quantities are promised to it from the order's reservation.
OPEN = frozenset({S.DRAFT, S.PICKING, S.PACKED})
# Gone: its quantities count as shipped on the order.
SHIPPED = frozenset({S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION})
# The goods are on their way: tracking events may move the note on.
TRACKED = frozenset({S.SHIPPED, S.IN_TRANSIT, S.EXCEPTION})


def can_transition(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current=Status(current).label, target=Status(target).label)


def next_actions(status: str) -> list[str]:
    """The warehouse's forward moves from a state, in the order the UI offers them."""
    order = [S.PICKING, S.PACKED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION, S.CANCELLED]
    return [s for s in order if can_transition(status, s)]
