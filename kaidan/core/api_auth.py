"""API authentication: the browser's session (with CSRF) or a personal bearer token."""

from __future__ import annotations

import secrets

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from kaidan.core.models import ApiToken

TOKEN_PREFIX = "kd_"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kd_...``: a personal token created in the UI, stored hashed."""

    def authenticate(self, request, token: str):
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        row = (ApiToken.objects.select_related("user")
               .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True).first())
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        # Touch last_used_at at most once a minute: no write on every request.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    """Django session of an active user; ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request, key):
        if request.headers.get("Authorization"):
            return None  # a client that sends credentials means those: a bad token is not rescued by a cookie
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


API_AUTH = [TokenAuth(), ActiveSessionAuth()]


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def resolve_api_user(request):
    """Authenticate like the API does, for wrappers that run before ninja's own checks."""
    for auth in API_AUTH:
        try:
            user = auth(request)
        except Exception:  # a CSRF failure: ninja reports it properly when the operation runs
            return None
        if user:
            return user
    return None
