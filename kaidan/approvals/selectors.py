"""Reads for the approvals screens and API: the inbox, an order's route in words, rules, delegations,
credit. Reasons are stored as codes and worded here in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.approvals import credit
from kaidan.approvals.conditions import Condition, Kind, evaluate, reason_text
from kaidan.approvals.facts import facts_for
from kaidan.approvals.flow import standing_in_for, step_label
from kaidan.approvals.models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    CreditOverride,
    Delegation,
    StepApprover,
)
from kaidan.approvals.states import Decision, RequestStatus, StepStatus
from kaidan.core.display import display_name
from kaidan.core.money import format_money, plain_number
from kaidan.core.roles import Capability, has_capability
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder


def texts(reasons: list[dict], *, show_cost: bool = True) -> list[str]:
    return [reason_text(r, show_cost=show_cost) for r in reasons or []]


def sees_cost(actor) -> bool:
    """Margins are cost figures: only roles that see costs read them in reasons and facts."""
    return actor is None or has_capability(actor, Capability.VIEW_COST)


# --- an order's route -----------------------------------------------------------------------------

def requests_of(order: SalesOrder):
    return (ApprovalRequest.objects.filter(order=order).select_related("submitted_by")
            .prefetch_related(Prefetch("steps", queryset=ApprovalStep.objects.prefetch_related(
                Prefetch("approvers", queryset=StepApprover.objects.select_related("user", "acted_by"))))))


def request_for_order(order: SalesOrder) -> ApprovalRequest | None:
    """The order's latest approval request (pending, or how the last one ended)."""
    return requests_of(order).first()


@dataclass
class Choice:
    """Whom the actor may decide for on the current step: themselves and/or people they stand in for."""

    user_id: int
    name: str
    is_self: bool


def choices_for(actor, request: ApprovalRequest) -> list[Choice]:
    """What the actor may decide on the request's current step (empty: nothing for them now)."""
    if request.status != RequestStatus.PENDING or actor.pk in request.excluded_user_ids:
        return []
    step = next((s for s in request.steps.all() if s.status == StepStatus.PENDING), None)
    if step is None:
        return []
    rows = list(step.approvers.all())
    if any(r.acted_by_id == actor.pk for s in request.steps.all() for r in s.approvers.all()):
        return []  # one person decides at most one step of a request (flow._duty)
    mine = {actor.pk} | standing_in_for(actor)
    open_rows = [r for r in rows if r.user_id in mine and r.decision == Decision.OPEN]
    return sorted((Choice(r.user_id, display_name(r.user), r.user_id == actor.pk) for r in open_rows),
                  key=lambda c: (not c.is_self, c.user_id))


def route_view(request: ApprovalRequest, actor=None) -> dict[str, Any]:
    """The route and every reason in plain words, for the order page and the API (margins only for
    readers who may see costs)."""
    show_cost = sees_cost(actor)
    steps = []
    for step in request.steps.all():
        approvers = list(step.approvers.all())
        steps.append({
            "position": step.position, "who": step_label(step.role, [display_name(a.user) for a in approvers]),
            "role": step.role, "mode": step.mode, "mode_label": str(step.get_mode_display()),
            "status": step.status, "status_label": str(step.get_status_display()),
            "reasons": texts(step.reasons, show_cost=show_cost), "rules": list(step.rule_names),
            "started_at": step.started_at, "decided_at": step.decided_at,
            "approvers": [{
                "user_id": a.user_id, "name": display_name(a.user), "decision": a.decision,
                "decision_label": str(a.get_decision_display()),
                "acted_by": display_name(a.acted_by) if a.acted_by_id else None,
                "on_behalf": bool(a.acted_by_id and a.acted_by_id != a.user_id),
                "comment": a.comment, "decided_at": a.decided_at} for a in approvers],
        })
    return {
        "id": request.pk, "status": request.status, "status_label": str(request.get_status_display()),
        "revision": request.revision, "submitted_by": display_name(request.submitted_by),
        "submitted_at": request.submitted_at, "decided_at": request.decided_at, "comment": request.comment,
        "reasons": texts(request.reasons, show_cost=show_cost),
        "facts": {**(request.facts or {}), **({} if show_cost else {"margin": None})}, "steps": steps,
        "can_decide": [{"user_id": c.user_id, "name": c.name, "is_self": c.is_self}
                       for c in choices_for(actor, request)] if actor is not None else [],
    }


# --- the inbox ------------------------------------------------------------------------------------

@dataclass
class InboxItem:
    request: ApprovalRequest
    step: ApprovalStep
    order: SalesOrder
    for_people: list[Choice] = field(default_factory=list)
    show_cost: bool = True

    @property
    def age(self):
        return timezone.now() - (self.step.started_at or self.request.submitted_at)

    @property
    def reasons(self) -> list[str]:
        return texts(self.step.reasons, show_cost=self.show_cost)

    @property
    def exposure(self) -> Decimal | None:
        value = (self.request.facts or {}).get("exposure")
        return Decimal(value) if value is not None else None

    @property
    def credit_limit(self) -> Decimal | None:
        value = (self.request.facts or {}).get("credit_limit")
        return Decimal(value) if value is not None else None

    @property
    def margin(self) -> Decimal | None:
        value = (self.request.facts or {}).get("margin")
        return Decimal(value) if value is not None and self.show_cost else None


def inbox(actor) -> list[InboxItem]:
    """The steps waiting on the actor now — their own or of people they stand in for — oldest first.
    Orders they created, edited or submitted are left out: they may not decide those."""
    mine = {actor.pk} | standing_in_for(actor)
    show_cost = sees_cost(actor)
    steps = (ApprovalStep.objects.filter(status=StepStatus.PENDING, request__status=RequestStatus.PENDING,
                                         approvers__user_id__in=mine, approvers__decision=Decision.OPEN)
             .exclude(request__steps__approvers__acted_by=actor.pk)  # they decided a step of it already
             .distinct().select_related("request__order__customer", "request__submitted_by")
             .prefetch_related(Prefetch("approvers", queryset=StepApprover.objects.select_related("user")))
             .order_by("started_at", "pk"))
    items = []
    for step in steps:
        request = step.request
        if actor.pk in request.excluded_user_ids:
            continue
        rows = list(step.approvers.all())
        people = sorted((Choice(r.user_id, display_name(r.user), r.user_id == actor.pk) for r in rows
                         if r.user_id in mine and r.decision == Decision.OPEN),
                        key=lambda c: (not c.is_self, c.user_id))
        if people:
            items.append(InboxItem(request, step, request.order, people, show_cost))
    return items


def inbox_count(actor) -> int:
    """How many steps ``inbox`` lists, in one query (the menu shows it on every page)."""
    if not actor.is_authenticated:
        return 0
    today = timezone.localdate()
    stand_in = Delegation.objects.filter(delegate=actor, cancelled_at__isnull=True, starts_on__lte=today,
                                         ends_on__gte=today).values("delegator_id")
    open_duty = StepApprover.objects.filter(Q(user_id=actor.pk) | Q(user_id__in=stand_in), step=OuterRef("pk"),
                                            decision=Decision.OPEN)
    acted = StepApprover.objects.filter(step__request=OuterRef("request"), acted_by_id=actor.pk)
    excluded = (ApprovalStep.objects.filter(status=StepStatus.PENDING, request__status=RequestStatus.PENDING)
                .filter(Exists(open_duty)).exclude(Exists(acted)).values_list("request__excluded_user_ids", flat=True))
    return sum(1 for ids in excluded if actor.pk not in (ids or []))


def requests_visible(actor):
    """Requests the actor is or was asked to decide (the inbox's history), newest first."""
    mine = {actor.pk} | standing_in_for(actor)
    return (ApprovalRequest.objects.filter(steps__approvers__user_id__in=mine).distinct()
            .select_related("order__customer", "submitted_by").order_by("-submitted_at", "-pk"))


# --- rules, delegations, credit -------------------------------------------------------------------

def rules():
    return ApprovalRule.objects.prefetch_related("steps__users").order_by("position", "pk")


def condition_text(rule) -> str:
    """A rule's condition in words: "Order total from ¥50,000.00 up to ¥200,000.00 (not included)"."""
    kind = rule.kind
    if kind == Kind.AMOUNT:
        low = format_money(rule.min_amount or Decimal("0"))
        if rule.max_amount is not None:
            return _("Order total from %(min)s up to %(max)s (not included)") % {
                "min": low, "max": format_money(rule.max_amount)}
        return _("Order total from %(min)s") % {"min": low}
    if kind == Kind.DISCOUNT and rule.percent is not None:
        return _("A line discount above %(percent)s%%") % {"percent": plain_number(rule.percent)}
    if kind == Kind.MARGIN and rule.percent is not None:
        return _("Order margin below %(percent)s%%") % {"percent": plain_number(rule.percent)}
    if kind == Kind.OVERDUE and rule.days is not None:
        return _("An invoice overdue by more than %(days)s days") % {"days": rule.days}
    return str(Kind(kind).label) if kind in Kind.values else kind


def rule_steps_text(rule: ApprovalRule) -> list[str]:
    return [f"{step_label(s.role, [display_name(u) for u in s.users.all()])} · {s.get_mode_display()}"
            for s in rule.steps.all()]


def delegations_given(actor):
    return Delegation.objects.filter(delegator=actor).select_related("delegate").order_by("-starts_on", "-pk")


def delegations_received(actor):
    return Delegation.objects.filter(delegate=actor).select_related("delegator").order_by("-starts_on", "-pk")


def overrides_of(customer: Customer):
    return CreditOverride.objects.filter(customer=customer).select_related("granted_by").order_by("-created_at")


def credit_summary(customer: Customer) -> dict[str, Any]:
    """Where the customer stands now (no order being submitted)."""
    today = timezone.localdate()
    position = credit.position(customer, today=today)
    exposure = position.exposure_with(Decimal("0.00"))
    return {"customer_id": customer.pk, "credit_control": customer.credit_control,
            "credit_control_label": str(customer.get_credit_control_display()),
            "credit_limit": customer.credit_limit, "extra_from_overrides": position.extra,
            "unlimited_override": position.unlimited, "effective_limit": position.effective_limit,
            "unpaid_invoices": position.unpaid, "open_orders": position.open_orders, "exposure": exposure,
            "available": (max(position.effective_limit - exposure, Decimal("0.00"))
                          if customer.credit_limit > 0 and not position.unlimited else None),
            "overdue_days": position.overdue_days,
            "active_overrides": list(credit.active_overrides(customer.pk, today))}


def preview(checked, order: SalesOrder) -> dict[str, Any]:
    """Would this (unsaved) rule hold for the order, and why — for the rule editor's test button.
    ``checked`` is services.check_rule's result."""
    facts = facts_for(order)
    condition = Condition(kind=checked.kind, min_amount=checked.min_amount, max_amount=checked.max_amount,
                          percent=checked.percent, days=checked.days)
    reason = evaluate(condition, facts)
    return {"order_id": order.pk, "order_number": order.number, "matches": reason is not None,
            "reason": reason_text(reason.as_json()) if reason else None, "facts": facts.as_json(),
            "steps": [step_label(role, [display_name(u) for u in users]) for role, users, _mode in checked.steps]}
