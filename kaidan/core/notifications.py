"""In-app notifications: ``notify`` writes one per recipient inside the caller's transaction (so a
rolled-back decision notifies nobody); apps register how their message keys read, so the text
follows the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kaidan.core.models import Notification

MESSAGES: dict[str, Any] = {}


def register_messages(messages: dict[str, Any]) -> None:
    """Let an app word its notification keys (lazy translations with %(name)s placeholders)."""
    MESSAGES.update(messages)


def text_of(notification: Notification) -> str:
    template = MESSAGES.get(notification.key)
    if template is None:
        return notification.key
    try:
        return str(template) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(users: Iterable, key: str, *, params: dict | None = None, url: str = "") -> int:
    """One notification per distinct active user; returns how many were written."""
    ids = sorted({u.pk for u in users if u is not None and u.is_active})
    Notification.objects.bulk_create([Notification(user_id=pk, key=key, params=params or {}, url=url[:300])
                                      for pk in ids])
    return len(ids)


def notifications_of(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given); others' are untouched."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def settle(key: str, url: str, *, users: Iterable | None = None) -> int:
    """Mark notifications of ``key`` about ``url`` read — for everyone, or for ``users`` — once what they
    asked for was done (an approval decided by someone)."""
    qs = Notification.objects.filter(key=key, url=url[:300], read_at__isnull=True)
    if users is not None:
        qs = qs.filter(user__in=[u.pk for u in users if u is not None])
    return qs.update(read_at=timezone.now())
