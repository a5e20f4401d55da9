"""Approving orders: the gate the sales transitions call on submit (evaluate the rules, open a request
with its route), and the decisions — approve, reject — with the separation of duties enforced here,
not in the screens.

Every decision locks the order first (the same lock every order change takes), so two approvers
acting at once on a one-of (或签) step are served one after the other: the first decides it, the
second finds it decided and gets 409. Nobody approves an order they created, last edited or
submitted; nobody acts twice on a step, not even for two people they stand in for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.approvals import facts as gathering
from kaidan.approvals.conditions import Condition, Facts, Kind, Reason, evaluate, reason_text
from kaidan.approvals.models import ApprovalRequest, ApprovalRule, ApprovalStep, Delegation, StepApprover
from kaidan.approvals.routing import Match, RouteStep, StepSpec, build_route
from kaidan.approvals.states import Decision, Mode, RequestStatus, StepStatus, step_is_done
from kaidan.core import audit, notifications
from kaidan.core.display import display_name
from kaidan.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.parties import locks as party_locks
from kaidan.parties.models import Customer
from kaidan.sales import locks as order_locks
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder

COMMENT_MAX = 500
User = get_user_model()


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"


class NoApprover(Conflict):
    code = "no_approver"


class AlreadyDecided(Conflict):
    code = "already_decided"


# --- evaluating -----------------------------------------------------------------------------------

def condition_of(rule: ApprovalRule) -> Condition:
    return Condition(kind=rule.kind, min_amount=rule.min_amount, max_amount=rule.max_amount,
                     percent=rule.percent, days=rule.days)


def step_specs(rule: ApprovalRule) -> tuple[StepSpec, ...]:
    return tuple(StepSpec(role=s.role, user_ids=tuple(sorted(u.pk for u in s.users.all())), mode=s.mode)
                 for s in rule.steps.all())


def active_rules() -> list[ApprovalRule]:
    return list(ApprovalRule.objects.filter(active=True).prefetch_related("steps__users"))


@dataclass
class Evaluation:
    facts: Facts
    matches: list[Match]
    route: list[RouteStep]

    @property
    def reasons(self) -> list[Reason]:
        return [m.reason for m in self.matches]


def evaluate_order(order: SalesOrder, rules: list[ApprovalRule] | None = None) -> Evaluation:
    """Which rules hold for the order now, and the route they make (reads only)."""
    facts = gathering.facts_for(order)
    matches = []
    for rule in active_rules() if rules is None else rules:
        reason = evaluate(condition_of(rule), facts)
        if reason is not None:
            matches.append(Match(rule.name, reason, step_specs(rule)))
    return Evaluation(facts, matches, build_route(matches))


def reasons_json(reasons) -> list[dict]:
    """Reasons as stored: code and parameters (worded again in each reader's language) and the text
    in the language of the moment, without cost figures, for the audit trail."""
    return [{**r.as_json(), "text": reason_text(r.as_json(), show_cost=False)} for r in reasons]


# --- the gate the sales transitions call ----------------------------------------------------------

def _approvers(spec: StepSpec, excluded: set[int]) -> list:
    users = User.objects.filter(is_active=True)
    users = users.filter(groups__name=spec.role) if spec.role else users.filter(pk__in=spec.user_ids)
    return [u for u in users.distinct().order_by("pk") if u.pk not in excluded]


def step_label(role: str, names: list[str]) -> str:
    return str(Role(role).label) if role in Role.values else "、".join(names)


def _lock_credit(order: SalesOrder) -> None:
    """Lock a customer that has a credit limit (after its order: order → customer → stock rows), so
    its orders are checked against the limit one after the other; two submitted at once would each
    miss the other's confirmation and both pass."""
    if order.customer.credit_limit > 0:
        order.customer = party_locks.lock_customer(order.customer_id)


def _check_credit_block(order: SalesOrder, facts: Facts) -> None:
    customer = order.customer
    if customer.credit_control == Customer.CreditControl.BLOCK and facts.credit_exceeded_by > 0:
        reason = Reason("credit", {"over": str(facts.credit_exceeded_by), "exposure": str(facts.exposure),
                                   "limit": str(facts.credit_limit), "currency": facts.currency})
        raise CreditLimitExceeded(_("%(reason)s. This customer's credit is blocked above the limit; finance can "
                                    "grant a temporary override.") % {"reason": reason_text(reason.as_json())},
                                  over=str(facts.credit_exceeded_by), exposure=str(facts.exposure),
                                  limit=str(facts.credit_limit))


def open_request(order: SalesOrder, *, actor, editor_id: int) -> bool:
    """Evaluate the rules for an order being submitted; record the evaluation; when some rule holds,
    open a request with the route (approvers resolved now, so later rule or staff changes do not move
    it) and tell the first step's approvers. Returns True when the order must wait."""
    rules = active_rules()
    if not rules and order.customer.credit_control != Customer.CreditControl.BLOCK:
        # Nothing to decide: no facts to gather (keeps the plain submit path a few queries shorter).
        audit.record(order, "approval_evaluated", actor=actor, after={"reasons": [], "route": []})
        return False
    _lock_credit(order)
    evaluation = evaluate_order(order, rules)
    _check_credit_block(order, evaluation.facts)
    reasons = reasons_json(evaluation.reasons)
    # Readable in the history panel, which every viewer of the order sees: no cost figures (the facts,
    # margin included, stay on the request for those who may see them).
    audit.record(order, "approval_evaluated", actor=actor,
                 after={"reasons": reasons,
                        "route": [f"{step_label(s.spec.role, _names(s.spec.user_ids))} · {Mode(s.spec.mode).label}"
                                  for s in evaluation.route]})
    if not evaluation.route:
        return False
    excluded = {order.created_by_id, editor_id, actor.pk, *_editors(order)}
    request = ApprovalRequest.objects.create(
        order=order, revision=order.revision, reasons=reasons, facts=evaluation.facts.as_json(),
        submitted_by=actor, excluded_user_ids=sorted(excluded))
    for position, route_step in enumerate(evaluation.route, start=1):
        spec = route_step.spec
        people = _approvers(spec, excluded)
        if not people:
            raise NoApprover(_("Nobody else can approve step %(step)s (%(who)s) of this order; ask an administrator "
                             "to adjust the approval rules.")
                           % {"step": position, "who": step_label(spec.role, _names(spec.user_ids))},
                           step=position)
        step = ApprovalStep.objects.create(
            request=request, position=position, role=spec.role, mode=spec.mode,
            reasons=reasons_json(route_step.reasons), rule_names=route_step.rule_names,
            status=StepStatus.PENDING if position == 1 else StepStatus.WAITING,
            started_at=timezone.now() if position == 1 else None)
        StepApprover.objects.bulk_create([StepApprover(step=step, user=u) for u in people])
    audit.record(order, "approval_requested", actor=actor,
                 after={"request": request.pk, "reasons": reasons, "steps": len(evaluation.route)})
    _tell_approvers(request, request.steps.get(position=1))
    return True


# What the sales services record when someone writes an order (not when someone approves it).
EDITING_ACTIONS = ("created", "updated", "lines_changed", "repriced", "revised", "copied", "converted", "submitted")


def _editors(order: SalesOrder) -> set[int]:
    """Everyone who ever wrote this order, from its audit trail: a manager who typed a discount may not
    approve it even after the salesperson edited the order again."""
    return set(AuditEvent.objects.filter(object_type=audit.object_type_of(order), object_id=str(order.pk),
                                         action__in=EDITING_ACTIONS, actor__isnull=False)
               .values_list("actor_id", flat=True).distinct())


def _names(user_ids) -> list[str]:
    return [display_name(u) for u in User.objects.filter(pk__in=list(user_ids)).order_by("pk")]


def _order_url(order: SalesOrder) -> str:
    return reverse("order_detail", args=[order.pk])


def _tell_approvers(request: ApprovalRequest, step: ApprovalStep) -> None:
    today = timezone.localdate()
    people = [a.user for a in step.approvers.select_related("user")]
    stand_ins = [d.delegate for d in Delegation.objects.filter(
        delegator__in=people, cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("delegate")]
    order = request.order
    notifications.notify(people + stand_ins, "approval_needed", url=_order_url(order),
                         params={"number": order.number, "customer": order.customer.name})


def withdraw(order: SalesOrder, *, actor, why: str) -> None:
    """The order was revised or cancelled while (or after) waiting: its open request ends."""
    request = ApprovalRequest.objects.filter(order=order, status=RequestStatus.PENDING).first()
    if request is None:
        return
    now = timezone.now()
    request.status, request.decided_at = RequestStatus.WITHDRAWN, now
    request.save(update_fields=["status", "decided_at"])
    request.steps.filter(status__in=[StepStatus.PENDING, StepStatus.WAITING]).update(
        status=StepStatus.WITHDRAWN, decided_at=now)
    audit.record(order, "approval_withdrawn", actor=actor,
                 after={"request": request.pk, "why": audit.action_label(why)})  # "Revised", in words
    notifications.settle("approval_needed", _order_url(order))


class Gate:
    """What sales.approval_gate calls (registered in AppConfig.ready)."""

    def accepts_blocked_customer(self) -> bool:
        return ApprovalRule.objects.filter(active=True, kind=Kind.CUSTOMER_BLOCKED).exists()

    def route(self, order, *, actor, editor_id: int) -> bool:
        return open_request(order, actor=actor, editor_id=editor_id)

    def withdraw(self, order, *, actor, why: str) -> None:
        withdraw(order, actor=actor, why=why)


# --- deciding -------------------------------------------------------------------------------------

def _clean_comment(comment: str | None, *, required: bool) -> str:
    comment = (comment or "").strip()
    if "\x00" in comment:
        raise ValidationFailed.for_field("comment", _("Remove the NUL character."))
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed.for_field("comment", _("Enter at most %(max)d characters.") % {"max": COMMENT_MAX})
    if required and not comment:
        raise ValidationFailed.for_field("comment", _("Say why, so the salesperson knows what to change."))
    return comment


def standing_in_for(actor, today=None) -> set[int]:
    """The people whose approvals the actor may give today (their delegations to the actor)."""
    today = today or timezone.localdate()
    return set(Delegation.objects.filter(delegate=actor, cancelled_at__isnull=True, starts_on__lte=today,
                                         ends_on__gte=today).values_list("delegator_id", flat=True))


def _locked_request(actor, request_id: int) -> tuple[ApprovalRequest, SalesOrder, set[int]]:
    order_id = ApprovalRequest.objects.filter(pk=request_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    order = order_locks.lock_order(order_id)  # the order first, as every order change does
    request = ApprovalRequest.objects.get(pk=request_id)
    if actor.pk in request.excluded_user_ids:  # they know the order: say why rather than "not found"
        raise Forbidden(_("You created, edited or submitted this order; someone else must approve it."))
    mine = {actor.pk} | standing_in_for(actor)  # whose approvals the actor may give today
    if not request.steps.filter(approvers__user_id__in=mine).exists():
        raise NotFound()  # not someone this request asks: it does not exist for them
    return request, order, mine


def _duty(actor, request: ApprovalRequest, mine: set[int],
          on_behalf_of: int | None) -> tuple[ApprovalStep, StepApprover]:
    """The open approver row the actor decides now: their own, or (as a delegate) the one of the
    person they stand in for (the caller has ruled out the order's own people). Raises Forbidden /
    Conflict with the reason."""
    if request.status != RequestStatus.PENDING:
        raise AlreadyDecided(_("This approval was already decided: %(status)s.")
                             % {"status": request.get_status_display()})
    step = request.steps.filter(status=StepStatus.PENDING).first()
    rows = {row.user_id: row for row in step.approvers.all()} if step else {}
    if step is None or not mine & set(rows):
        theirs = StepApprover.objects.filter(step__request=request, user_id__in=mine)
        if theirs.exists() and not theirs.filter(step__status=StepStatus.WAITING).exists():
            raise AlreadyDecided(_("Your step of this approval was already decided."))
        raise Forbidden(_("This step waits for someone else."))  # e.g. the general manager before the first step
    if any(row.acted_by_id == actor.pk for row in rows.values()):
        raise AlreadyDecided(_("You already decided on this step."))
    earlier = StepApprover.objects.filter(step__request=request, acted_by=actor).exclude(step=step).first()
    if earlier is not None:  # one person, one level: the route asks for different people in sequence
        raise Forbidden(_("You already decided step %(step)s of this order; another person must decide this "
                          "step.") % {"step": earlier.step.position})
    if on_behalf_of is not None:
        row = rows.get(on_behalf_of)
        if row is None or on_behalf_of not in mine:
            raise ValidationFailed.for_field("on_behalf_of", _("You do not stand in for this person on this step."))
    else:
        candidates = [rows[pk] for pk in sorted(mine & set(rows), key=lambda pk: (pk != actor.pk, pk))]
        row = next((r for r in candidates if r.decision == Decision.OPEN), candidates[0])
    if row.decision != Decision.OPEN:
        raise AlreadyDecided(_("This step was already decided for %(name)s.") % {"name": display_name(row.user)})
    return step, row


def _record(row: StepApprover, decision: str, *, actor, comment: str) -> None:
    row.decision, row.acted_by, row.comment, row.decided_at = decision, actor, comment, timezone.now()
    row.save(update_fields=["decision", "acted_by", "comment", "decided_at"])


def _decision_audit(order, action: str, *, actor, step: ApprovalStep, row: StepApprover, comment: str) -> None:
    """The decision with the step's reasons; ``acted_by`` only when a stand-in decided for the approver."""
    after = {"step": step.position, "approver": display_name(row.user), "comment": comment,
             "reasons": step.reasons}
    if row.user_id != actor.pk:
        after["acted_by"] = display_name(actor)
    audit.record(order, action, actor=actor, after=after)


@transitions.asking_purchasing_when_short
@transaction.atomic
def approve(*, actor, request_id: int, comment: str = "", on_behalf_of: int | None = None) -> ApprovalRequest:
    """Approve the current step (for oneself, or for the person one stands in for). When the step is
    done the next one starts; after the last, the order is confirmed and its stock reserved. Raises
    NotFound, Forbidden, Conflict (already decided, InsufficientStock, CreditLimitExceeded for a
    customer blocked above its limit), ValidationFailed."""
    comment = _clean_comment(comment, required=False)
    request, order, mine = _locked_request(actor, request_id)
    step, row = _duty(actor, request, mine, on_behalf_of)
    _record(row, Decision.APPROVED, actor=actor, comment=comment)
    _decision_audit(order, "approval_given", actor=actor, step=step, row=row, comment=comment)
    decisions = list(step.approvers.values_list("decision", flat=True))
    if not step_is_done(step.mode, decisions):
        notifications.settle("approval_needed", _order_url(order), users=[actor, row.user])
        return request
    notifications.settle("approval_needed", _order_url(order))
    now = timezone.now()
    if step.mode == Mode.ANY:
        step.approvers.filter(decision=Decision.OPEN).update(decision=Decision.SKIPPED)
    step.status, step.decided_at = StepStatus.APPROVED, now
    step.save(update_fields=["status", "decided_at"])
    following = request.steps.filter(position__gt=step.position).order_by("position").first()
    if following is not None:
        following.status, following.started_at = StepStatus.PENDING, now
        following.save(update_fields=["status", "started_at"])
        _tell_approvers(request, following)
        return request
    if order.customer.credit_control == Customer.CreditControl.BLOCK:
        # Confirming is when credit is taken: orders confirmed while this one waited count now.
        _lock_credit(order)
        _check_credit_block(order, gathering.facts_for(order))
    request.status, request.decided_at, request.comment = RequestStatus.APPROVED, now, comment
    request.save(update_fields=["status", "decided_at", "comment"])
    audit.record(order, "approval_approved", actor=actor, after={"request": request.pk})
    transitions.confirm_approved(order, actor=actor)
    _tell_submitter(request, "approval_approved", actor=actor, comment=comment)
    return request


@transaction.atomic
def reject(*, actor, request_id: int, comment: str, on_behalf_of: int | None = None) -> ApprovalRequest:
    """Reject at the current step, with a comment: the order goes back to draft for the salesperson.
    Raises NotFound, Forbidden, Conflict, ValidationFailed."""
    comment = _clean_comment(comment, required=True)
    request, order, mine = _locked_request(actor, request_id)
    step, row = _duty(actor, request, mine, on_behalf_of)
    _record(row, Decision.REJECTED, actor=actor, comment=comment)
    now = timezone.now()
    step.status, step.decided_at = StepStatus.REJECTED, now
    step.save(update_fields=["status", "decided_at"])
    request.steps.filter(status=StepStatus.WAITING).update(status=StepStatus.WITHDRAWN, decided_at=now)
    request.status, request.decided_at, request.comment = RequestStatus.REJECTED, now, comment
    request.save(update_fields=["status", "decided_at", "comment"])
    _decision_audit(order, "approval_rejected", actor=actor, step=step, row=row, comment=comment)
    notifications.settle("approval_needed", _order_url(order))
    transitions.return_rejected(order, actor=actor)
    _tell_submitter(request, "approval_rejected", actor=actor, comment=comment)
    return request


def _tell_submitter(request: ApprovalRequest, key: str, *, actor, comment: str) -> None:
    order = request.order
    people = {request.submitted_by, order.created_by, order.salesperson}
    notifications.notify(people, key, url=_order_url(order),
                         params={"number": order.number, "by": display_name(actor), "comment": comment})
