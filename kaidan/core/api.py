"""REST endpoints of the core app: who am I, company settings, numbering series, tokens, audit log,
one's notifications."""


from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.core import notifications, selectors, services
from kaidan.core.access import SIGNED_IN, api_requires
from kaidan.core.api_types import DbId, DocType
from kaidan.core.display import display_name
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.models import Notification
from kaidan.core.pagination import KaidanPagination, apply_sort
from kaidan.core.roles import Capability, capabilities_of, roles_of
from kaidan.core.schemas import (
    AuditEventOut,
    AuditFilter,
    CompanyIn,
    CompanyOut,
    ErrorOut,
    MeOut,
    NotificationFilter,
    NotificationOut,
    ReadAllOut,
    SeriesIn,
    SeriesOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["core"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS})
@api_requires(SIGNED_IN)
def me(request: HttpRequest):
    user = request.auth
    roles = roles_of(user)
    caps = sorted({str(c) for r in roles for c in capabilities_of(r)} |
                  ({str(c) for c in Capability} if user.is_superuser else set()))
    return {"id": user.pk, "username": user.get_username(), "full_name": display_name(user),
            "roles": [r.value for r in roles], "capabilities": caps}


@router.get("/company", response={200: CompanyOut, **ERRORS})
@api_requires(SIGNED_IN)
def get_company(request: HttpRequest):
    return selectors.company_settings()


@router.put("/company", response={200: CompanyOut, **ERRORS})
@api_requires(Capability.MANAGE_COMPANY)
def put_company(request: HttpRequest, payload: CompanyIn):
    data = payload.model_dump()
    version = data.pop("version")
    return services.update_company_settings(actor=request.auth, version=version, data=data)


@router.get("/series", response={200: list[SeriesOut], **ERRORS})
@api_requires(Capability.VIEW_SERIES)
@paginate(KaidanPagination)
def list_series(request: HttpRequest):
    return selectors.series_list()


@router.put("/series/{doc_type}", response={200: SeriesOut, **ERRORS})
@api_requires(Capability.MANAGE_SERIES)
def put_series(request: HttpRequest, doc_type: Path[DocType], payload: SeriesIn):
    return services.update_series(actor=request.auth, doc_type=doc_type, data=payload.model_dump())


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
@api_requires(SIGNED_IN)
@paginate(KaidanPagination)
def list_tokens(request: HttpRequest):
    return selectors.tokens_of(request.auth)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
@idempotent
@api_requires(SIGNED_IN)
def create_token(request: HttpRequest, payload: TokenIn):
    token, secret = services.create_api_token(user=request.auth, name=payload.name)
    token.secret = secret
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERRORS})
@api_requires(SIGNED_IN)
def revoke_token(request: HttpRequest, token_id: Path[DbId]):
    return services.revoke_api_token(user=request.auth, token_id=token_id)


@router.get("/audit-events", response={200: list[AuditEventOut], **ERRORS})
@api_requires(Capability.VIEW_AUDIT)
@paginate(KaidanPagination)
def list_audit_events(request: HttpRequest, filters: Query[AuditFilter]):
    qs = selectors.audit_events(object_type=filters.object_type, object_id=filters.object_id,
                                action=filters.action, actor_id=filters.actor_id)
    return apply_sort(qs, filters.sort, allowed={"at", "action", "object_type"}, default=["-at"])


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS})
@api_requires(SIGNED_IN)
@paginate(KaidanPagination)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]):
    """Your notifications, newest first, worded in your language."""
    mine = notifications.notifications_of(request.auth)
    return mine.filter(read_at__isnull=True) if filters.unread else mine


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
@api_requires(SIGNED_IN)
def read_notification(request: HttpRequest, notification_id: Path[DbId]):
    """Mark one of your notifications read (again: no change)."""
    if not Notification.objects.filter(pk=notification_id, user=request.auth).exists():
        raise NotFound()
    notifications.mark_read(request.auth, [notification_id])
    return Notification.objects.get(pk=notification_id)


@router.post("/notifications/read-all", response={200: ReadAllOut, **ERRORS})
@api_requires(SIGNED_IN)
def read_all_notifications(request: HttpRequest):
    """Mark all your notifications read."""
    return {"marked": notifications.mark_read(request.auth)}
