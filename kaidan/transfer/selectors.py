"""Reads of the transfer app: import jobs. A user sees their own jobs; administrators see all."""

from __future__ import annotations

from django.db.models import QuerySet

from kaidan.core.roles import Role, roles_of
from kaidan.transfer.models import ImportJob


def sees_all_jobs(user) -> bool:
    return bool(user.is_superuser or Role.ADMIN in roles_of(user))


def jobs_visible_to(user, *, kind: str | None = None) -> QuerySet[ImportJob]:
    if not (user and user.is_authenticated and user.is_active):
        return ImportJob.objects.none()
    qs = ImportJob.objects.select_related("user")
    if not sees_all_jobs(user):
        qs = qs.filter(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def job_for(user, job_id: int) -> ImportJob | None:
    """One job the user may see; None when missing or someone else's."""
    return jobs_visible_to(user).filter(pk=job_id).first()
