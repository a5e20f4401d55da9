"""Reads of the core app."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kaidan.core.audit import ChangeFormatter, action_label, object_type_of
from kaidan.core.models import ApiToken, AuditEvent, CompanySettings, DocumentSeries
from kaidan.core.roles import Role


def company_settings() -> CompanySettings:
    """The company row; an unsaved blank one before the admin fills it in."""
    return CompanySettings.objects.filter(pk=1).first() or CompanySettings(pk=1, name="", version=0)


def history_of(instance) -> QuerySet[AuditEvent]:
    """The audit events of one object, newest first."""
    return (AuditEvent.objects.filter(object_type=object_type_of(instance), object_id=str(instance.pk))
            .select_related("actor").order_by("-at", "-id"))


def history_panel(instance, *line_models, limit: int = 50) -> list[dict]:
    """What the history panel of a document shows: when, who, what, and each change readable.
    ``line_models`` label changes the document records about its lines (addresses, order lines...)."""
    formatter = ChangeFormatter(type(instance), *line_models)
    return [
        {"at": e.at, "actor": e.actor, "action": action_label(e.action), "changes": formatter.changes(e)}
        for e in history_of(instance)[:limit]
    ]


def audit_events(*, object_type: str | None = None, object_id: str | None = None, action: str | None = None,
                 actor_id: int | None = None) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def series_list() -> QuerySet[DocumentSeries]:
    return DocumentSeries.objects.order_by("doc_type")


def home_figures() -> dict:
    """Real counts for the home page: users per role, audit activity, tokens, series."""
    User = get_user_model()
    today = timezone.localdate()
    users = User.objects.aggregate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    per_role = dict(
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .values_list("groups__name").annotate(n=Count("id", distinct=True)).values_list("groups__name", "n")
    )
    return {
        "users_total": users["total"],
        "users_active": users["active"],
        "users_per_role": [(role.label, per_role.get(role.value, 0)) for role in Role],
        "audit_total": AuditEvent.objects.count(),
        "audit_today": AuditEvent.objects.filter(at__date=today).count(),
        "tokens_active": ApiToken.objects.filter(revoked_at__isnull=True).count(),
        "series_total": DocumentSeries.objects.filter(active=True).count(),
    }
