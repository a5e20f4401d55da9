"""The approval panels other apps' pages show: an order's route (the order page) and a customer's
credit (the customer page). Their views call these for the context; the templates include
approvals/_route.html and approvals/_credit.html. Reads only."""

from __future__ import annotations

from django.utils import timezone

from kaidan.approvals import selectors
from kaidan.approvals.forms import DecisionForm, OverrideForm
from kaidan.approvals.states import Decision, RequestStatus, StepStatus
from kaidan.core.roles import Capability, has_capability
from kaidan.sales.states import Kind, Status


def decision_form(choices: list[dict], *, data=None, key: str) -> DecisionForm:
    """The approve/reject form of one request, with field ids unique on the page."""
    return DecisionForm(data, choices=choices, auto_id=f"{key}-%s")


def route_context(request, order, *, form: DecisionForm | None = None) -> dict:
    """The order's latest approval request in words, with the viewer's approve/reject form when the
    current step waits on them (``form``: the one that failed, to show its errors)."""
    if order.kind != Kind.ORDER:
        return {"approval": None}
    found = selectors.request_for_order(order)
    if found is None:
        return {"approval": None}
    route = selectors.route_view(found, request.user)
    current = next((s for s in route["steps"] if s["status"] == StepStatus.PENDING), None)
    rejection = None
    if route["status"] == RequestStatus.REJECTED:
        rejection = next(({"by": a["acted_by"] or a["name"], "for": a["name"] if a["on_behalf"] else None,
                           "comment": a["comment"] or route["comment"], "at": a["decided_at"]}
                          for s in route["steps"] for a in s["approvers"] if a["decision"] == Decision.REJECTED),
                         {"by": None, "for": None, "comment": route["comment"], "at": route["decided_at"]})
    if form is None and route["can_decide"]:
        form = decision_form(route["can_decide"], key=f"route-{found.pk}")
    return {"approval": route, "approval_form": form if route["can_decide"] else None,
            "approval_current": current, "approval_steps": len(route["steps"]),
            "approval_rejection": rejection if order.status == Status.DRAFT else None,
            "approval_outdated": route["revision"] != order.revision}


def credit_context(request, customer, *, form: OverrideForm | None = None) -> dict:
    """Where the customer's credit stands, its overrides, and finance's form to grant one."""
    can_grant = has_capability(request.user, Capability.GRANT_CREDIT_OVERRIDE)
    today = timezone.localdate()
    overrides = []
    for override in selectors.overrides_of(customer):
        if override.revoked_at is not None:
            state = "revoked"
        elif override.expires_on < today:
            state = "expired"
        else:
            state = "active"
        overrides.append({"o": override, "state": state})
    return {"credit": selectors.credit_summary(customer), "credit_overrides": overrides,
            "can_grant_override": can_grant,
            "override_form": (form or OverrideForm(auto_id="override-%s")) if can_grant else None}
