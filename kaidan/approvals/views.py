"""Approval pages: the inbox of steps waiting on the user (approve or reject right there, or on the
order page), the history of what they were asked, and their delegations. The rules are in
views_rules.py, credit overrides in views_credit.py.

The decisions are the flow's (kaidan.approvals.flow), which enforces who may decide; these views only
turn its answers into the page: a field to fix is shown beside the field (422), a refusal or a step
decided meanwhile is a message (403, 409)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.timesince import timesince
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.approvals import flow, panels, selectors, services
from kaidan.approvals.forms import DecisionForm, DelegationForm
from kaidan.approvals.models import ApprovalRequest, ApprovalStep, StepApprover
from kaidan.approvals.states import RequestStatus
from kaidan.core.access import SIGNED_IN, view_requires
from kaidan.core.display import display_name
from kaidan.core.errors import DomainError, NotFound, ValidationFailed
from kaidan.core.roles import Capability, has_capability
from kaidan.sales.views import order_or_404, page_context

PAGE_SIZE = 50


def is_partial(request) -> bool:
    """An htmx request for a fragment (not the full page htmx asks for when going back in history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def show_errors(form, exc: DomainError) -> None:
    """A service's errors beside the form's fields (``delegate_id`` on ``delegate``); the rest on top."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, str(exc.message))
        return
    names = getattr(form, "SERVICE_NAMES", {})
    for field, field_messages in exc.fields.items():
        name = names.get(field, field)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def banner(exc: DomainError) -> str:
    """One sentence for a message: field errors joined, or the error's message."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return " ".join(message for field_messages in exc.fields.values() for message in field_messages)
    return str(exc.message)


def _choices(people) -> list[dict]:
    return [{"user_id": c.user_id, "name": c.name, "is_self": c.is_self} for c in people]


# -- the inbox ---------------------------------------------------------------------------------------

def _inbox_context(request, *, failed: dict | None = None) -> dict:
    user = request.user
    items = selectors.inbox(user)
    totals = dict(ApprovalStep.objects.filter(request_id__in=[i.request.pk for i in items])
                  .values("request_id").annotate(n=Count("id")).values_list("request_id", "n"))
    rows = []
    for item in items:
        key = f"decide-{item.request.pk}"
        form = failed["form"] if failed and failed["id"] == item.request.pk else None
        rows.append({"item": item, "steps": totals.get(item.request.pk, 1),
                     "age": timesince(item.step.started_at or item.request.submitted_at, depth=1),
                     "form": form or panels.decision_form(_choices(item.for_people), key=key)})
    return {"rows": rows, "tab": "inbox", "can_see_margin": has_capability(user, Capability.VIEW_COST)}


def _inbox(request, *, status: int = 200, failed: dict | None = None):
    context = _inbox_context(request, failed=failed)
    if is_partial(request):
        return render(request, "approvals/_inbox.html", {**context, "partial": True}, status=status)
    return render(request, "approvals/inbox.html", context, status=status)


@view_requires(SIGNED_IN)
@require_safe
def inbox(request):
    return _inbox(request)


@view_requires(SIGNED_IN)
@require_safe
def history(request):
    """Every request the user was asked to decide (or stands in for), newest first, with what they did."""
    page = Paginator(selectors.requests_visible(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    mine = {}
    acted = StepApprover.objects.filter(step__request__in=[r.pk for r in page], acted_by=request.user)
    for row in acted.select_related("user", "step").order_by("step__position"):
        mine.setdefault(row.step.request_id, []).append(row)
    return render(request, "approvals/history.html", {
        "page": page, "tab": "history", "rows": [{"r": r, "mine": mine.get(r.pk, [])} for r in page]})


# -- deciding ----------------------------------------------------------------------------------------

def _order_page(request, approval: ApprovalRequest, form: DecisionForm, status: int):
    """The order page again, with the decision form that failed beside the route."""
    order = order_or_404(request, approval.order_id)
    context = {**page_context(request, order), **panels.route_context(request, order, form=form)}
    return render(request, "sales/order_detail.html", context, status=status)


def _decide(request, approval_id: int, decide, done: str):
    approval = ApprovalRequest.objects.filter(pk=approval_id).only("pk", "order_id").first()
    if approval is None:
        raise Http404
    on_order_page = request.POST.get("next") == "order"
    route = selectors.route_view(selectors.requests_of(approval.order).get(pk=approval.pk), request.user)
    key = f"route-{approval.pk}" if on_order_page else f"decide-{approval.pk}"
    form = panels.decision_form(route["can_decide"], data=request.POST, key=key)

    def again(status: int):
        if on_order_page:
            return _order_page(request, approval, form, status)
        return _inbox(request, status=status, failed={"id": approval.pk, "form": form})

    if not form.is_valid():
        return again(422)
    try:
        decided = decide(actor=request.user, request_id=approval.pk, comment=form.cleaned_data["comment"],
                         on_behalf_of=form.behalf_id())
    except NotFound:
        raise Http404 from None
    except ValidationFailed as exc:
        show_errors(form, exc)
        return again(422)
    except DomainError as exc:
        messages.error(request, banner(exc))
        return again(exc.status)
    number = decided.order.number
    if decided.status == RequestStatus.PENDING:
        messages.success(request, _("%(number)s: your approval is recorded; the order waits for the remaining "
                                    "approvals.") % {"number": number})
    else:
        messages.success(request, done % {"number": number})
    if on_order_page:
        return redirect("order_detail", order_id=approval.order_id)
    if is_partial(request):
        return _inbox(request)
    return redirect("approval_inbox")


@view_requires(SIGNED_IN)
@require_POST
def approve(request, approval_id: int):
    return _decide(request, approval_id, flow.approve, _("%(number)s approved; the order is confirmed."))


@view_requires(SIGNED_IN)
@require_POST
def reject(request, approval_id: int):
    return _decide(request, approval_id, flow.reject,
                   _("%(number)s rejected; it is back with the salesperson as a draft."))


# -- delegations -------------------------------------------------------------------------------------

@view_requires(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def delegations(request):
    """The stand-ins the user named (with cancel) and the people they stand in for; a form to name one."""
    form = DelegationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_delegation(actor=request.user, data=form.service_data())
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s stands in for you from %(start)s to %(end)s.") % {
                "name": display_name(made.delegate), "start": made.starts_on.isoformat(),
                "end": made.ends_on.isoformat()})
            return redirect("approval_delegations")
    return render(request, "approvals/delegations.html", {
        "form": form, "tab": "delegations", "given": selectors.delegations_given(request.user),
        "received": selectors.delegations_received(request.user), "today": localdate()},
        status=422 if form.is_bound else 200)


@view_requires(SIGNED_IN)
@require_POST
def delegation_cancel(request, delegation_id: int):
    try:
        services.cancel_delegation(actor=request.user, delegation_id=delegation_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Delegation cancelled."))
    return redirect("approval_delegations")
