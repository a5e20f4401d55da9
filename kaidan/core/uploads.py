"""Uploads through the API: refuse a body that is over the limit before anything reads it."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import JsonResponse

from kaidan.core.errors import ValidationFailed

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


def refuse_large_uploads(*, limit: Callable[[], int], message: Callable[[int], str], field: str = "file"):
    """A run-decorator (ninja's ``decorate_view``) for an operation taking a file: when the request's
    Content-Length is over ``limit()`` bytes plus multipart overhead, answer 422 on ``field`` with
    ``message(limit)`` — the upload is never read, parsed or stored."""

    def decorator(run):
        @functools.wraps(run)
        def wrapped(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            max_bytes = limit()
            if length > max_bytes + MULTIPART_SLACK:
                error = ValidationFailed.for_field(field, message(max_bytes))
                return JsonResponse(error.envelope(), status=error.status)
            return run(request, *args, **kwargs)

        return wrapped

    return decorator
