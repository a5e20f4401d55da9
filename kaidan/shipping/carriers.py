"""Carriers (master data): create, edit, and the key a carrier's integration posts tracking events
with — made here, shown once, stored hashed."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaidan.catalog.validators import validate_code
from kaidan.core import audit
from kaidan.core.errors import Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.parsing import Errors
from kaidan.core.roles import Capability, has_capability
from kaidan.shipping.models import Carrier
from kaidan.shipping.validation import check_fields, check_text, check_tracking_url

KEY_PREFIX = "kdc_"
FIELDS = {"code", "name", "tracking_url", "active", "version"}
SNAPSHOT = ["code", "name", "tracking_url", "active"]


def _require(actor) -> None:
    if not has_capability(actor, Capability.MANAGE_CARRIERS):
        raise Forbidden()


def _check(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    errors = Errors()
    check_fields(data, FIELDS, errors)
    values: dict[str, Any] = {}
    for name in ("code", "name"):
        if not partial or name in data:
            values[name] = check_text(data, name, errors, required=True)
    if values.get("code"):
        try:
            validate_code(values["code"])
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("code", message)
    if not partial or "tracking_url" in data:
        values["tracking_url"] = check_tracking_url(check_text(data, "tracking_url", errors), errors)
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors.add("active", _("Enter true or false."))
        else:
            values["active"] = data["active"]
    errors.raise_if_any()
    return values


def _save(carrier: Carrier) -> None:
    try:
        with transaction.atomic():
            carrier.save()
    except IntegrityError:
        raise ValidationFailed.for_field("code", _("Another carrier has this code.")) from None


@transaction.atomic
def create_carrier(*, actor, data: dict[str, Any]) -> Carrier:
    _require(actor)
    carrier = Carrier(**_check(data))
    _save(carrier)
    audit.record(carrier, "created", actor=actor, after=audit.snapshot(carrier, SNAPSHOT))
    return carrier


@transaction.atomic
def update_carrier(*, actor, carrier_id: int, data: dict[str, Any], version: int | None = None) -> Carrier:
    _require(actor)
    values = _check(data, partial=True)
    carrier = Carrier.objects.select_for_update().filter(pk=carrier_id).first()
    if carrier is None:
        raise NotFound()
    if version is not None and version != carrier.version:
        raise StaleEdit(current_version=carrier.version)
    before = audit.snapshot(carrier, SNAPSHOT)
    for name, value in values.items():
        setattr(carrier, name, value)
    carrier.version += 1
    _save(carrier)
    audit.record(carrier, "updated", actor=actor, before=before, after=audit.snapshot(carrier, SNAPSHOT))
    return carrier


@transaction.atomic
def new_api_key(*, actor, carrier_id: int) -> tuple[Carrier, str]:
    """Make (or replace) the carrier's integration key; returns the key, which is not stored."""
    _require(actor)
    carrier = Carrier.objects.select_for_update().filter(pk=carrier_id).first()
    if carrier is None:
        raise NotFound()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    carrier.api_key_digest = Carrier.digest_of(key)
    carrier.version += 1
    carrier.save(update_fields=["api_key_digest", "version"])
    audit.record(carrier, "api_key_created", actor=actor)
    return carrier, key


def carrier_for_key(key: str) -> Carrier | None:
    """The active carrier whose integration key this is (for the API's authentication)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    return Carrier.objects.filter(api_key_digest=Carrier.digest_of(key), active=True).first()
