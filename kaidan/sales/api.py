"""REST endpoints of quotations and orders, and the price preview. Every read goes through the
record rule in selectors.orders_visible_to; every write is one service call."""

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.approvals.api import order_route
from kaidan.core.access import api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.money import chinese_capitals
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.pricing.selectors import can_see_cost
from kaidan.sales import selectors, services, transitions
from kaidan.sales.preview import preview_prices
from kaidan.sales.schemas import (
    CopyIn,
    DocumentDetailOut,
    DocumentFilter,
    DocumentIn,
    DocumentOut,
    DocumentUpdateIn,
    LineChangeOut,
    LineEditIn,
    LineReplaceIn,
    PreviewIn,
    PreviewOut,
    ReasonIn,
    VersionIn,
    steps_out,
)

router = Router(tags=["orders"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, CHANGE = Capability.VIEW_ORDERS, Capability.CHANGE_ORDERS


def stock_out(stock) -> dict | None:
    """A line's stock (kaidan.inventory.selectors.LineAvailability) as LineStockOut."""
    if stock is None:
        return None
    held = stock.reserved is not None
    return {"available": stock.available, "available_total": stock.available_total, "badge": stock.badge,
            "reserved": stock.reserved, "backordered": stock.quantity - stock.reserved if held else None,
            "promise_date": stock.promise_date,
            "substitutes": [{"product_id": s.product.pk, "sku": s.product.sku, "name": s.product.name,
                             "available": s.available} for s in stock.substitutes]}


def line_out(line, *, see_cost: bool, stock: dict | None = None) -> dict:
    return {
        "id": line.pk, "position": line.position, "product_id": line.product_id, "sku": line.product.sku,
        "description": line.description, "quantity": line.quantity, "shipped_quantity": line.shipped_quantity,
        "unit": line.unit.code if line.unit_id else "",
        "list_price": line.list_price, "unit_price": line.unit_price, "price_source": line.price_source,
        "discount_percent": line.discount_percent, "promotion_discount": line.promotion_discount,
        "manual_discount": line.manual_discount, "allocated_discount": line.allocated_discount,
        "net_amount": line.net_amount, "tax_amount": line.tax_amount, "gross_amount": line.gross_amount,
        "vat_rate": line.vat_rate, "requested_date": line.requested_date, "is_free": line.is_free,
        "free_for_id": line.free_for_id, "breakdown": steps_out(line.breakdown),
        "cost_amount": line.cost_amount if see_cost else None,
        "margin": line.net_amount - line.cost_amount if see_cost else None,
        "stock": stock_out((stock or {}).get(line.pk)),
    }


def detail(request, order_id: int) -> dict:
    order = selectors.order_detail(request.auth, order_id)
    if order is None:
        raise NotFound()
    lines = selectors.order_lines(order)
    stock = selectors.line_stock(order, lines)
    see_cost = can_see_cost(request.auth)
    data = {field.attname: getattr(order, field.attname) for field in order._meta.concrete_fields}
    margin, margin_percent = selectors.order_margin(order)
    data.update({
        "customer_name": order.customer.name,
        "order_ids": list(order.orders.values_list("pk", flat=True)) if order.is_quotation else [],
        "amount_in_words": chinese_capitals(order.gross_amount),
        "totals_by_rate": selectors.totals_by_rate(lines),
        "lines": [line_out(line, see_cost=see_cost, stock=stock) for line in lines],
        "cost_amount": order.cost_amount if see_cost else None,
        "margin": margin if see_cost else None,
        "margin_percent": margin_percent if see_cost else None,
        "approval": order_route(request.auth, order),
    })
    return data


@router.get("/orders", response={200: list[DocumentOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_documents(request: HttpRequest, filters: Query[DocumentFilter]):
    """Quotations and orders the caller may see, newest first."""
    return selectors.order_list(request.auth, kind=filters.kind, status=filters.status,
                                fulfilment=filters.fulfilment_status,
                                customer_id=filters.customer_id, salesperson_id=filters.salesperson_id,
                                date_from=filters.date_from, date_to=filters.date_to, q=filters.q, sort=filters.sort)


@router.get("/orders/{order_id}", response={200: DocumentDetailOut, **ERRORS})
@api_requires(VIEW)
def get_document(request: HttpRequest, order_id: Path[DbId]):
    return detail(request, order_id)


@router.post("/orders", response={201: DocumentDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def create_document(request: HttpRequest, payload: DocumentIn):
    """Create a draft quotation or order, priced. Header fields left out come from the customer."""
    data = payload.model_dump(exclude={"kind", "lines"}, exclude_unset=True)
    data["customer_id"] = payload.customer_id
    order = services.create_document(actor=request.auth, kind=payload.kind, data=data,
                                     lines=[line.model_dump(exclude_none=True) for line in payload.lines])
    return Status(201, detail(request, order.pk))


@router.put("/orders/{order_id}", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def update_document(request: HttpRequest, order_id: Path[DbId], payload: DocumentUpdateIn):
    """Edit a draft as it was at ``version``; ``lines``, when given, is the whole new list."""
    data = payload.model_dump(exclude={"version", "lines"}, exclude_unset=True)
    lines = [line.model_dump(exclude_none=True) for line in payload.lines] if payload.lines is not None else None
    services.update_document(actor=request.auth, order_id=order_id, version=payload.version, data=data, lines=lines)
    return detail(request, order_id)


def _line_change(request, order, written, removed=(), *, with_stock: bool = False) -> dict:
    """The answer to a one-line edit. Stock is left out (null) unless asked for: the edits keep a fixed,
    small number of queries; GET the order for every line's stock."""
    order = selectors.order_detail(request.auth, order.pk)
    see_cost = can_see_cost(request.auth)
    # read the written lines again in one query: the service holds them without product, unit or text
    written = selectors.lines_by_id(order, [line.pk for line in written if line.pk])
    stock = selectors.line_stock(order) if with_stock else {}  # over every line: a product's lines share stock
    return {"document": order, "lines": [line_out(line, see_cost=see_cost, stock=stock) for line in written],
            "removed_line_ids": list(removed)}


@router.post("/orders/{order_id}/lines", response={201: LineChangeOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def add_line(request: HttpRequest, order_id: Path[DbId], payload: LineEditIn):
    """Add one line to a draft; the answer holds every line whose price changed and the new totals."""
    data = payload.model_dump(exclude={"version"}, exclude_none=True)
    order, written = services.save_line(actor=request.auth, order_id=order_id, version=payload.version, data=data)
    return Status(201, _line_change(request, order, written))


@router.put("/orders/{order_id}/lines/{line_id}", response={200: LineChangeOut, **ERRORS})
@api_requires(CHANGE)
def update_line(request: HttpRequest, order_id: Path[DbId], line_id: Path[DbId], payload: LineEditIn):
    """Change one line of a draft (only the fields sent)."""
    data = payload.model_dump(exclude={"version"}, exclude_unset=True)
    order, written = services.save_line(actor=request.auth, order_id=order_id, version=payload.version, data=data,
                                        line_id=line_id)
    return _line_change(request, order, written)


@router.delete("/orders/{order_id}/lines/{line_id}", response={200: LineChangeOut, **ERRORS})
@api_requires(CHANGE)
def remove_line(request: HttpRequest, order_id: Path[DbId], line_id: Path[DbId], version: int = Query(..., ge=1,
                                                                                                         le=2**31 - 1)):
    order, written = services.remove_line(actor=request.auth, order_id=order_id, version=version, line_id=line_id)
    return _line_change(request, order, written, removed=[line_id])


@router.post("/orders/{order_id}/lines/{line_id}/replace", response={200: LineChangeOut, **ERRORS})
@api_requires(CHANGE)
def replace_line_product(request: HttpRequest, order_id: Path[DbId], line_id: Path[DbId], payload: LineReplaceIn):
    """Put another product on a line of a draft, keeping its quantity and discount %; a price entered
    by hand is dropped and the engine prices the new product. Meant for the substitutes listed in the
    line's ``stock.substitutes`` (any product on sale is accepted)."""
    data = {"product_id": payload.product_id, "unit_price": None, "description": ""}  # "": the new product's
    order, written = services.save_line(actor=request.auth, order_id=order_id, version=payload.version, data=data,
                                        line_id=line_id)
    return _line_change(request, order, written, with_stock=True)


@router.post("/orders/{order_id}/submit", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def submit(request: HttpRequest, order_id: Path[DbId], payload: VersionIn | None = None):
    """Submit a draft order. When an approval rule holds it waits (``pending_approval``; ``approval``
    shows the route and the reasons), else it is confirmed at once, reserving its stock. A customer
    whose credit is blocked above its limit → 409 ``credit_limit_exceeded``. Short of stock (unless the
    order allows partial shipment) → 409 ``insufficient_stock`` with ``detail.lines`` [{line_id,
    product_id, sku, warehouse_id, wanted, available, missing}]; nothing is reserved and a replenishment
    request asks purchasing for what is missing."""
    transitions.submit_order(actor=request.auth, order_id=order_id, version=payload.version if payload else None)
    return detail(request, order_id)


@router.post("/orders/{order_id}/confirm", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def confirm(request: HttpRequest, order_id: Path[DbId], payload: VersionIn | None = None):
    transitions.confirm_order(actor=request.auth, order_id=order_id, version=payload.version if payload else None)
    return detail(request, order_id)


@router.post("/orders/{order_id}/send", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def send(request: HttpRequest, order_id: Path[DbId], payload: VersionIn | None = None):
    """Mark a quotation as sent to the customer."""
    transitions.send_quotation(actor=request.auth, order_id=order_id, version=payload.version if payload else None)
    return detail(request, order_id)


@router.post("/orders/{order_id}/cancel", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def cancel(request: HttpRequest, order_id: Path[DbId], payload: ReasonIn | None = None):
    transitions.cancel_document(actor=request.auth, order_id=order_id, reason=payload.reason if payload else "",
                                version=payload.version if payload else None)
    return detail(request, order_id)


@router.post("/orders/{order_id}/revise", response={200: DocumentDetailOut, **ERRORS})
@api_requires(CHANGE)
def revise(request: HttpRequest, order_id: Path[DbId], payload: ReasonIn | None = None):
    """Return a submitted/confirmed order or a sent quotation to draft (audited, revision + 1)."""
    transitions.revise_document(actor=request.auth, order_id=order_id, reason=payload.reason if payload else "",
                                version=payload.version if payload else None)
    return detail(request, order_id)


@router.post("/orders/{order_id}/convert", response={201: DocumentDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def convert(request: HttpRequest, order_id: Path[DbId], payload: VersionIn | None = None):
    """Make a draft order from a quotation; the order keeps the link."""
    order = transitions.convert_quotation(actor=request.auth, quotation_id=order_id,
                                          version=payload.version if payload else None)
    return Status(201, detail(request, order.pk))


@router.post("/orders/{order_id}/copy", response={201: DocumentDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def copy(request: HttpRequest, order_id: Path[DbId], payload: CopyIn | None = None):
    """A new draft with the same customer and lines, priced afresh; nothing else is copied."""
    order = transitions.copy_document(actor=request.auth, order_id=order_id, kind=payload.kind if payload else None)
    return Status(201, detail(request, order.pk))


@router.get("/orders/{order_id}/pdf", response={200: None, **ERRORS})
@api_requires(VIEW)
def document_pdf(request: HttpRequest, order_id: Path[DbId]):
    """The quotation or order confirmation as PDF (application/pdf)."""
    from kaidan.sales.pdf import render_document_pdf

    order = selectors.order_detail(request.auth, order_id)
    if order is None:
        raise NotFound()
    response = HttpResponse(render_document_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@router.post("/pricing/preview", response={200: PreviewOut, **ERRORS})
@api_requires(CHANGE)
def preview(request: HttpRequest, payload: PreviewIn):
    """Price lines for a customer as an order would, without saving anything."""
    priced, products, currency = preview_prices(
        actor=request.auth, customer_id=payload.customer_id, order_date=payload.order_date,
        currency=payload.currency, price_list_id=payload.price_list_id,
        prices_include_tax=payload.prices_include_tax,
        lines=[line.model_dump(exclude_none=True, exclude={"id"}) for line in payload.lines])
    see_cost = can_see_cost(request.auth)
    lines = []
    for position, p in enumerate(priced.lines, start=1):
        product = products[p.product_id]
        lines.append({
            "key": p.key, "id": None, "position": position, "product_id": p.product_id, "sku": product.sku,
            "description": product.name, "quantity": p.quantity, "unit": product.unit.code,
            "list_price": p.list_price, "unit_price": p.unit_price, "price_source": p.price_source,
            "discount_percent": p.discount_percent, "promotion_discount": p.promotion_discount,
            "manual_discount": p.manual_discount, "allocated_discount": p.allocated_discount,
            "net_amount": p.net, "tax_amount": p.tax, "gross_amount": p.gross, "vat_rate": p.vat_rate,
            "requested_date": None, "is_free": p.is_free, "free_for_id": None,
            "breakdown": steps_out([{"code": s.code, "amount": str(s.amount), "params": dict(s.params)}
                                    for s in p.steps]),
            "cost_amount": p.cost if see_cost else None, "margin": p.margin if see_cost else None})
    return {"currency": currency, "prices_include_tax": payload.prices_include_tax,
            "net_amount": priced.net, "tax_amount": priced.tax, "gross_amount": priced.gross,
            "discount_amount": priced.discount, "amount_in_words": chinese_capitals(priced.gross),
            "totals_by_rate": [{"rate": r.rate, "net": r.net, "tax": r.tax, "gross": r.gross} for r in priced.by_rate],
            "lines": lines, "cost_amount": priced.cost if see_cost else None,
            "margin": priced.margin if see_cost else None}


