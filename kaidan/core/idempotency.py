"""``Idempotency-Key`` for creating POSTs; every later endpoint reuses it with ``@idempotent``.

* same user + key + same request → the stored first response, replayed; no second effect;
* same user + key + another request → 422;
* the first request still running → 409;
* keys are per user; records expire after KAIDAN_IDEMPOTENCY_TTL_HOURS.

The "running" marker is committed first, so a concurrent retry sees it. The operation and the
stored response then commit in one transaction: the effect exists exactly when its response is
stored. Failed requests (non-2xx) changed nothing, so their key is released for a retry.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core.api_auth import resolve_api_user
from kaidan.core.errors import Conflict, ValidationFailed
from kaidan.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _request_hash(request) -> str:
    """SHA-256 of method, path and body. Multipart bodies are hashed from the parsed fields and
    file contents, read in chunks: an upload never has to fit in memory (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.get_full_path().encode() + b"\n")
    if request.content_type == "multipart/form-data":
        for key in sorted(request.POST):
            for value in request.POST.getlist(key):
                digest.update(f"{key}={value}\n".encode())
        for key in sorted(request.FILES):
            for upload in request.FILES.getlist(key):
                digest.update(f"{key}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _error(exc) -> JsonResponse:
    return JsonResponse(exc.envelope(), status=exc.status)


def _claim(user, key: str, request_hash: str) -> IdempotencyRecord | HttpResponse:
    """Insert the running marker, or answer from an existing record."""
    now = timezone.now()
    ttl = timedelta(hours=settings.KAIDAN_IDEMPOTENCY_TTL_HOURS)
    stale = timedelta(seconds=settings.KAIDAN_IDEMPOTENCY_STALE_SECONDS)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, key=key, request_hash=request_hash)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # released meanwhile: try again
            expired = existing.created_at < now - ttl
            abandoned = existing.state == IdempotencyRecord.State.RUNNING and existing.created_at < now - stale
            if expired or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.request_hash != request_hash:
                return _error(ValidationFailed.for_field(
                    HEADER, _("This Idempotency-Key was already used with a different request.")))
            if existing.state == IdempotencyRecord.State.RUNNING:
                return _error(Conflict(_("A request with this Idempotency-Key is still being processed.")))
            response = HttpResponse(bytes(existing.response_body or b""), status=existing.response_status,
                                    content_type=existing.response_content_type or "application/json")
            response["Idempotent-Replayed"] = "true"
            return response
    return _error(Conflict(_("A request with this Idempotency-Key is still being processed.")))


def _run_with_key(run, request, *args, **kwargs):
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST":
        return run(request, *args, **kwargs)
    if not VALID_KEY.fullmatch(key):
        return _error(ValidationFailed.for_field(
            HEADER, _("The Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID is ideal).")))
    user = resolve_api_user(request)
    if user is None:  # let the operation answer 401/403 itself
        return run(request, *args, **kwargs)
    claimed = _claim(user, key, _request_hash(request))
    if isinstance(claimed, HttpResponse):
        return claimed
    try:
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            succeeded = 200 <= response.status_code < 300
            if succeeded:
                IdempotencyRecord.objects.filter(pk=claimed.pk).update(
                    state=IdempotencyRecord.State.DONE, response_status=response.status_code,
                    response_body=bytes(response.content),
                    response_content_type=response.get("Content-Type", ""))
            else:
                transaction.set_rollback(True)  # an error response must leave no trace
    except IntegrityError:  # refused at commit (a deferred constraint): nothing was stored
        succeeded, response = False, _error(Conflict())
    if not succeeded:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
    return response


def idempotent(op_func):
    """Mark a ninja POST operation as honouring Idempotency-Key (wraps the operation's run)."""
    from ninja.decorators import decorate_view

    def wrap_run(run):
        @functools.wraps(run)
        def wrapped(request, *args, **kwargs):
            return _run_with_key(run, request, *args, **kwargs)

        return wrapped

    op_func._kaidan_idempotent = True
    return decorate_view(wrap_run)(op_func)


def purge_expired_records() -> int:
    """Delete records older than the TTL; returns how many. Run daily (`kaidan purge_idempotency_keys`)."""
    cutoff = timezone.now() - timedelta(hours=settings.KAIDAN_IDEMPOTENCY_TTL_HOURS)
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
