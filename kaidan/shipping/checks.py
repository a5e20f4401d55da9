"""What must always hold between orders, delivery notes and stock, checked on a live database
(``kaidan check_shipping``; tests call ``shipping_discrepancies`` after their stories):

* a line's shipped quantity equals Σ of it on shipped notes, and the order's fulfilment sub-state
  follows from its lines;
* Σ of a line on notes that are not cancelled never exceeds what was ordered;
* Σ of a stocked line on open notes never exceeds what the line holds reserved;
* every shipped stocked line has its shipment move (reference = the note's number).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from kaidan.inventory.models import Reservation, StockMove
from kaidan.sales import fulfilment as sales_fulfilment
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.shipping import states
from kaidan.shipping.models import DeliveryLine

ZERO = Decimal("0")


def _sums(statuses) -> dict[int, Decimal]:
    return {row["order_line_id"]: row["total"] for row in
            DeliveryLine.objects.filter(note__status__in=statuses).values("order_line_id")
            .annotate(total=Sum("quantity"))}


def shipping_discrepancies() -> list[str]:
    problems = []
    shipped = _sums(states.SHIPPED)
    on_open = _sums(states.OPEN)
    reserved = dict(Reservation.objects.filter(status=Reservation.Status.OPEN)
                    .values_list("order_line_id", "reserved"))
    by_order = defaultdict(list)
    lines = SalesOrderLine.objects.filter(order__kind="order").values_list(
        "pk", "order_id", "order__number", "position", "quantity", "shipped_quantity", "product__track_stock")
    for pk, order_id, number, position, quantity, shipped_quantity, tracked in lines.iterator(chunk_size=5000):
        by_order[order_id].append((quantity, shipped_quantity))
        where = f"{number} line {position}"
        if shipped_quantity != shipped.get(pk, ZERO):
            problems.append(f"{where}: shipped {shipped_quantity} but shipped notes hold {shipped.get(pk, ZERO)}")
        if shipped.get(pk, ZERO) + on_open.get(pk, ZERO) > quantity:
            problems.append(f"{where}: {shipped.get(pk, ZERO) + on_open.get(pk, ZERO)} on notes, {quantity} ordered")
        if tracked and on_open.get(pk, ZERO) > reserved.get(pk, ZERO):
            problems.append(f"{where}: {on_open.get(pk, ZERO)} on open notes, {reserved.get(pk, ZERO)} reserved")
    status_of = dict(SalesOrder.objects.filter(pk__in=list(by_order)).values_list("pk", "fulfilment_status"))
    numbers = dict(SalesOrder.objects.filter(pk__in=list(by_order)).values_list("pk", "number"))
    for order_id, pairs in by_order.items():
        expected = sales_fulfilment.status_of(pairs)
        if status_of[order_id] != expected:
            problems.append(f"{numbers[order_id]}: fulfilment {status_of[order_id]}, lines say {expected}")
    moved = defaultdict(lambda: ZERO)
    for reference, product_id, quantity in (StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT)
                                            .values_list("reference", "product_id", "quantity")):
        moved[(reference, product_id)] -= quantity
    noted = defaultdict(lambda: ZERO)
    for number, product_id, quantity in (DeliveryLine.objects.filter(note__status__in=states.SHIPPED,
                                                                     product__track_stock=True)
                                         .values_list("note__number", "product_id", "quantity")):
        noted[(number, product_id)] += quantity
    for key in set(moved) | set(noted):
        if moved[key] != noted[key]:
            problems.append(f"{key[0]}: product {key[1]} shipped {noted[key]} but moves took out {moved[key]}")
    return problems
