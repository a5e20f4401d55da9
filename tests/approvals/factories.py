"""Approval rules as the product owner's example has them, and helpers to act on requests."""

from __future__ import annotations

from decimal import Decimal

from kaidan.approvals import services
from kaidan.approvals.models import ApprovalRequest
from kaidan.approvals.states import RequestStatus
from kaidan.core.roles import Role


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
