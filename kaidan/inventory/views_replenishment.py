"""The purchasing board (open → ordered with an expected date → received) with its card actions, the
form to ask for stock by hand, and the min/max reorder rules. Card actions post the request's
version: a card changed by someone else meanwhile gives a message, never a silent overwrite.
Everyone may look; MANAGE_REPLENISHMENT orders and cancels, CHANGE_STOCK receives,
REQUEST_REPLENISHMENT asks by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.inventory import replenishment_services, selectors
from kaidan.inventory.forms import MarkOrderedForm, ReceiveForm, RequestForm, RuleForm, VersionForm, WarehouseFilterForm
from kaidan.inventory.models import ReplenishmentRequest
from kaidan.inventory.views import CHANGE, MANAGE, PAGE_SIZE, REQUEST, VIEW, banner, can, is_partial, show_errors

Status = ReplenishmentRequest.Status
COLUMN_LIMIT = 100  # cards per column; the oldest beyond are counted, not shown
RECENT = 20


def card_ids(action: str, request_id: int) -> str:
    """Field ids of a card's form, unique on the board."""
    return f"{action}-{request_id}-%s"


def _card(request_row, failed: dict | None) -> dict:
    pk, quantity = request_row.pk, request_row.quantity.normalize()
    card = {"r": request_row, "open": None,
            "order_form": MarkOrderedForm(auto_id=card_ids("order", pk), initial={
                "version": request_row.version, "quantity": quantity, "supplier": request_row.supplier}),
            "receive_form": ReceiveForm(auto_id=card_ids("receive", pk), initial={
                "version": request_row.version, "quantity": quantity})}
    if failed and failed["id"] == request_row.pk:
        card["open"] = failed["action"]
        card[f"{failed['action']}_form"] = failed["form"]
    return card


def _board_context(request, *, failed: dict | None = None, request_form=None) -> dict:
    filters = WarehouseFilterForm(request.GET)
    warehouse_id = filters.warehouse_id()
    columns = []
    for status, title in ((Status.OPEN, _("Open")), (Status.ORDERED, _("Ordered")),
                          (Status.RECEIVED, _("Recently received"))):
        rows = selectors.replenishment_requests(status=status, warehouse_id=warehouse_id)
        limit = RECENT if status == Status.RECEIVED else COLUMN_LIMIT
        shown = list(rows[:limit])
        columns.append({"status": status, "title": title, "cards": [_card(r, failed) for r in shown],
                        "more": rows.count() - len(shown) if len(shown) == limit and status != Status.RECEIVED
                        else 0})
    return {"filters": filters, "columns": columns, "can": can(request), "query": request.GET.urlencode(),
            "today": localdate(),
            "request_form": request_form or RequestForm(), "request_open": request_form is not None}


def _board(request, *, status: int = 200, failed: dict | None = None, request_form=None):
    context = _board_context(request, failed=failed, request_form=request_form)
    if is_partial(request):
        return render(request, "inventory/_board.html", {**context, "partial": True}, status=status)
    return render(request, "inventory/board.html", context, status=status)


def _done(request, message: str):
    messages.success(request, message)
    if is_partial(request):
        return _board(request)
    query = request.GET.urlencode()
    return redirect(reverse("replenishment_board") + (f"?{query}" if query else ""))


@view_requires(VIEW)
@require_safe
def board(request):
    return _board(request)


@view_requires(REQUEST)
@require_POST
def request_create(request):
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            created = replenishment_services.create_request(actor=request.user, data=form.service_data())
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            show_errors(form, exc)
        else:
            return _done(request, _("Requested: %(number)s.") % {"number": created.number})
    return _board(request, status=422, request_form=form)


def _act(request, request_id: int, action: str, form):
    """Run a card action with the posted version; field errors go on the card's form (422), a stale
    card or a refused change is a message (409)."""
    form.is_valid()
    version = form.cleaned_data.get("version")
    data = form.service_data() if hasattr(form, "service_data") else None
    try:
        if version is None:
            raise StaleEdit()
        if action == "order":
            done = replenishment_services.mark_ordered(actor=request.user, request_id=request_id, version=version,
                                                       data=data)
            message = _("%(number)s marked ordered.")
        elif action == "receive":
            done = replenishment_services.receive_request(actor=request.user, request_id=request_id,
                                                          version=version, data=data)
            message = _("%(number)s received; the stock is in.")
        else:
            done = replenishment_services.cancel_request(actor=request.user, request_id=request_id, version=version)
            message = _("%(number)s cancelled.")
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _board(request, status=422, failed={"id": request_id, "action": action, "form": form})
    except DomainError as exc:
        messages.error(request, banner(exc))
        return _board(request, status=409)
    return _done(request, message % {"number": done.number})


@view_requires(MANAGE)
@require_POST
def request_order(request, request_id: int):
    return _act(request, request_id, "order", MarkOrderedForm(request.POST, auto_id=card_ids("order", request_id)))


@view_requires(CHANGE)
@require_POST
def request_receive(request, request_id: int):
    return _act(request, request_id, "receive", ReceiveForm(request.POST, auto_id=card_ids("receive", request_id)))


@view_requires(MANAGE)
@require_POST
def request_cancel(request, request_id: int):
    return _act(request, request_id, "cancel", VersionForm(request.POST, auto_id=card_ids("cancel", request_id)))


# -- reorder rules ---------------------------------------------------------------------------------

@view_requires(VIEW)
@require_safe
def rule_list(request):
    filters = WarehouseFilterForm(request.GET)
    rules = selectors.reorder_rules(warehouse_id=filters.warehouse_id())
    return render(request, "inventory/rule_list.html", {
        "filters": filters, "page": Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page")),
        "can": can(request)})


def _rule_form(request, rule=None):
    initial = {"sku": request.GET.get("sku", "")[:64]} if rule is None and request.method == "GET" else {}
    form = RuleForm(request.POST or None, rule=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            if rule is not None and version is None:
                raise StaleEdit()
            replenishment_services.save_rule(actor=request.user, data=form.service_data(),
                                             rule_id=rule.pk if rule else None, version=version)
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Reorder rule saved."))
            return redirect("reorder_rule_list")
    return render(request, "inventory/rule_form.html", {"form": form, "rule": rule},
                  status=422 if form.errors else 200)


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_create(request):
    return _rule_form(request)


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_id: int):
    rule = selectors.reorder_rules().filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return _rule_form(request, rule)


@view_requires(MANAGE)
@require_POST
def rule_delete(request, rule_id: int):
    try:
        replenishment_services.delete_rule(actor=request.user, rule_id=rule_id)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("Reorder rule deleted."))
    return redirect("reorder_rule_list")
