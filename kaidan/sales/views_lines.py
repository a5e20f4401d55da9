"""Line entry on a draft, in htmx fragments: the product picker (with what is free in the order's
warehouse and in all), adding, editing, removing a line and replacing its product by a substitute.

Every answer is made of out-of-band fragments only (the requests use hx-swap="none"), so a change to
one line of a 1,000-line order sends back just what the service wrote: the computed cells of the
written lines, their free lines (buy X get Y), the totals block, the new version and the stock cells
of the lines of the products involved (lines of a product share what is free, in document order).
The inputs of a row are never re-rendered after a successful edit, so what the user types next is
not lost; a replaced product re-renders its whole line. Errors:
field messages beside the fields (422), a stale version or a refused change as a banner with a
reload link (409). Without htmx the same views redirect to the document page with a message."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaidan.catalog import selectors as catalog_selectors
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, StaleEdit, ValidationFailed
from kaidan.core.roles import Capability
from kaidan.inventory.planning import badge
from kaidan.inventory.selectors import available_by_product
from kaidan.sales import selectors, services
from kaidan.sales.forms import MAX_ID, VersionForm
from kaidan.sales.views import detail_context, order_or_404
from kaidan.sales.views_shared import (
    BADGE_CSS,
    LINE_INPUTS,
    LineGroup,
    attach_stock,
    editable_for,
    error_text,
    load_groups,
    plain,
    row_labels,
    stale_changes,
    stock_cells,
    totals_context,
)

CHANGE = Capability.CHANGE_ORDERS
PICKER_LIMIT = 10


def _q(request) -> str:
    return (request.GET.get("q") or "").replace("\x00", "")[:200]


def _with_stock(products: list[dict], warehouse_id: int | None) -> list[dict]:
    """Add what is free of each product in the order's warehouse and in all (one query for all of
    them), with the badge one piece would get."""
    free = available_by_product([p["id"] for p in products], warehouse_id) if products else {}
    for p in products:
        here, total = free[p["id"]]["warehouse"], free[p["id"]]["total"]
        p["stock"] = {"here": plain(here), "total": plain(total),
                      "css": BADGE_CSS[badge(Decimal(1), here if here is not None else total)]}
    return products


def _product_card(product_id: int, warehouse_id: int | None = None) -> dict | None:
    """The picked product as the picker shows it (active products only)."""
    product = catalog_selectors.products(active=True).filter(pk=product_id).first()
    if product is None:
        return None
    card = {"id": product.pk, "sku": product.sku, "name": product.name, "spec": product.spec, "model": product.model,
            "unit_name": product.unit.name, "list_price": product.list_price,
            "price_includes_tax": product.price_includes_tax,
            "thumbnail_url": catalog_selectors.thumbnail_url(product.primary_image_id)}
    return _with_stock([card], warehouse_id)[0]


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


@view_requires(CHANGE)
@require_safe
def product_options(request, order_id: int):
    """The picker's matches: thumbnail, SKU, name, spec, model, unit, list price, what is free."""
    order = order_or_404(request, order_id)
    q = _q(request)
    found = _with_stock(catalog_selectors.picker(q, limit=PICKER_LIMIT), order.warehouse_id) if q.strip() else []
    return render(request, "sales/_product_options.html", {"order": order, "products": found, "q": q})


@view_requires(CHANGE)
@require_safe
def product_pick(request, order_id: int):
    """Pick a product for the add-line row: by id (a click) or the best match of the words (Enter)."""
    order = order_or_404(request, order_id)
    q, picked, errors = _q(request), None, {}
    product_id = _int(request.GET.get("product_id"))
    if product_id:
        picked = _product_card(product_id, order.warehouse_id)
    elif q.strip():
        found = catalog_selectors.picker(q, limit=1)
        picked = _product_card(found[0]["id"], order.warehouse_id) if found else None
    if picked is None:
        errors["product_id"] = [_("No active product matches “%(q)s”.") % {"q": q} if q.strip()
                                else _("Type a SKU, name or pinyin to find a product.")]
    return render(request, "sales/_add_line.html", {"order": order, "picked": picked, "q": q, "errors": errors,
                                                    "values": {}, "focus": None if picked else "search"})


def _version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data.get("version") if form.is_valid() else None


def _fragments(request, order, context: dict):
    """The out-of-band answer: the given fragments plus the totals, the version and the banner."""
    if "by_rate" not in context:
        context = {**totals_context(order, request.user), **context}
    context = {"order": order, "editable": editable_for(order, request.user), "line_inputs": LINE_INPUTS,
               "labels": row_labels(), "show_stock": True, **context}
    return render(request, "sales/_line_response.html", context)


def _failure(request, order, exc: DomainError, *, line_id: int | None = None, add_context: dict | None = None):
    """Field errors beside their fields (422); anything else as the banner (409 and the like)."""
    if not request.htmx:
        messages.error(request, error_text(exc))
        return redirect("order_detail", order_id=order.pk)
    context = {"banner": error_text(exc) if not isinstance(exc, (ValidationFailed, StaleEdit)) else ""}
    if isinstance(exc, StaleEdit):
        context.update(stale=True, changes=stale_changes(exc), banner=str(exc.message))
    elif isinstance(exc, ValidationFailed):
        fields = exc.fields
        other = [m for name, msgs in fields.items() if name not in LINE_INPUTS + ("product_id",) for m in msgs]
        context["banner"] = " ".join(other)
        if add_context is not None:
            context["add_line"] = {**add_context, "errors": fields}
        else:
            context["line_errors"] = {"pk": line_id, "fields": [(name, fields.get(name, [])) for name in LINE_INPUTS]}
            if fields.get("product_id"):
                context["banner"] = " ".join([*fields["product_id"], context["banner"]]).strip()
    return render(request, "sales/_line_response.html", {"order": order, "only_messages": True, **context},
                  status=exc.status)


def _missing_version(request, order):
    exc = StaleEdit(_("This page is out of date. Reload it and try again."))
    return _failure(request, order, exc)


@view_requires(CHANGE)
@require_POST
def line_add(request, order_id: int):
    order = order_or_404(request, order_id)
    values = {name: request.POST.get(name, "") for name in ("product_id", *LINE_INPUTS)}
    data = {**values, "product_id": _int(values["product_id"]) or values["product_id"]}
    picked = _product_card(data["product_id"], order.warehouse_id) if isinstance(data["product_id"], int) else None
    add_context = {"picked": picked, "values": values, "q": request.POST.get("q", "")[:200]}
    version = _version(request)
    if version is None:
        return _missing_version(request, order)
    try:
        order, written = services.save_line(actor=request.user, order_id=order.pk, version=version, data=data)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _failure(request, order, exc, add_context=add_context)
    if not request.htmx:
        messages.success(request, _("Line added."))
        return redirect("order_detail", order_id=order.pk)
    parents = {line.free_for_id if line.is_free else line.pk for line in written}
    groups = load_groups(order, parents)
    new = [g for g in groups if g.line.position == order.line_count]
    changed = [g for g in groups if g not in new]
    fresh_row = {"picked": None, "values": {}, "errors": {}, "q": "", "focus": "search"}
    return _fragments(request, order, {"new_groups": new, "changed_groups": changed, "add_line": fresh_row,
                                       **_stock_context(order, whole=new, cells=changed)})


@view_requires(CHANGE)
@require_POST
def line_edit(request, order_id: int, line_id: int):
    """Quantity, discount % or unit price of one line, posted on change."""
    order = order_or_404(request, order_id)
    data = {name: request.POST[name] for name in LINE_INPUTS if name in request.POST}
    saved = _save_line(request, order, line_id, data, done=_("Line saved."))
    if isinstance(saved, HttpResponse):
        return saved
    order, changed = saved
    return _fragments(request, order, {"changed_groups": changed, "cleared_errors": line_id,
                                       **_stock_context(order, whole=[], cells=changed)})


@view_requires(CHANGE)
@require_POST
def line_replace(request, order_id: int, line_id: int):
    """Put another product on a line (meant for a substitute in stock): the quantity and discount %
    stay, a price entered by hand goes and the engine prices the new product. The whole line comes
    back, with the totals and the stock cells of both products' lines."""
    order = order_or_404(request, order_id)
    old_product = order.lines.filter(pk=line_id, is_free=False).values_list("product_id", flat=True).first()
    if old_product is None:
        raise Http404
    product_id = _int(request.POST.get("product_id")) or request.POST.get("product_id", "")
    # the new product's own description, priced by the engine (a price typed for the old one goes)
    data = {"product_id": product_id, "unit_price": None, "description": ""}
    saved = _save_line(request, order, line_id, data, done=_("Product replaced."))
    if isinstance(saved, HttpResponse):
        return saved
    order, groups = saved
    replaced = [g for g in groups if g.pk == line_id]
    changed = [g for g in groups if g.pk != line_id]
    return _fragments(request, order, {"replaced_groups": replaced, "changed_groups": changed,
                                       **_stock_context(order, whole=replaced, cells=changed,
                                                        also_products={old_product})})


def _save_line(request, order, line_id: int, data: dict, *, done: str):
    """Change one line through the service. Returns (order, the written lines' groups), or the answer
    to give instead: a missing version, a refusal shown in place, or (without htmx) a redirect."""
    version = _version(request)
    if version is None:
        return _missing_version(request, order)
    try:
        order, written = services.save_line(actor=request.user, order_id=order.pk, version=version, data=data,
                                            line_id=line_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _failure(request, order, exc, line_id=line_id)
    if not request.htmx:
        messages.success(request, done)
        return redirect("order_detail", order_id=order.pk)
    return order, load_groups(order, {line.free_for_id if line.is_free else line.pk for line in written} | {line_id})


def _stock_context(order, *, whole: list[LineGroup], cells: list[LineGroup], also_products: set[int] = frozenset()):
    """Stock for the fragments of a one-line edit: attached to the lines rendered whole (``whole``
    groups, the free lines of ``cells`` groups), and the cells of every other line of the products
    involved. One light read of the lines, then the selector's fixed number of queries."""
    rows = selectors.line_rows(order)
    stock = selectors.line_stock(order, rows)
    rendered = [line for g in whole for line in (g.line, *g.free)] + [line for g in cells for line in g.free]
    attach_stock(rendered, stock)
    products = {line.product_id for line in rendered} | {g.line.product_id for g in cells} | set(also_products)
    return {"stock_updates": stock_cells(order, rows, stock, product_ids=products,
                                         skip={line.pk for line in rendered})}


@view_requires(CHANGE)
@require_POST
def line_delete(request, order_id: int, line_id: int):
    """Remove a line; later lines move up, so the whole lines table comes back."""
    order = order_or_404(request, order_id)
    version = _version(request)
    if version is None:
        return _missing_version(request, order)
    try:
        order, _written = services.remove_line(actor=request.user, order_id=order.pk, version=version,
                                               line_id=line_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _failure(request, order, exc)
    if not request.htmx:
        messages.success(request, _("Line removed."))
        return redirect("order_detail", order_id=order.pk)
    order = order_or_404(request, order.pk)
    return _fragments(request, order, {**detail_context(request, order), "whole_table": True})
