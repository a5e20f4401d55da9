"""The audit log: ``record`` writes one append-only event; ``snapshot`` turns a model into the JSON
stored as before/after. Services call ``record`` inside their transaction, so an event exists
exactly when the change it describes was committed."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaidan.core.context import current_request_id
from kaidan.core.models import AuditEvent

# Labels for the actions apps record; an action without one is shown as recorded.
ACTION_LABELS = {
    "created": pgettext_lazy("audit action", "Created"),
    "updated": pgettext_lazy("audit action", "Updated"),
    "revoked": pgettext_lazy("audit action", "Revoked"),
    "deleted": pgettext_lazy("audit action", "Deleted"),
    "activated": pgettext_lazy("audit action", "Activated"),
    "deactivated": pgettext_lazy("audit action", "Deactivated"),
}


# Labels for keys apps record that are not fields of the object (history panels show them).
KEY_LABELS: dict[str, Any] = {}
KEY_RENDERERS: dict[str, Any] = {}


def register_key_labels(labels: dict[str, Any], renderers: dict[str, Any] | None = None) -> None:
    """Let an app name the keys of what it records about other apps' objects, and word their values in
    the reader's language (``renderers``: key → function of the stored value); called from ready."""
    for key, label in labels.items():
        KEY_LABELS.setdefault(key, label)
    for key, render in (renderers or {}).items():
        KEY_RENDERERS.setdefault(key, render)


def register_action_labels(labels: dict[str, Any]) -> None:
    """Let an app name the actions its services record (called from its AppConfig.ready)."""
    for action, label in labels.items():
        ACTION_LABELS.setdefault(action, label)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data (foreign keys as ids)."""
    result = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _jsonable(getattr(instance, field.attname))
    return result


def object_type_of(instance: models.Model) -> str:
    return instance._meta.label_lower


def record(instance: models.Model, action: str, *, actor=None, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    """Append one audit event about ``instance``; only changed keys are kept when both sides are given."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=object_type_of(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        before=before,
        after=after,
        request_id=current_request_id(),
    )


class ChangeFormatter:
    """Turns stored before/after values into what people read: field labels from the models'
    verbose names, foreign keys as the related object's name, booleans as yes/no."""

    def __init__(self, *model_classes: type[models.Model]):
        self.fields: dict[str, models.Field] = {}
        for model in reversed(model_classes):  # the first model's labels win
            self.fields.update({f.name: f for f in model._meta.concrete_fields})
        self._related: dict[tuple[type, Any], str] = {}

    def label(self, name: str) -> str:
        field = self.fields.get(name)
        if field is not None:
            return capfirst(str(field.verbose_name))
        return capfirst(str(KEY_LABELS[name])) if name in KEY_LABELS else name

    def value(self, name: str, value: Any) -> Any:
        field = self.fields.get(name)
        if field is None and name in KEY_RENDERERS and value is not None:
            return KEY_RENDERERS[name](value)
        if isinstance(value, list) and field is None:
            # a list an app recorded (reasons, steps): its items' "text" where they have one
            return "; ".join(str(v.get("text", v) if isinstance(v, dict) else v) for v in value)
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if field is not None and field.is_relation and value not in (None, ""):
            key = (field.related_model, value)
            if key not in self._related:
                related = field.related_model._default_manager.filter(pk=value).first()
                self._related[key] = str(related) if related is not None else f"#{value}"
            return self._related[key]
        if field is not None and field.choices and value is not None:
            try:
                key = field.to_python(value)  # stored JSON "0.1300" → Decimal, to match the choices
            except ValidationError:
                key = value
            return str(dict(field.flatchoices).get(key, value))
        return value

    def changes(self, event: AuditEvent) -> list[tuple[str, Any, Any]]:
        """(label, before, after) per changed field; before is None for a creation."""
        before, after = event.before or {}, event.after or {}
        return [(self.label(k), self.value(k, before[k]) if k in before else None, self.value(k, after.get(k)))
                for k in sorted(set(before) | set(after))]
