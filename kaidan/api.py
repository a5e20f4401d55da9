"""The REST API at /api/: one NinjaAPI, routers from each app, one error envelope for everything."""

from __future__ import annotations

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import AuthorizationError as NinjaForbidden

from kaidan.approvals.api import router as approvals_router
from kaidan.catalog.api import router as catalog_router
from kaidan.core.api import router as core_router
from kaidan.core.api_auth import API_AUTH
from kaidan.core.errors import DomainError, ValidationFailed, server_error_envelope
from kaidan.core.validation_messages import message_for
from kaidan.inventory.api import router as inventory_router
from kaidan.parties.api import router as parties_router
from kaidan.pricing.api import router as pricing_router
from kaidan.sales.api import router as sales_router
from kaidan.shipping.api import router as shipping_router
from kaidan.transfer.api import router as transfer_router

logger = logging.getLogger("kaidan.api")

api = NinjaAPI(
    title="Kaidan API",
    version="1",
    description="Order-to-cash ERP. Authenticate with a session (browser, CSRF) or `Authorization: "
                "Bearer <token>`. Errors are `{code, message, detail}`. Creating POSTs accept `Idempotency-Key`.",
    auth=API_AUTH,
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", catalog_router)
api.add_router("/", transfer_router)
api.add_router("/", pricing_router)
api.add_router("/", sales_router)
api.add_router("/", inventory_router)
api.add_router("/", approvals_router)
api.add_router("/", shipping_router)


def _envelope(request, status: int, code: str, message, detail=None):
    return api.create_response(request, {"code": code, "message": str(message), "detail": detail or {}},
                               status=status)


LOCATIONS = {"body", "query", "path", "header", "form", "cookie", "file"}
ARGUMENT_NAMES = {"payload", "filters", "pagination", "query"}


def _field_name(loc) -> str:
    # ninja reports ("body", "payload", "name"), ("query", "filters", "sort") or ("file", "file"): keep
    # what the client sent — the field, or the item path inside it ("addresses.1.postcode").
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in ARGUMENT_NAMES:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.envelope(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message_for(error))
    return on_domain_error(request, ValidationFailed(fields))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _envelope(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(NinjaForbidden)
def on_forbidden(request, exc):
    return _envelope(request, 403, "forbidden", _("You do not have permission to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _envelope(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 403:  # ninja's CSRF failure
        return _envelope(request, 403, "csrf_failed", _("CSRF check failed. Reload the page and try again."))
    if exc.status_code == 400:
        return _envelope(request, 400, "bad_request", _("The request body is not valid JSON."))
    return _envelope(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    # Never a stack trace, SQL or path in a response: log it with the request id instead.
    logger.exception("unhandled API error")
    return api.create_response(request, server_error_envelope(getattr(request, "request_id", "-")), status=500)
