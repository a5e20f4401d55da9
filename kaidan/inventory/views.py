"""Helpers shared by the stock pages (views_stock.py: levels, the stock card, receipts,
adjustments, transfers; views_replenishment.py: the purchasing board and reorder rules). The views
shape input and call the services; a service's errors are shown beside the fields they concern."""

from __future__ import annotations

from django.http import HttpRequest

from kaidan.core.errors import DomainError, ValidationFailed
from kaidan.core.roles import Capability, has_capability

VIEW = Capability.VIEW_STOCK
CHANGE = Capability.CHANGE_STOCK
REQUEST = Capability.REQUEST_REPLENISHMENT
MANAGE = Capability.MANAGE_REPLENISHMENT
PAGE_SIZE = 50


def is_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not the full page htmx asks for when going back in history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def can(request: HttpRequest) -> dict[str, bool]:
    """What the user may do on the stock pages, for the templates."""
    user = request.user
    return {"change": has_capability(user, CHANGE), "request": has_capability(user, REQUEST),
            "manage": has_capability(user, MANAGE)}


def _add(form, name: str | None, message: str) -> None:
    form.add_error(name if name in form.fields else None, message)


def show_errors(form, exc: DomainError, *, lines=None, rows: list[int] | None = None) -> None:
    """The service's errors beside the fields: ``warehouse_id`` on the form's ``warehouse``,
    ``lines.N.quantity`` on the row of the page that became line N; the rest on top of the form."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, str(exc.message))
        return
    names = getattr(form, "SERVICE_NAMES", {})
    for field, messages in exc.fields.items():
        parts = field.split(".")
        target, name = form, names.get(field, field)
        if parts[0] == "lines" and len(parts) > 1 and lines is not None and rows is not None:
            if parts[1].isdigit() and int(parts[1]) < len(rows):
                target = lines.forms[rows[int(parts[1])]]
                name = target.SERVICE_NAMES.get(parts[2], parts[2]) if len(parts) > 2 else None
            else:
                name = None
        for message in messages:
            _add(target, name, message)


def banner(exc: DomainError) -> str:
    """One sentence for a message: field errors joined, or the error's message."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return " ".join(message for messages in exc.fields.values() for message in messages)
    return str(exc.message)
