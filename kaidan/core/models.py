"""Core records every app relies on: company settings, document series, the audit log, API tokens
and idempotency records. Users and roles are Django's auth users and groups (see roles.py)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaidan.core.validators import validate_uscc


class CompanySettings(models.Model):
    """The one company this installation belongs to (a single row, pk=1)."""

    name = models.CharField(_("company name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True,
                            validators=[validate_uscc])
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True,
                                    validators=[RegexValidator(r"^[0-9 \-]*$", _("Digits only."))])
    base_currency = models.CharField(_("base currency"), max_length=3, default="CNY",
                                     validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters."))])
    default_vat_rate = models.DecimalField(_("default VAT rate"), max_digits=5, decimal_places=4,
                                           default=Decimal("0.13"),
                                           validators=[MinValueValidator(Decimal("0"))])
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        permissions = [("manage_company", _("Can edit company settings"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="company_settings_single_row"),
            models.CheckConstraint(condition=models.Q(default_vat_rate__gte=0, default_vat_rate__lt=1),
                                   name="company_settings_vat_rate_range"),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentSeries(models.Model):
    """How documents of one type are numbered, e.g. pattern SO{yyyy}{mm}-{seq:05}."""

    doc_type = models.SlugField(_("document type"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(_("pattern"), max_length=60)
    gapless = models.BooleanField(_("gapless"), default=False,
                                  help_text=_("Numbers are taken inside the posting transaction; "
                                              "a rolled-back document gives its number back."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document series")
        verbose_name_plural = _("document series")
        ordering = ["doc_type"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"


class AuditEventQuerySet(models.QuerySet):
    """Audit events are append-only: bulk update and delete are refused."""

    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One thing someone did to one object: who, when, what, from what to what (append-only)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(_("object type"), max_length=100)  # "app_label.model"
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=50)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)  # no add/change/delete permission exists to grant
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_repr} {self.action}"

    def save(self, *args, **kwargs):
        # Guard, not logic: an existing row is never written again.
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def digest_of(secret: str) -> str:
        # Tokens are 256-bit random strings, so a fast hash is safe (no dictionary to attack).
        return hashlib.sha256(secret.encode()).hexdigest()


class IdempotencyRecord(models.Model):
    """The first response to a creating POST sent with an Idempotency-Key, per user and key."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
            models.CheckConstraint(condition=models.Q(state__in=["running", "done"]),
                                   name="idempotency_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.state})"


class Notification(models.Model):
    """An in-app message to one user. It stores a message key and its parameters, not text, so it is
    worded in the reader's language when shown (see notifications.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
