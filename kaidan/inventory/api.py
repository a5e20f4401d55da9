"""REST endpoints of stock: warehouses, levels, the move ledger, reservations, goods receipts,
adjustments and transfers, the availability check, the replenishment board and reorder rules.
Every role may read stock (VIEW_STOCK); every write is one service call, which checks its own
capability too."""

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.core.access import api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.parsing import Errors
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.inventory import replenishment_services, selectors, services
from kaidan.inventory.schemas import (
    AdjustmentIn,
    AvailabilityIn,
    AvailabilityOut,
    CancelIn,
    MoveFilter,
    MoveOut,
    OperationDetailOut,
    OperationFilter,
    OperationOut,
    OrderedIn,
    ReceiptIn,
    ReceiveIn,
    RequestFilter,
    RequestIn,
    RequestOut,
    ReservationFilter,
    ReservationOut,
    RuleFilter,
    RuleIn,
    RuleOut,
    RuleUpdateIn,
    StockFilter,
    StockLevelOut,
    TransferIn,
    WarehouseOut,
)
from kaidan.inventory.validation import check_items, check_warehouse

router = Router(tags=["stock"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, CHANGE = Capability.VIEW_STOCK, Capability.CHANGE_STOCK
REQUEST, MANAGE = Capability.REQUEST_REPLENISHMENT, Capability.MANAGE_REPLENISHMENT
STOCK_COLUMNS = ("product_id", "product__sku", "product__name", "product__unit__code", "warehouse_id",
                 "warehouse__code", "on_hand", "reserved", "incoming", "backordered", "min_level")


def _operation(operation_id: int):
    """The operation with its moves in posting order (two queries)."""
    operation = (selectors.operations().filter(pk=operation_id)
                 .prefetch_related(Prefetch("moves", queryset=selectors.moves().order_by("id"))).first())
    if operation is None:
        raise NotFound()
    return operation


def _request(request_id: int):
    found = selectors.replenishment_request(request_id)
    if found is None:
        raise NotFound()
    return found


def _rule(rule_id: int):
    found = selectors.reorder_rules().filter(pk=rule_id).first()
    if found is None:
        raise NotFound()
    return found


# -- reads ---------------------------------------------------------------------------------------------

@router.get("/warehouses", response={200: list[WarehouseOut], **ERRORS})
@api_requires(VIEW)
def list_warehouses(request: HttpRequest):
    """The active warehouses, by code."""
    return list(selectors.warehouses().order_by("code"))


@router.get("/stock", response={200: list[StockLevelOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_stock(request: HttpRequest, filters: Query[StockFilter]):
    """Stock per product × warehouse, by SKU then warehouse code."""
    levels = selectors.stock_levels(q=filters.q, warehouse_id=filters.warehouse_id, product_id=filters.product_id,
                                    category_id=filters.category_id, status=filters.status)
    # rows as dicts: one query, no model instances
    return levels.values(*STOCK_COLUMNS)


@router.get("/stock/moves", response={200: list[MoveOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_moves(request: HttpRequest, filters: Query[MoveFilter]):
    """The ledger of every change of on-hand stock, newest first; never changed afterwards."""
    return selectors.moves(product_id=filters.product_id, warehouse_id=filters.warehouse_id, kind=filters.kind)


@router.get("/stock/reservations", response={200: list[ReservationOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_reservations(request: HttpRequest, filters: Query[ReservationFilter]):
    """What order lines hold and wait for, oldest order first (the order backorders are filled in)."""
    return selectors.reservations(order_id=filters.order_id, product_id=filters.product_id,
                                  warehouse_id=filters.warehouse_id, open_only=not filters.include_closed,
                                  backordered_only=filters.backordered_only)


@router.get("/stock/operations", response={200: list[OperationOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_operations(request: HttpRequest, filters: Query[OperationFilter]):
    """Receipts, adjustments and transfers, newest first (read one for its moves)."""
    return selectors.operations(kind=filters.kind, warehouse_id=filters.warehouse_id)


@router.get("/stock/operations/{operation_id}", response={200: OperationDetailOut, **ERRORS})
@api_requires(VIEW)
def get_operation(request: HttpRequest, operation_id: Path[DbId]):
    return _operation(operation_id)


# -- receipts, adjustments, transfers ----------------------------------------------------------------------

@router.post("/stock/receipts", response={201: OperationDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def post_receipt(request: HttpRequest, payload: ReceiptIn):
    """Goods arrived from a supplier: on hand goes up and waiting backorders are reserved, oldest
    order first. Errors name the line, e.g. `lines.2.quantity`."""
    operation = services.post_receipt(actor=request.auth, data=payload.model_dump())
    return Status(201, _operation(operation.pk))


@router.post("/stock/adjustments", response={201: OperationDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def post_adjustment(request: HttpRequest, payload: AdjustmentIn):
    """Correct on hand with a reason: each line gives a signed `quantity` or, for a stocktake, the
    `counted` quantity. Stock reserved for orders cannot be adjusted away."""
    operation = services.post_adjustment(actor=request.auth, data=payload.model_dump(exclude_none=True))
    return Status(201, _operation(operation.pk))


@router.post("/stock/transfers", response={201: OperationDetailOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def post_transfer(request: HttpRequest, payload: TransferIn):
    """Move stock between warehouses in one step; reserved stock cannot leave."""
    operation = services.post_transfer(actor=request.auth, data=payload.model_dump())
    return Status(201, _operation(operation.pk))


# -- availability --------------------------------------------------------------------------------------

@router.post("/stock/availability", response={200: AvailabilityOut, **ERRORS})
@api_requires(VIEW)
def check_availability(request: HttpRequest, payload: AvailabilityIn):
    """What of each wanted line can ship now from the warehouse, a badge, the date all of it can
    ship (orders already waiting take incoming stock first) and, for a short line, substitutes with
    enough stock. Lines of the same product share what is free, in their order. Saves nothing."""
    errors = Errors()
    warehouse = check_warehouse({"warehouse_id": payload.warehouse_id}, errors)
    items = check_items([line.model_dump() for line in payload.lines], errors)
    errors.raise_if_any()
    checked = selectors.check_availability([(item.product.pk, item.quantity) for item in items], warehouse.pk)
    return {"warehouse_id": warehouse.pk, "lines": [{
        "product_id": line.product_id, "quantity": line.quantity, "available": line.available,
        "available_total": line.available_total, "can_ship_now": line.can_ship_now, "short": line.short,
        "badge": line.badge, "promise_date": line.promise_date, "incoming": line.incoming,
        "substitutes": [{"product_id": s.product.pk, "sku": s.product.sku, "name": s.product.name,
                         "available": s.available} for s in line.substitutes],
    } for line in checked]}


# -- replenishment -------------------------------------------------------------------------------------

@router.get("/replenishment-requests", response={200: list[RequestOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]):
    """Requests to purchasing, newest first (ordered ones: soonest expected first)."""
    return selectors.replenishment_requests(status=filters.status, warehouse_id=filters.warehouse_id,
                                            product_id=filters.product_id)


@router.get("/replenishment-requests/{request_id}", response={200: RequestOut, **ERRORS})
@api_requires(VIEW)
def get_request(request: HttpRequest, request_id: Path[DbId]):
    return _request(request_id)


@router.post("/replenishment-requests", response={201: RequestOut, **ERRORS})
@idempotent
@api_requires(REQUEST)
def create_request(request: HttpRequest, payload: RequestIn):
    """Ask purchasing for a quantity; it is added to the product × warehouse's open request if there
    is one (the answer is that request)."""
    created = replenishment_services.create_request(actor=request.auth, data=payload.model_dump())
    return Status(201, _request(created.pk))


@router.post("/replenishment-requests/{request_id}/order", response={200: RequestOut, **ERRORS})
@api_requires(MANAGE)
def order_request(request: HttpRequest, request_id: Path[DbId], payload: OrderedIn):
    """Purchasing ordered the goods: the expected date (today or later) feeds promise dates."""
    data = payload.model_dump(exclude={"version"}, exclude_none=True)
    replenishment_services.mark_ordered(actor=request.auth, request_id=request_id, version=payload.version,
                                        data=data)
    return _request(request_id)


@router.post("/replenishment-requests/{request_id}/receive", response={200: RequestOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def receive_request(request: HttpRequest, request_id: Path[DbId], payload: ReceiveIn):
    """The goods came: posts a goods receipt (see `receipt_id`) for the quantity received."""
    data = payload.model_dump(exclude={"version"}, exclude_none=True)
    replenishment_services.receive_request(actor=request.auth, request_id=request_id, version=payload.version,
                                           data=data)
    return _request(request_id)


@router.post("/replenishment-requests/{request_id}/cancel", response={200: RequestOut, **ERRORS})
@api_requires(MANAGE)
def cancel_request(request: HttpRequest, request_id: Path[DbId], payload: CancelIn):
    replenishment_services.cancel_request(actor=request.auth, request_id=request_id, version=payload.version)
    return _request(request_id)


# -- reorder rules ----------------------------------------------------------------------------------------

@router.get("/reorder-rules", response={200: list[RuleOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_rules(request: HttpRequest, filters: Query[RuleFilter]):
    return selectors.reorder_rules(warehouse_id=filters.warehouse_id, product_id=filters.product_id)


@router.post("/reorder-rules", response={201: RuleOut, **ERRORS})
@idempotent
@api_requires(MANAGE)
def create_rule(request: HttpRequest, payload: RuleIn):
    """Keep a product between min and max in a warehouse; stock already below the minimum raises a
    request at once. One rule per product × warehouse."""
    rule = replenishment_services.save_rule(actor=request.auth, data=payload.model_dump())
    return Status(201, _rule(rule.pk))


@router.put("/reorder-rules/{rule_id}", response={200: RuleOut, **ERRORS})
@api_requires(MANAGE)
def update_rule(request: HttpRequest, rule_id: Path[DbId], payload: RuleUpdateIn):
    """Fields left out keep their value."""
    data = payload.model_dump(exclude={"version"}, exclude_unset=True)
    replenishment_services.save_rule(actor=request.auth, data=data, rule_id=rule_id, version=payload.version)
    return _rule(rule_id)


@router.delete("/reorder-rules/{rule_id}", response={204: None, **ERRORS})
@api_requires(MANAGE)
def delete_rule(request: HttpRequest, rule_id: Path[DbId]):
    replenishment_services.delete_rule(actor=request.auth, rule_id=rule_id)
    return Status(204, None)
