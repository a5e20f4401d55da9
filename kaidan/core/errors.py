"""Domain errors. Services raise these; the API and the UI turn them into one envelope:

    {"code": "invalid_transition", "message": "<translated>", "detail": {...}}

409 for illegal transitions, stale edits and other conflicts; 422 for invalid input (naming the
field); 404 for unknown objects; 403 for missing permissions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SERVER_ERROR_MESSAGE = _("Something went wrong on our side. Give this request ID when you report it: %(id)s.")


def server_error_envelope(request_id: str) -> dict[str, Any]:
    """What a client sees of an unexpected error: no trace, SQL or path, just the request id."""
    return {"code": "server_error", "message": str(SERVER_ERROR_MESSAGE) % {"id": request_id},
            "detail": {"request_id": request_id}}


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "error"
    default_message = _("The request could not be processed.")

    def __init__(self, message: Any = None, **detail: Any) -> None:
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(str(self.message))

    def envelope(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "detail": _jsonable(self.detail)}


class ValidationFailed(DomainError):
    """Invalid input; ``fields`` maps a field name to its list of messages."""

    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")

    def __init__(self, fields: dict[str, list[Any]] | None = None, message: Any = None) -> None:
        fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        super().__init__(message, fields=fields)
        self.fields = fields

    @classmethod
    def for_field(cls, field: str, message: Any) -> ValidationFailed:
        return cls({field: [message]})


class InvalidTransition(DomainError):
    """A state change the document's transition table does not allow."""

    status = 409
    code = "invalid_transition"

    def __init__(self, *, current: str, target: str) -> None:
        super().__init__(
            _("Cannot change from “%(current)s” to “%(target)s”.") % {"current": current, "target": target},
            current=str(current), target=str(target),
        )


class StaleEdit(DomainError):
    """The edit was made on an older version than the one stored now."""

    status = 409
    code = "stale_edit"
    default_message = _("Someone else changed this record since you opened it. Reload and try again.")


class Conflict(DomainError):
    """The request conflicts with the current state (a duplicate, a request still running...)."""

    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)
