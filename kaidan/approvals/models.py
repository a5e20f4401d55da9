"""Approval rules (set up by an administrator), the approval requests they raise for orders, the
delegations approvers give and the credit overrides finance grants.

A rule is a condition (conditions.py) and a route of one or more steps; a step names a role or
people and a mode: any one of them (或签) or all of them (会签). When an order is submitted, every
active rule whose condition holds adds its steps; identical steps are merged, so an order over
¥200,000 with an 18% discount goes to the sales manager once (for both reasons), then to the general
manager. The request copies the route, the approvers and the reasons, so later rule changes do not
move orders already waiting. Approval rows are written only by services holding the order's lock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaidan.approvals.conditions import Kind
from kaidan.approvals.states import Decision, Mode, RequestStatus, StepStatus
from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class ApprovalRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("condition"), max_length=20, choices=Kind.choices)
    min_amount = models.DecimalField(_("order total from"), **MONEY, null=True, blank=True)
    max_amount = models.DecimalField(_("order total up to (not included)"), **MONEY, null=True, blank=True)
    percent = models.DecimalField(_("percent"), **PERCENT, null=True, blank=True)
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    position = models.PositiveIntegerField(_("order of evaluation"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="approvalrule_kind_valid"),
            models.CheckConstraint(condition=Q(max_amount__isnull=True) | Q(min_amount__isnull=True)
                                   | Q(max_amount__gt=models.F("min_amount")), name="approvalrule_band_ordered"),
            models.CheckConstraint(condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                                   name="approvalrule_percent_range"),
            models.CheckConstraint(condition=Q(min_amount__isnull=True) | Q(min_amount__gte=0),
                                   name="approvalrule_min_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleStep(models.Model):
    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("step"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="+")
    mode = models.CharField(_("mode"), max_length=3, choices=Mode.choices, default=Mode.ANY)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(mode__in=Mode.values), name="rulestep_mode_valid")]

    def __str__(self) -> str:
        return f"{self.rule_id}.{self.position}"


class ApprovalRequest(models.Model):
    """One submission of an order that needed approval, with the route it started with."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="approval_requests")
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    revision = models.PositiveIntegerField(_("order revision"))
    reasons = models.JSONField(_("reasons"), default=list)
    facts = models.JSONField(_("facts at submission"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Who may not approve: the order's creator, its last editor and its submitter.
    excluded_user_ids = models.JSONField(default=list)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="approvalrequest_status_valid"),
            # An order waits on one request at a time.
            models.UniqueConstraint(fields=["order"], condition=Q(status="pending"),
                                    name="approvalrequest_one_pending_per_order"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="approvalrequest_status_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk}"


class ApprovalStep(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("step"))
    role = models.CharField(_("role"), max_length=30, blank=True)
    mode = models.CharField(_("mode"), max_length=3, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.WAITING)
    reasons = models.JSONField(_("reasons"), default=list)
    rule_names = models.JSONField(default=list)
    started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="approvalstep_position_unique"),
            models.CheckConstraint(condition=Q(status__in=StepStatus.values), name="approvalstep_status_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="approvalstep_status_idx")]

    def __str__(self) -> str:
        return f"{self.request_id}.{self.position}"


class StepApprover(models.Model):
    """A person a step needs (会签) or may be decided by (或签), and what they — or their delegate —
    decided. ``acted_by`` is who clicked: the approver, or a delegate acting for them."""

    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="approvers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_duties")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "user"], name="stepapprover_once_per_step"),
            # Nobody acts twice on one step, not even for two people they stand in for.
            models.UniqueConstraint(fields=["step", "acted_by"], condition=Q(acted_by__isnull=False),
                                    name="stepapprover_one_act_per_person"),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="stepapprover_decision_valid"),
        ]
        indexes = [models.Index(fields=["user", "decision"], name="stepapprover_user_idx")]

    def __str__(self) -> str:
        return f"{self.step_id}:{self.user_id}"


class Delegation(models.Model):
    """An approver's stand-in for a date range (both days included)."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegate"), on_delete=models.PROTECT,
                                 related_name="delegations_received")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"),
        ]
        indexes = [models.Index(fields=["delegate", "ends_on"], name="delegation_delegate_idx")]

    def __str__(self) -> str:
        return f"{self.delegator_id}→{self.delegate_id}"


class CreditOverride(models.Model):
    """Finance lets a customer go over its credit limit until a date: by an amount, or (no amount)
    without limit. Revoking ends it at once."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="credit_overrides")
    amount = models.DecimalField(_("extra credit"), **MONEY, null=True, blank=True)
    expires_on = models.DateField(_("valid until"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit override")
        verbose_name_plural = _("credit overrides")
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="creditoverride_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="creditoverride_has_reason"),
        ]
        permissions = [("grant_credit_override", _("Can grant credit overrides"))]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.expires_on}"
