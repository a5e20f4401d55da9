"""Per-request context (request id) that services and logs read without passing it around."""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("kaidan_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
