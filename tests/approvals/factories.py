"""Approval rules as the product owner's example has them, and helpers to act on requests and read
what they left behind (audit trail, notifications)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from kaidan.approvals import services
from kaidan.approvals.conditions import reason_text
from kaidan.approvals.models import ApprovalRequest, StepApprover
from kaidan.approvals.states import RequestStatus
from kaidan.core.models import AuditEvent, Notification
from kaidan.core.roles import Role
from kaidan.parties import services as party_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder


def make_rule(admin, name, kind, *, steps, **thresholds):
    """steps: [(role or [users], mode)], e.g. [(Role.SALES_MANAGER, "any")]."""
    data = {"name": name, "kind": kind, "steps": [
        {"role": who, "mode": mode} if isinstance(who, str) else {"user_ids": [u.pk for u in who], "mode": mode}
        for who, mode in steps]}
    data.update({k: str(v) if isinstance(v, Decimal) else v for k, v in thresholds.items()})
    return services.create_rule(actor=admin, data=data)


def example_rules(admin):
    """Under ¥50,000 nothing; ¥50,000–200,000 sales manager; from ¥200,000 sales manager then general
    manager; a line discount above 10% sales manager; credit exceeded finance."""
    return [
        make_rule(admin, "¥5万–20万", "amount", min_amount="50000", max_amount="200000",
                  steps=[(Role.SALES_MANAGER, "any")], position=10),
        make_rule(admin, "¥20万以上", "amount", min_amount="200000",
                  steps=[(Role.SALES_MANAGER, "any"), (Role.GENERAL_MANAGER, "any")], position=20),
        make_rule(admin, "折扣超过10%", "discount", percent="10", steps=[(Role.SALES_MANAGER, "any")], position=30),
        make_rule(admin, "超信用额度", "credit", steps=[(Role.FINANCE, "any")], position=40),
    ]


def pending_request(order) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(order=order, status=RequestStatus.PENDING).first()


def submitted(actor, order) -> SalesOrder:
    """Submit a draft order at its current version; returns the order as stored afterwards."""
    order.refresh_from_db(fields=["version"])
    transitions.submit_order(actor=actor, order_id=order.pk, version=order.version)
    return SalesOrder.objects.get(pk=order.pk)


def route_of(request: ApprovalRequest) -> list[tuple[str, str, list[str]]]:
    """(role, status, reason codes) per step."""
    return [(s.role, s.status, [r["code"] for r in s.reasons]) for s in request.steps.order_by("position")]


def in_english(reasons: list[dict]) -> list[str]:
    """Stored reasons as an English reader sees them."""
    with translation.override("en"):
        return [reason_text(r) for r in reasons]


def decisions(request: ApprovalRequest) -> list[tuple[int, str, str, str | None]]:
    """(step, approver's username, decision, who acted) for every approver row of the request."""
    rows = StepApprover.objects.filter(step__request=request).select_related("step", "user", "acted_by")
    return [(r.step.position, r.user.username, r.decision, r.acted_by.username if r.acted_by else None)
            for r in rows.order_by("step__position", "user_id")]


def set_credit(actor, customer, limit, control: str = "warn"):
    """Set a customer's credit limit and control (warn: rules decide; block: refused above it)."""
    customer.refresh_from_db(fields=["version"])
    return party_services.update_customer(actor=actor, customer_id=customer.pk, version=customer.version,
                                          data={"credit_limit": str(limit), "credit_control": control})


def actions_of(obj) -> list[str]:
    """The audit trail of one object, oldest first."""
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .order_by("at", "pk").values_list("action", flat=True))


def audit_event(obj, action: str) -> AuditEvent:
    return (AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)
            .order_by("-at", "-pk").first())


def notes_of(user) -> list[tuple[str, dict]]:
    """The user's notifications (key, params), oldest first."""
    return [(n.key, n.params) for n in Notification.objects.filter(user=user).order_by("created_at", "pk")]


def delegate(delegator, *, to, days: int = 3, starts_in: int = 0):
    """``delegator`` names ``to`` as stand-in from today (+ ``starts_in``) for ``days`` more days."""
    today = timezone.localdate()
    return services.create_delegation(actor=delegator, data={
        "delegate_id": to.pk, "starts_on": (today + datetime.timedelta(days=starts_in)).isoformat(),
        "ends_on": (today + datetime.timedelta(days=starts_in + days)).isoformat(), "note": "出差"})


def approvals_sample_ids(user, admin) -> dict[str, int]:
    """Fresh objects for the approval URLs' parameters (the permission matrix): a rule that holds for
    none of the samples, an order of a customer ``user`` owns waiting for ``user``'s approval (submitted
    by ``admin``), a delegation ``user`` gave to ``admin`` (also the delegate a new delegation names)
    and a credit override of that customer."""
    from kaidan.approvals.models import ApprovalRule
    from tests.sales.factories import sales_sample_ids

    today = timezone.localdate()
    rule = make_rule(admin, "矩阵规则", "customer_blocked", steps=[(Role.SALES_MANAGER, "any")])
    asking = make_rule(admin, "矩阵审批", "amount", min_amount="0", steps=[([user], "any")])
    order = transitions.submit_order(actor=admin, order_id=sales_sample_ids(user, admin)["order_id"])
    ApprovalRule.objects.filter(pk=asking.pk).update(active=False)  # orders submitted later are not asked
    delegation = services.create_delegation(actor=user, data={"delegate_id": admin.pk, "starts_on": today,
                                                              "ends_on": today})
    override = services.grant_override(actor=admin, customer_id=order.customer_id,
                                       data={"expires_on": today, "reason": "矩阵"})
    return {"approval_rule_id": rule.pk, "approval_id": pending_request(order).pk, "delegation_id": delegation.pk,
            "delegate_id": admin.pk, "override_id": override.pk}
