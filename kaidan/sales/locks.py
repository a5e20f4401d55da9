"""The only place the sales app takes row locks: the document header. Lines are written only by
services holding their document's lock, so the header lock covers them; not locking the lines saves
PostgreSQL from marking every row of a 1,000-line order on each one-line edit."""

from kaidan.sales.models import SalesOrder, SalesOrderLine


def lock_order(order_id: int) -> SalesOrder | None:
    return (SalesOrder.objects.select_for_update(of=("self",)).select_related("customer")
            .filter(pk=order_id).first())


def lock_lines(order_id: int, *, light: bool = False) -> list[SalesOrderLine]:
    """The lines of a document whose header the caller holds locked (see above), by id. ``light``
    leaves out the text columns (breakdown, description, requested date) that re-pricing does not
    read, so a one-line edit of a 1,000-line order loads a fraction of the data."""
    qs = SalesOrderLine.objects.filter(order_id=order_id).order_by("pk")
    if light:
        qs = qs.defer("breakdown", "description", "requested_date")
    return list(qs)
