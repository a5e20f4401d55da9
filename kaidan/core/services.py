"""Writes of the core app: company settings, numbering series and API tokens.
Each is one transaction: lock, re-check, write, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit, locks, numbering
from kaidan.core.api_auth import new_token_secret
from kaidan.core.errors import NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import ApiToken, CompanySettings, DocumentSeries

COMPANY_FIELDS = ["name", "uscc", "address", "phone", "bank_name", "bank_account", "base_currency",
                  "default_vat_rate"]
SERIES_FIELDS = ["name", "pattern", "gapless", "active"]


def full_clean_or_raise(instance, *, exclude: list[str] | None = None, check_constraints: bool = True) -> None:
    """Run model validation and turn Django's ValidationError into a field-level ValidationFailed.

    ``check_constraints=False`` skips the models' CheckConstraints (Django validates each with its own
    query) for hot paths whose field validators already cover every check; the database still
    enforces them, and unique constraints are always validated."""
    try:
        if check_constraints:
            instance.full_clean(exclude=exclude)
            return
        errors: dict = {}
        try:
            instance.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for constraint in instance._meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                try:
                    constraint.validate(type(instance), instance, exclude=set(exclude or ()))
                except ValidationError as exc:  # named on its field, as Model.validate_constraints does
                    if getattr(exc, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(exc)
                    else:
                        errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None


def reject_unknown_fields(data: dict[str, Any], allowed: list[str]) -> None:
    """Raise ValidationFailed naming every key of ``data`` a service does not accept."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in unknown})


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> None:
    reject_unknown_fields(data, allowed)
    for name, value in data.items():
        setattr(instance, name, value)


@transaction.atomic
def update_company_settings(*, actor, version: int, data: dict[str, Any]) -> CompanySettings:
    """Edit the company settings made on ``version``. Raises StaleEdit, ValidationFailed."""
    company = locks.lock_company_settings()
    if company is None:
        company = CompanySettings(pk=1, name="", version=0)
    if company.version != version:
        raise StaleEdit(current_version=company.version, current=audit.snapshot(company, COMPANY_FIELDS))
    before = audit.snapshot(company, COMPANY_FIELDS)
    _apply(company, data, COMPANY_FIELDS)
    if isinstance(company.uscc, str):
        company.uscc = company.uscc.strip().upper()
    full_clean_or_raise(company, exclude=["version"])
    after = audit.snapshot(company, COMPANY_FIELDS)
    if after == before and company.version > 0:
        return company  # nothing changed: no new version, no history noise
    company.version += 1
    company.save()
    audit.record(company, "updated", actor=actor, before=before, after=after)
    return company


@transaction.atomic
def update_series(*, actor, doc_type: str, data: dict[str, Any]) -> DocumentSeries:
    """Change a numbering series. Raises NotFound, ValidationFailed."""
    series = locks.lock_series(doc_type)
    if series is None:
        raise NotFound()
    before = audit.snapshot(series, SERIES_FIELDS)
    _apply(series, data, SERIES_FIELDS)
    numbering.parse_pattern(series.pattern)
    full_clean_or_raise(series)
    after = audit.snapshot(series, SERIES_FIELDS)
    if after != before:
        series.save()
        audit.record(series, "updated", actor=actor, before=before, after=after)
    return series


@transaction.atomic
def create_api_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; returns it with its secret, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed.for_field("name", _("Give the token a name of 1 to 100 characters."))
    secret = new_token_secret()
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], digest=ApiToken.digest_of(secret))
    audit.record(token, "created", actor=user, after={"name": name, "prefix": token.prefix})
    return token, secret


@transaction.atomic
def revoke_api_token(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent). Raises NotFound for someone else's token."""
    token = locks.lock_token(token_id=token_id, user=user)
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(token, "revoked", actor=user)
    return token
