"""Excel import jobs. An upload becomes an ``ImportJob``: the stored file, whether it is only checked
(dry run) or imported, its progress (rows checked of the total) and its outcome — counts of created,
updated and unchanged rows, and every problem by row and column. The import runs in the background
(``tasks.py``); the job page polls the row until it is done.

What is imported is defined next to the models it writes (``kaidan.parties.importer``,
``kaidan.catalog.importer``), found through ``settings.KAIDAN_IMPORTERS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJob(models.Model):
    """One uploaded workbook to check or import, with its progress and outcome."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        PRODUCTS = "products", _("Products")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="import_jobs")
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=10, default="zh-hans")
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(pgettext_lazy("rows", "created"), default=0)
    updated_count = models.PositiveIntegerField(pgettext_lazy("rows", "updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True,
                              help_text=_("The first problems found: {row, column, field, message}."))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["customers", "products"]), name="transfer_job_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["pending", "running", "done", "failed"]),
                                   name="transfer_job_status_valid"),
            models.CheckConstraint(condition=Q(processed_rows__lte=F("total_rows")),
                                   name="transfer_job_processed_within_total"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="transfer_job_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def outcome(self) -> str:
        """pending, running, checked (dry run without problems), imported, rejected (problems, nothing
        written) or failed (the file could not be read to the end)."""
        if self.status == self.Status.DONE:
            if self.problem_count:
                return "rejected"
            return "checked" if self.dry_run else "imported"
        return self.status

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
