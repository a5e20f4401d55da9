"""Concurrent edits of one order on PostgreSQL: the document row lock plus the version check mean
exactly one of several edits made on the same version wins; the others get 409 and change nothing.
Several people submitting the same order at once confirm it once."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from kaidan.core.errors import InvalidTransition, StaleEdit
from kaidan.core.roles import Role
from kaidan.sales import selectors, services, transitions
from kaidan.sales.models import SalesOrder
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock, make_warehouse, stock_of
from tests.parties.factories import make_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def run_at_once(work) -> tuple[list, list[BaseException]]:
    results, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int):
        try:
            start.wait()
            result = work(index)
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - sorted by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def order(make_user):
    seller = make_user(Role.SALES)
    customer = make_customer(seller)
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    products = [in_stock(make_product(list_price=D("10.00")), warehouse, 5) for _ in range(3)]
    order = services.create_document(actor=seller, data={"customer_id": customer.pk, "warehouse_id": warehouse.pk},
                                     lines=[{"product_id": p.pk, "quantity": "1"} for p in products])
    order.seller = seller
    return order


def test_only_one_of_several_edits_on_the_same_version_wins(order):
    lines = selectors.order_lines(order)

    def edit(index):
        line = lines[index % len(lines)]
        return services.save_line(actor=order.seller, order_id=order.pk, version=order.version, line_id=line.pk,
                                  data={"quantity": str(index + 2)})

    results, errors = run_at_once(edit)
    assert len(results) == 1
    assert len(errors) == THREADS - 1 and all(isinstance(e, StaleEdit) for e in errors), errors
    stored = SalesOrder.objects.get(pk=order.pk)
    assert stored.version == order.version + 1
    assert stored.gross_amount == sum(line.gross_amount for line in selectors.order_lines(stored))


def test_an_order_submitted_by_several_people_at_once_is_confirmed_once(order):
    results, errors = run_at_once(lambda _i: transitions.submit_order(actor=order.seller, order_id=order.pk))
    assert len(results) == 1 and results[0].status == "confirmed"
    assert all(isinstance(e, InvalidTransition) for e in errors) and len(errors) == THREADS - 1
    from kaidan.core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk),
                                     action="confirmed").count() == 1
    # and its stock is reserved once: 1 of each product's 5
    assert {stock_of(line.product, order.warehouse) for line in order.lines.all()} == {(D(5), D(1))}
