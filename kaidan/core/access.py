"""Guards for views and API operations, driven by the permission matrix in roles.py.

Every view and API operation declares who may use it: a capability, any signed-in user, or public.
The test suite walks all URLs and operations and fails on one that declares nothing.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from kaidan.core.errors import Forbidden
from kaidan.core.roles import Capability, has_capability

SIGNED_IN = "signed_in"
PUBLIC = "public"
# Called by another system (a carrier's tracking integration) that authenticates with its own key,
# not as a user: outside the role matrix (the operation's auth class decides).
INTEGRATION = "integration"


def _mark(func, rule):
    func._kaidan_access = rule
    return func


def view_requires(capability: Capability | str = SIGNED_IN):
    """Django view: login required; then the capability (403 page when missing)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if capability != SIGNED_IN and not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(login_required(wrapped), capability)

    return decorator


def public_view(view):
    return _mark(view, PUBLIC)


def api_requires(capability: Capability | str = SIGNED_IN):
    """API operation (already authenticated by ninja): 403 envelope when the capability is missing."""

    def decorator(func):
        @functools.wraps(func)
        def wrapped(request, *args, **kwargs):
            if capability != SIGNED_IN and not has_capability(request.auth, capability):
                raise Forbidden()
            return func(request, *args, **kwargs)

        return _mark(wrapped, capability)

    return decorator


def integration_endpoint(func):
    """API operation for another system's integration, authenticated by that system's own key."""
    return _mark(func, INTEGRATION)


def access_rule(func) -> str | None:
    return getattr(func, "_kaidan_access", None)
