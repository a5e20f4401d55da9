"""Quotation and order states: the transition tables, pure Python.

Order:      draft → submitted → (pending_approval →) confirmed → closed
            draft / submitted / pending_approval / confirmed → cancelled (not once anything shipped)
            submitted / pending_approval / confirmed → draft ("revise", audited; re-approval later)
Quotation:  draft → sent → converted (an order was made from it); draft / sent → cancelled;
            sent → draft (revise). A sent quotation past its validity date shows as expired.

Fulfilment and billing progress of a confirmed order live in their own sub-states (fulfilment_status,
billing_status), recomputed by the shipping and billing apps.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaidan.core.errors import InvalidTransition


class Kind(models.TextChoices):
    QUOTATION = "quotation", _("Quotation")
    ORDER = "order", _("Sales order")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("document status", "Draft")
    SENT = "sent", pgettext_lazy("document status", "Sent")
    SUBMITTED = "submitted", pgettext_lazy("document status", "Submitted")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("document status", "Pending approval")
    CONFIRMED = "confirmed", pgettext_lazy("document status", "Confirmed")
    CONVERTED = "converted", pgettext_lazy("document status", "Converted to order")
    CLOSED = "closed", pgettext_lazy("document status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("document status", "Cancelled")


class FulfilmentStatus(models.TextChoices):
    NOT_SHIPPED = "not_shipped", _("Not shipped")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")


class BillingStatus(models.TextChoices):
    NOT_INVOICED = "not_invoiced", _("Not invoiced")
    PARTLY_INVOICED = "partly_invoiced", _("Partly invoiced")
    INVOICED = "invoiced", _("Invoiced")


S = Status
ORDER_ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.PENDING_APPROVAL, S.CONFIRMED, S.DRAFT, S.CANCELLED}),
    S.PENDING_APPROVAL: frozenset({S.CONFIRMED, S.DRAFT, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.CLOSED, S.DRAFT, S.CANCELLED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
QUOTATION_ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset({S.CONVERTED, S.DRAFT, S.CANCELLED}),
    S.CONVERTED: frozenset(),
    S.CANCELLED: frozenset(),
}
ALLOWED = {Kind.ORDER: ORDER_ALLOWED, Kind.QUOTATION: QUOTATION_ALLOWED}
STATUSES = {kind: frozenset(table) for kind, table in ALLOWED.items()}
# Lines, prices and quantities can be changed only here; everything else is locked.
EDITABLE = frozenset({S.DRAFT})


def can_transition(kind: str, current: str, target: str) -> bool:
    return target in ALLOWED[kind].get(current, frozenset())


def check_transition(kind: str, current: str, target: str) -> None:
    """Raise InvalidTransition (409) unless the table allows current → target for this kind."""
    if not can_transition(kind, current, target):
        raise InvalidTransition(current=Status(current).label, target=Status(target).label)


def is_editable(status: str) -> bool:
    return status in EDITABLE
