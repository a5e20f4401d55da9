"""The only place the sales app takes row locks: the document header first, then its lines by id."""

from kaidan.sales.models import SalesOrder, SalesOrderLine


def lock_order(order_id: int) -> SalesOrder | None:
    return (SalesOrder.objects.select_for_update(of=("self",)).select_related("customer")
            .filter(pk=order_id).first())


def lock_lines(order_id: int) -> list[SalesOrderLine]:
    return list(SalesOrderLine.objects.select_for_update(of=("self",)).select_related("product", "product__unit")
                .filter(order_id=order_id).order_by("pk"))
