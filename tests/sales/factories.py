"""Quotations and orders for tests, made through the services as the UI and the API make them.

    order = make_order(wang, customer, lines=[(laptop, 2), (mouse, "1.5", "5")])   # (product, qty[, discount %])
    quotation = make_order(wang, customer, kind=Kind.QUOTATION, customer_po="PO-1")
    order, written = add_line(wang, order, printer, 3)                               # one more line
    confirmed = submit(wang, order)                                                  # submitted → confirmed

``actor`` must be allowed to write orders (sales, sales_manager or admin) and see the customer; the
customer defaults to a new one owned by ``actor``. Every helper returns fresh objects from the services.
"""

from __future__ import annotations

from decimal import Decimal

from kaidan.catalog.models import Product
from kaidan.sales import services, transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Kind
from tests.parties.factories import make_customer


def line_data(line) -> dict:
    """(product, quantity), (product, quantity, discount %) or a dict as the services take it."""
    if isinstance(line, dict):
        return line
    product, quantity, *rest = line
    data = {"product_id": product.pk if isinstance(product, Product) else product, "quantity": str(quantity)}
    if rest:
        data["discount_percent"] = str(rest[0])
    return data


def make_order(actor, customer=None, *, lines=(), kind: str = Kind.ORDER, **header) -> SalesOrder:
    """A draft quotation or order with its lines, priced. ``header`` takes the API's header fields
    (order_date, requested_date, customer_po, prices_include_tax, warehouse_id...)."""
    customer = customer or make_customer(actor)
    return services.create_document(actor=actor, kind=kind, data={"customer_id": customer.pk, **header},
                                    lines=[line_data(line) for line in lines])


def add_line(actor, order: SalesOrder, product, quantity=1, **fields):
    """Add one line to a draft at its current version; returns (order, written lines)."""
    order.refresh_from_db(fields=["version"])
    return services.save_line(actor=actor, order_id=order.pk, version=order.version,
                              data=line_data((product, quantity)) | fields)


def submit(actor, order: SalesOrder, *, stocked: bool = True) -> SalesOrder:
    """Submit a draft order (which confirms it while there are no approvals, reserving its stock).
    ``stocked`` first receives into the order's warehouse whatever its lines lack."""
    order.refresh_from_db(fields=["version", "warehouse"])
    if stocked:
        stock_for(order)
    return transitions.submit_order(actor=actor, order_id=order.pk, version=order.version)


def stock_for(order: SalesOrder) -> None:
    """Receive what the order's lines need beyond what is free in its warehouse."""
    from tests.inventory.factories import receive_stock, stock_of

    wanted: dict = {}
    for line in order.lines.select_related("product"):
        wanted[line.product] = wanted.get(line.product, Decimal(0)) + line.quantity
    for product, quantity in wanted.items():
        on_hand, reserved = stock_of(product, order.warehouse)
        if on_hand - reserved < quantity:
            receive_stock(product, quantity - (on_hand - reserved), order.warehouse)


def sales_sample_ids(user, admin) -> dict[str, int]:
    """A draft order ``user`` may see (its customer is theirs) with one line, for URL parameters."""
    from tests.catalog.factories import make_product
    from tests.inventory.factories import default_warehouse, receive_stock

    customer = make_customer(admin, name="矩阵订单客户", owner_id=user.pk)
    product = make_product(admin, list_price=Decimal("10.00"))
    warehouse = default_warehouse()
    receive_stock(product, 5, warehouse)
    order = make_order(admin, customer, lines=[(product, 1)], warehouse_id=warehouse.pk)
    return {"order_id": order.pk, "line_id": order.lines.get().pk}
