"""Quotation and order pages: the list with live filters, a new draft, the document page (with the
stock of its lines), its header form, the state changes and the PDF. Line entry is in views_lines.py.
The views shape input and call the services (which re-check every rule); reads go through the
selectors and their record rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, StaleEdit, ValidationFailed
from kaidan.core.roles import Capability, has_capability
from kaidan.core.views import apply_errors
from kaidan.inventory.reservations import InsufficientStock
from kaidan.parties.selectors import customer_picker, customers_visible_to
from kaidan.sales import panels, selectors, services, transitions
from kaidan.sales.forms import HeaderForm, NewDocumentForm, OrderFilterForm, ReasonForm, VersionForm
from kaidan.sales.states import Kind, Status, can_transition
from kaidan.sales.views_shared import (
    attach_stock,
    editable_for,
    error_text,
    group_lines,
    plain,
    row_labels,
    totals_context,
)

VIEW, CHANGE = Capability.VIEW_ORDERS, Capability.CHANGE_ORDERS
PAGE_SIZE = 50
DEFAULT_SORT = "-order_date"
SORTABLE = {"number": gettext_lazy("Number"), "order_date": gettext_lazy("Order date"),
            "requested_date": gettext_lazy("Requested"), "status": gettext_lazy("Status"),
            "gross_amount": gettext_lazy("Total")}


def is_partial(request) -> bool:
    """An htmx request for a fragment (not the full page htmx asks for when going back in history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def order_or_404(request, order_id: int):
    order = selectors.order_detail(request.user, order_id)
    if order is None:
        raise Http404
    return order


def _sort_columns(sort: str) -> dict[str, dict]:
    columns = {}
    for key, label in SORTABLE.items():
        current, descending = sort.lstrip("-") == key, sort.startswith("-")
        columns[key] = {"label": label, "next": f"-{key}" if current and not descending else key,
                        "arrow": ("▼" if descending else "▲") if current else ""}
    return columns


@view_requires(VIEW)
@require_safe
def order_list(request):
    filters = OrderFilterForm(request.GET)
    wanted = filters.wanted()
    sort = request.GET.get("sort") or DEFAULT_SORT
    try:
        documents = selectors.order_list(request.user, sort=sort, **wanted)
    except ValidationFailed:
        sort = DEFAULT_SORT
        documents = selectors.order_list(request.user, sort=sort, **wanted)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    customer = None
    if wanted["customer_id"]:
        customer = customers_visible_to(request.user).filter(pk=wanted["customer_id"]).only("name").first()
    context = {"page": page, "filters": filters, "columns": _sort_columns(sort), "sort": sort, "today": localdate(),
               "filter_customer": customer, "can_change": has_capability(request.user, CHANGE)}
    template = "sales/_order_rows.html" if is_partial(request) else "sales/order_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _picked_customers(request, q: str, selected: int | None) -> list[dict]:
    found = customer_picker(request.user, q)
    if selected and not any(c["id"] == selected for c in found):
        found = list(customers_visible_to(request.user).filter(pk=selected)
                     .values("id", "code", "name", "short_name", "currency", "payment_term_id")) + found
    if not selected and found and q:
        selected = found[0]["id"]  # Enter in the search takes the best match
    return [{**c, "checked": c["id"] == selected} for c in found]


@view_requires(CHANGE)
@require_safe
def customer_options(request):
    """The live customer search of the new-document page (pinyin initials work)."""
    q = (request.GET.get("customer_q") or "").replace("\x00", "")[:100]
    return render(request, "sales/_customer_options.html", {"customers": _picked_customers(request, q, None), "q": q})


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def order_create(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.ORDER
    form = NewDocumentForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_document(actor=request.user, kind=form.cleaned_data["kind"],
                                             data=form.service_data())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(number)s created. Add its lines.") % {"number": order.number})
            return redirect("order_detail", order_id=order.pk)
    q = (request.POST.get("customer_q") or "").replace("\x00", "")[:100]
    selected = form.cleaned_data.get("customer_id") if form.is_bound and hasattr(form, "cleaned_data") else None
    context = {"form": form, "customers": _picked_customers(request, q, selected), "q": q}
    return render(request, "sales/order_new.html", context, status=422 if form.is_bound else 200)


def detail_context(request, order) -> dict:
    """Everything the document page shows; also used to re-render the lines table."""
    user = request.user
    lines = selectors.order_lines(order)
    stock = selectors.line_stock(order, lines)
    kind, status = order.kind, order.status
    can_change = has_capability(user, CHANGE)
    by_rate = selectors.totals_by_rate([line for line in lines if not line.is_free])
    actions = {}
    if can_change:
        actions = {
            "submit": kind == Kind.ORDER and can_transition(kind, status, Status.SUBMITTED),
            "confirm": kind == Kind.ORDER and status not in (Status.DRAFT, Status.PENDING_APPROVAL)
            and can_transition(kind, status, Status.CONFIRMED),  # a waiting order is confirmed by its approvers
            "send": kind == Kind.QUOTATION and can_transition(kind, status, Status.SENT),
            "convert": kind == Kind.QUOTATION and (can_transition(kind, status, Status.CONVERTED)
                                                   or can_transition(kind, status, Status.SENT)),
            "revise": can_transition(kind, status, Status.DRAFT),
            "cancel": can_transition(kind, status, Status.CANCELLED),
            "copy": True,
        }
    groups = group_lines(lines, order)
    attach_stock(lines, stock)
    editable = editable_for(order, user)
    return {"order": order, "groups": groups, "editable": editable, "show_stock": bool(stock) or editable,
            "today": localdate(), "labels": row_labels(),
            "can_change": can_change, "actions": actions, **totals_context(order, user, by_rate)}


def page_context(request, order) -> dict:
    """The whole document page: the lines and totals, the links, shipping, the history."""
    return {**detail_context(request, order),
            "orders_made": list(order.orders.only("pk", "number", "status", "kind")) if order.is_quotation else [],
            "history": selectors.order_history(order),
            "reason_form": ReasonForm(),
            "new_line": {},
            **panels.page_context(request, order)}


@view_requires(VIEW)
@require_safe
def order_detail(request, order_id: int):
    order = order_or_404(request, order_id)
    return render(request, "sales/order_detail.html", page_context(request, order))


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def order_edit(request, order_id: int):
    """The header of a draft (the lines are edited on the document page)."""
    order = order_or_404(request, order_id)
    if not editable_for(order, request.user):
        messages.error(request, _("Only a draft can be changed; revise it first."))
        return redirect("order_detail", order_id=order.pk)
    form = HeaderForm(request.POST or None, order=order, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_document(actor=request.user, order_id=order.pk, version=form.cleaned_data["version"],
                                     data=form.service_data())
        except StaleEdit as exc:
            form.add_error(None, error_text(exc))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("order_detail", order_id=order.pk)
    return render(request, "sales/order_form.html", {"form": form, "order": order},
                  status=422 if form.is_bound else 200)


def _act(request, order_id: int, run, done: str, *, reason: bool = False, redirect_to_result: bool = False):
    """Run one state change from a button; say how it went on the document page."""
    form = ReasonForm(request.POST) if reason else VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for msgs in form.errors.values() for m in msgs))
        return redirect("order_detail", order_id=order_id)
    version = form.cleaned_data.get("version")
    kwargs = {"reason": form.cleaned_data.get("reason") or ""} if reason else {}
    try:
        result = run(actor=request.user, order_id=order_id, version=version, **kwargs)
    except InsufficientStock as exc:
        return _stock_refused(request, order_id, exc)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, error_text(exc))
        return redirect("order_detail", order_id=order_id)
    messages.success(request, done % {"number": result.number, "status": result.get_status_display()})
    return redirect("order_detail", order_id=result.pk if redirect_to_result else order_id)


def _stock_refused(request, order_id: int, exc: InsufficientStock):
    """The document page (409) with the lines that stopped it: how much each lacks, when it can ship,
    the substitutes in stock, and that purchasing was asked for the rest (the transition service
    raised a replenishment request before re-raising)."""
    order = order_or_404(request, order_id)
    context = page_context(request, order)
    by_id = {line.pk: line for group in context["groups"] for line in (group.line, *group.free)}
    short = []
    for item in exc.detail.get("lines") or []:
        line = by_id.get(item.get("line_id"))
        short.append({"line": line, "sku": item.get("sku") or (line.product.sku if line else ""),
                      "wanted": plain(item["wanted"]), "available": plain(item["available"]),
                      "missing": plain(item["missing"]), "stock": line.stock if line else None})
    context["stock_refusal"] = short
    return render(request, "sales/order_detail.html", context, status=409)


@view_requires(CHANGE)
@require_POST
def order_submit(request, order_id: int):
    return _act(request, order_id, transitions.submit_order, _("%(number)s submitted; it is now “%(status)s”."))


@view_requires(CHANGE)
@require_POST
def order_confirm(request, order_id: int):
    return _act(request, order_id, transitions.confirm_order, _("%(number)s confirmed."))


@view_requires(CHANGE)
@require_POST
def order_send(request, order_id: int):
    return _act(request, order_id, transitions.send_quotation, _("%(number)s marked as sent."))


@view_requires(CHANGE)
@require_POST
def order_cancel(request, order_id: int):
    return _act(request, order_id, transitions.cancel_document, _("%(number)s cancelled."), reason=True)


@view_requires(CHANGE)
@require_POST
def order_revise(request, order_id: int):
    return _act(request, order_id, transitions.revise_document, _("%(number)s is a draft again."), reason=True)


def _convert(*, actor, order_id, version):
    return transitions.convert_quotation(actor=actor, quotation_id=order_id, version=version)


def _copy(*, actor, order_id, version):
    return transitions.copy_document(actor=actor, order_id=order_id)


@view_requires(CHANGE)
@require_POST
def order_convert(request, order_id: int):
    return _act(request, order_id, _convert, _("Order %(number)s made from the quotation."), redirect_to_result=True)


@view_requires(CHANGE)
@require_POST
def order_copy(request, order_id: int):
    return _act(request, order_id, _copy, _("Copied into %(number)s."), redirect_to_result=True)


@view_requires(VIEW)
@require_safe
def order_pdf(request, order_id: int):
    from kaidan.sales.pdf import render_document_pdf

    order = order_or_404(request, order_id)
    response = HttpResponse(render_document_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response
