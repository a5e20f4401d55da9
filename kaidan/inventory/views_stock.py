"""Stock pages: the levels overview with live filters, a product's stock card (levels,
reservations, incoming, rules, the move ledger), the list of operations and the forms that post a
goods receipt, an adjustment (stocktake) or a transfer. Every role may look (VIEW_STOCK); the
warehouse posts (CHANGE_STOCK)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kaidan.catalog import selectors as catalog_selectors
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden
from kaidan.inventory import selectors, services
from kaidan.inventory.forms import (
    AdjustmentForm,
    OperationFilterForm,
    ReceiptForm,
    StockFilterForm,
    TransferForm,
    WarehouseFilterForm,
    line_formset,
)
from kaidan.inventory.models import ReplenishmentRequest, StockOperation
from kaidan.inventory.views import CHANGE, PAGE_SIZE, VIEW, can, is_partial, show_errors

Kind = StockOperation.Kind
SKU_OPTIONS = 10
OPERATION_PAGE_SIZE = 200
DOCUMENTS = {
    Kind.RECEIPT: (ReceiptForm, services.post_receipt, gettext_lazy("New goods receipt")),
    Kind.ADJUSTMENT: (AdjustmentForm, services.post_adjustment, gettext_lazy("New stock adjustment")),
    Kind.TRANSFER: (TransferForm, services.post_transfer, gettext_lazy("New transfer")),
}
LISTS = {None: gettext_lazy("Stock operations"), Kind.RECEIPT: gettext_lazy("Goods receipts"),
         Kind.ADJUSTMENT: gettext_lazy("Stock adjustments"), Kind.TRANSFER: gettext_lazy("Transfers")}


@view_requires(VIEW)
@require_safe
def stock_overview(request):
    filters = StockFilterForm(request.GET)
    page = Paginator(selectors.stock_levels(**filters.wanted()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "can": can(request)}
    template = "inventory/_stock_rows.html" if is_partial(request) else "inventory/stock_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@view_requires(VIEW)
@require_safe
def stock_card(request, product_id: int):
    product = catalog_selectors.products().filter(pk=product_id).first()
    if product is None:
        raise Http404
    filters = WarehouseFilterForm(request.GET)
    warehouse_id = filters.warehouse_id()
    moves = selectors.moves(product_id=product.pk, warehouse_id=warehouse_id)
    Status = ReplenishmentRequest.Status
    return render(request, "inventory/stock_card.html", {
        "product": product, "filters": filters, "can": can(request),
        "levels": selectors.stock_levels(product_id=product.pk),
        "reservations": selectors.reservations(product_id=product.pk),
        "incoming": selectors.replenishment_requests(product_id=product.pk, status=Status.ORDERED),
        "requested": selectors.replenishment_requests(product_id=product.pk, status=Status.OPEN),
        "rules": selectors.reorder_rules(product_id=product.pk),
        "moves": Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page")),
    })


@view_requires(VIEW)
@require_safe
def sku_options(request):
    """The SKU suggestions of the line rows (a <datalist>): active products matching what was typed
    in any "...sku" field."""
    q = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("sku")), "")
    q = q.replace("\x00", "")[:100]
    found = catalog_selectors.picker(q, limit=SKU_OPTIONS) if q.strip() else []
    return render(request, "inventory/_sku_options.html", {"products": found})


@view_requires(VIEW)
@require_safe
def operation_list(request, kind: str | None = None):
    """One list per kind (receipts/, adjustments/, transfers/) or all of them with a kind filter."""
    filters = OperationFilterForm(request.GET)
    wanted = filters.wanted()
    fixed_kind, kind = kind, kind or wanted["kind"]
    page = Paginator(selectors.operations(kind=kind, warehouse_id=wanted["warehouse_id"]),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "kind": kind, "fixed_kind": fixed_kind,
               "title": LISTS.get(fixed_kind, LISTS[None]), "can": can(request)}
    template = "inventory/_operation_rows.html" if is_partial(request) else "inventory/operation_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@view_requires(VIEW)
@require_safe
def operation_detail(request, operation_id: int):
    operation = selectors.operation(operation_id)
    if operation is None:
        raise Http404
    moves = Paginator(selectors.moves(operation_id=operation.pk).order_by("id"), OPERATION_PAGE_SIZE)
    return render(request, "inventory/operation_detail.html",
                  {"operation": operation, "moves": moves.get_page(request.GET.get("page"))})


def _document(request, kind: str):
    """The page that posts one kind of stock document: a header and rows of SKU and quantity."""
    form_class, post, title = DOCUMENTS[kind]
    data = request.POST if request.method == "POST" else None
    more = data is not None and "more" in data
    form = form_class(data)
    lines = line_formset(kind, data, more=more, sku=request.GET.get("sku", ""))
    if data is not None and not more and form.is_valid() and lines.is_valid():
        items, rows = lines.service_lines()
        try:
            operation = post(actor=request.user, data={**form.service_data(), "lines": items})
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            show_errors(form, exc, lines=lines, rows=rows)
        else:
            messages.success(request, _("%(number)s posted.") % {"number": operation.number})
            return redirect("stock_operation_detail", operation_id=operation.pk)
    failed = data is not None and not more
    return render(request, "inventory/operation_form.html", {"form": form, "lines": lines, "kind": kind,
                                                             "title": title, "list_name": f"stock_{kind}_list"},
                  status=422 if failed else 200)


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def receipt_create(request):
    return _document(request, Kind.RECEIPT)


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def adjustment_create(request):
    return _document(request, Kind.ADJUSTMENT)


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    return _document(request, Kind.TRANSFER)
