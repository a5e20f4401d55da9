"""REST endpoints of approvals: the rules (everyone reads them, administrators write them), the
approver's inbox and decisions, an order's route, delegations (each person their own) and credit (the
customer's position and finance's overrides). Every write is one service call; the services decide who
may approve what (403 for the order's own people, 409 for a step already decided)."""

from django.db.models import Count
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.approvals import flow, selectors, services
from kaidan.approvals.models import ApprovalRequest, ApprovalRule, ApprovalStep, CreditOverride, Delegation
from kaidan.approvals.schemas import (
    CreditOut,
    DecisionIn,
    DelegationFilter,
    DelegationIn,
    DelegationOut,
    InboxItemOut,
    OverrideIn,
    OverrideOut,
    PreviewIn,
    PreviewOut,
    RejectIn,
    RouteOut,
    RuleFilter,
    RuleIn,
    RuleOut,
    RuleUpdateIn,
)
from kaidan.core.access import SIGNED_IN, api_requires
from kaidan.core.api_types import DbId
from kaidan.core.display import display_name
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.parties.selectors import customers_visible_to
from kaidan.pricing.selectors import can_see_cost
from kaidan.sales.selectors import orders_visible_to

router = Router(tags=["approvals"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW_RULES, MANAGE_RULES = Capability.VIEW_APPROVAL_RULES, Capability.MANAGE_APPROVAL_RULES
GRANT = Capability.GRANT_CREDIT_OVERRIDE


# -- rules ---------------------------------------------------------------------------------------------

def rule_out(rule: ApprovalRule) -> dict:
    """A rule as RuleOut (its steps and people prefetched by selectors.rules)."""
    texts = selectors.rule_steps_text(rule)
    return {
        "id": rule.pk, "name": rule.name, "kind": rule.kind, "kind_label": str(rule.get_kind_display()),
        "min_amount": rule.min_amount, "max_amount": rule.max_amount, "percent": rule.percent, "days": rule.days,
        "position": rule.position, "active": rule.active, "description": selectors.condition_text(rule),
        "steps": [{"position": step.position, "role": step.role, "mode": step.mode, "text": text,
                   "users": [{"id": u.pk, "name": display_name(u)} for u in step.users.all()]}
                  for step, text in zip(rule.steps.all(), texts, strict=True)],
        "version": rule.version, "created_at": rule.created_at, "updated_at": rule.updated_at,
    }


def _rule(rule_id: int) -> dict:
    rule = selectors.rules().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    return rule_out(rule)


@router.get("/approval-rules", response={200: list[RuleOut], **ERRORS})
@api_requires(VIEW_RULES)
@paginate(KaidanPagination)
def list_rules(request: HttpRequest, filters: Query[RuleFilter]):
    """The approval rules in the order they are evaluated, each with its condition and route in words."""
    rules = selectors.rules()
    if filters.active is not None:
        rules = rules.filter(active=filters.active)
    if filters.kind:
        rules = rules.filter(kind=filters.kind)
    return [rule_out(rule) for rule in rules]


# "preview" first: a path of its own, not a rule id
@router.post("/approval-rules/preview", response={200: PreviewOut, **ERRORS})
@api_requires(MANAGE_RULES)
def preview_rule(request: HttpRequest, payload: PreviewIn):
    """Would this rule (not saved) send the order for approval now, and why. Saves nothing."""
    order = orders_visible_to(request.auth).select_related("customer").filter(pk=payload.order_id).first()
    if order is None:
        raise NotFound()
    checked = services.check_rule(payload.model_dump(exclude={"order_id"}))
    answer = selectors.preview(checked, order)
    answer["facts"] = _facts_for(request.auth, answer["facts"])
    return answer


@router.get("/approval-rules/{approval_rule_id}", response={200: RuleOut, **ERRORS})
@api_requires(VIEW_RULES)
def get_rule(request: HttpRequest, approval_rule_id: Path[DbId]):
    return _rule(approval_rule_id)


@router.post("/approval-rules", response={201: RuleOut, **ERRORS})
@idempotent
@api_requires(MANAGE_RULES)
def create_rule(request: HttpRequest, payload: RuleIn):
    """A new rule; it applies to orders submitted from now on. Errors name the field, e.g. `steps.1.role`."""
    rule = services.create_rule(actor=request.auth, data=payload.model_dump())
    return Status(201, _rule(rule.pk))


@router.put("/approval-rules/{approval_rule_id}", response={200: RuleOut, **ERRORS})
@api_requires(MANAGE_RULES)
def update_rule(request: HttpRequest, approval_rule_id: Path[DbId], payload: RuleUpdateIn):
    """Replace the rule as it was at ``version``; orders already waiting keep the route they started with."""
    services.update_rule(actor=request.auth, rule_id=approval_rule_id, version=payload.version,
                         data=payload.model_dump(exclude={"version"}))
    return _rule(approval_rule_id)


@router.delete("/approval-rules/{approval_rule_id}", response={204: None, **ERRORS})
@api_requires(MANAGE_RULES)
def delete_rule(request: HttpRequest, approval_rule_id: Path[DbId],
                version: int | None = Query(None, ge=1, le=2**31 - 1)):
    """Remove a rule (send ``?version=`` to refuse if it changed); requests it raised keep their route."""
    services.delete_rule(actor=request.auth, rule_id=approval_rule_id, version=version)
    return Status(204, None)


# -- an order's route ------------------------------------------------------------------------------------

def _facts_for(actor, facts: dict | None) -> dict:
    """The facts as the caller may read them: the margin only for roles that see costs."""
    facts = dict(facts or {})
    if "margin" in facts and not can_see_cost(actor):
        facts["margin"] = None
    return facts


def route_out(actor, request: ApprovalRequest) -> dict:
    """selectors.route_view for the caller (what they may decide), with the order."""
    data = selectors.route_view(request, actor)
    data.update(order_id=request.order_id, order_number=request.order.number,
                facts=_facts_for(actor, data["facts"]))
    return data


def order_route(actor, order) -> dict | None:
    """The order's latest approval request as RouteOut, or None when it was never sent for approval
    (the order detail of the sales API shows it)."""
    found = selectors.request_for_order(order)
    if found is None:
        return None
    found.order = order
    return route_out(actor, found)


def _visible_request(actor, request_id: int) -> ApprovalRequest:
    """The request if the caller is asked on it (or stands in for someone who is) or may see its order."""
    order_id = ApprovalRequest.objects.filter(pk=request_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    found = selectors.requests_of(order_id).select_related("order").get(pk=request_id)
    mine = {actor.pk} | flow.standing_in_for(actor)
    asked = any(a.user_id in mine for step in found.steps.all() for a in step.approvers.all())
    if not asked and not orders_visible_to(actor).filter(pk=order_id).exists():
        raise NotFound()
    return found


@router.get("/approvals", response={200: list[InboxItemOut], **ERRORS})
@api_requires(SIGNED_IN)
@paginate(KaidanPagination)
def inbox(request: HttpRequest):
    """What waits on you now — your own steps and those of people you stand in for — oldest first.
    Orders you created, edited or submitted are not here: someone else decides them."""
    actor = request.auth
    items = selectors.inbox(actor)
    lengths = dict(ApprovalStep.objects.filter(request_id__in=[i.request.pk for i in items])
                   .values("request_id").annotate(n=Count("pk")).values_list("request_id", "n"))
    see_cost = can_see_cost(actor)
    return [{
        "request_id": item.request.pk, "order_id": item.order.pk, "order_number": item.order.number,
        "customer_id": item.order.customer_id, "customer_name": item.order.customer.name,
        "currency": item.order.currency, "gross_amount": item.order.gross_amount,
        "submitted_by": display_name(item.request.submitted_by), "submitted_at": item.request.submitted_at,
        "age_seconds": max(int(item.age.total_seconds()), 0), "step": item.step.position,
        "steps": lengths.get(item.request.pk, item.step.position), "reasons": item.reasons,
        "exposure": item.exposure, "credit_limit": item.credit_limit,
        "margin": item.margin if see_cost else None,
        "for_people": [{"user_id": c.user_id, "name": c.name, "is_self": c.is_self} for c in item.for_people],
    } for item in items]


@router.get("/approvals/{approval_id}", response={200: RouteOut, **ERRORS})
@api_requires(SIGNED_IN)
def get_approval(request: HttpRequest, approval_id: Path[DbId]):
    """One request with its route in words; for its approvers (and their delegates) and whoever may see
    the order."""
    return route_out(request.auth, _visible_request(request.auth, approval_id))


@router.post("/approvals/{approval_id}/approve", response={200: RouteOut, **ERRORS})
@idempotent
@api_requires(SIGNED_IN)
def approve(request: HttpRequest, approval_id: Path[DbId], payload: DecisionIn):
    """Approve the current step, for yourself or (``on_behalf_of``) someone you stand in for. After the
    last step the order is confirmed and its stock reserved. 403: your own order or not your step;
    409 `already_decided`."""
    flow.approve(actor=request.auth, request_id=approval_id, comment=payload.comment,
                 on_behalf_of=payload.on_behalf_of)
    return route_out(request.auth, _visible_request(request.auth, approval_id))


@router.post("/approvals/{approval_id}/reject", response={200: RouteOut, **ERRORS})
@idempotent
@api_requires(SIGNED_IN)
def reject(request: HttpRequest, approval_id: Path[DbId], payload: RejectIn):
    """Reject with a comment: the order goes back to draft for the salesperson."""
    flow.reject(actor=request.auth, request_id=approval_id, comment=payload.comment,
                on_behalf_of=payload.on_behalf_of)
    return route_out(request.auth, _visible_request(request.auth, approval_id))


@router.get("/orders/{order_id}/approval", response={200: RouteOut | None, **ERRORS})
@api_requires(Capability.VIEW_ORDERS)
def get_order_approval(request: HttpRequest, order_id: Path[DbId]):
    """The order's latest approval request (waiting, or how it ended); null when it never needed one."""
    order = orders_visible_to(request.auth).filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order_route(request.auth, order)


# -- delegations -----------------------------------------------------------------------------------------

def _delegation(delegation_id: int) -> Delegation:
    return Delegation.objects.select_related("delegator", "delegate").get(pk=delegation_id)


@router.get("/delegations", response={200: list[DelegationOut], **ERRORS})
@api_requires(SIGNED_IN)
@paginate(KaidanPagination)
def list_delegations(request: HttpRequest, filters: Query[DelegationFilter]):
    """Your delegations: the stand-ins you named (given) and whom you stand in for (received), latest
    start first."""
    given, received = selectors.delegations_given(request.auth), selectors.delegations_received(request.auth)
    if filters.direction == "given":
        return given
    if filters.direction == "received":
        return received
    return (given | received).select_related("delegator", "delegate").order_by("-starts_on", "-pk")


@router.post("/delegations", response={201: DelegationOut, **ERRORS})
@idempotent
@api_requires(SIGNED_IN)
def create_delegation(request: HttpRequest, payload: DelegationIn):
    """Name someone to approve for you over a date range (both days included)."""
    delegation = services.create_delegation(actor=request.auth, data=payload.model_dump())
    return Status(201, _delegation(delegation.pk))


@router.post("/delegations/{delegation_id}/cancel", response={200: DelegationOut, **ERRORS})
@api_requires(SIGNED_IN)
def cancel_delegation(request: HttpRequest, delegation_id: Path[DbId]):
    """End one of your delegations now (cancelling again changes nothing)."""
    delegation = services.cancel_delegation(actor=request.auth, delegation_id=delegation_id)
    return _delegation(delegation.pk)


# -- credit ----------------------------------------------------------------------------------------------

def _customer(actor, customer_id: int):
    customer = customers_visible_to(actor).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def _override(override_id: int) -> CreditOverride:
    return CreditOverride.objects.select_related("granted_by").get(pk=override_id)


@router.get("/customers/{customer_id}/credit", response={200: CreditOut, **ERRORS})
@api_requires(Capability.VIEW_CUSTOMERS)
def get_credit(request: HttpRequest, customer_id: Path[DbId]):
    """Where the customer stands now: limit with overrides, unpaid invoices, open orders, exposure."""
    return selectors.credit_summary(_customer(request.auth, customer_id))


@router.get("/customers/{customer_id}/credit-overrides", response={200: list[OverrideOut], **ERRORS})
@api_requires(Capability.VIEW_CUSTOMERS)
@paginate(KaidanPagination)
def list_overrides(request: HttpRequest, customer_id: Path[DbId]):
    """Every override granted to the customer, newest first (revoked and expired ones too)."""
    return selectors.overrides_of(_customer(request.auth, customer_id)).order_by("-created_at", "-pk")


@router.post("/customers/{customer_id}/credit-overrides", response={201: OverrideOut, **ERRORS})
@idempotent
@api_requires(GRANT)
def grant_override(request: HttpRequest, customer_id: Path[DbId], payload: OverrideIn):
    """Let the customer exceed its credit limit until a date, by an amount or (no amount) without limit."""
    customer = _customer(request.auth, customer_id)
    override = services.grant_override(actor=request.auth, customer_id=customer.pk, data=payload.model_dump())
    return Status(201, _override(override.pk))


@router.post("/credit-overrides/{override_id}/revoke", response={200: OverrideOut, **ERRORS})
@api_requires(GRANT)
def revoke_override(request: HttpRequest, override_id: Path[DbId]):
    """End an override now (revoking again changes nothing)."""
    override = services.revoke_override(actor=request.auth, override_id=override_id)
    return _override(override.pk)

