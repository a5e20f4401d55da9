"""Stock where orders are typed: the product picker says what is free, each line carries a badge with
its details (promise date, substitutes that can replace it in one click), a confirmed order shows
what each line holds, a submit refused for stock lists the short lines, and the partial-shipment
flag on the order header and the customer."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaidan.catalog import services as catalog_services
from kaidan.core.roles import Role
from kaidan.inventory import replenishment_services
from kaidan.inventory.models import ReplenishmentRequest
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_keeper, stock_of
from tests.parties.factories import make_customer
from tests.sales.factories import make_order, submit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def ordered_supply(product, quantity, expected: datetime.date, warehouse):
    """Purchasing ordered ``quantity`` of ``product``, expected on ``expected``."""
    keeper = stock_keeper()
    request = replenishment_services.create_request(actor=keeper, data={
        "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": str(quantity)})
    return replenishment_services.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                               data={"expected_date": expected.isoformat(), "supplier": "联想"})


def stock_cell(body: str, line) -> str:
    """The stock cell of a line (<td id="s-…">…</td>)."""
    found = re.search(rf'<td class="stock nowrap" id="s-{line.pk}"[^>]*>(.*?)</td>', body, re.S)
    assert found, f"no stock cell for line {line.pk}"
    return found.group(1)


def version_of(order) -> int:
    return SalesOrder.objects.get(pk=order.pk).version


@pytest.fixture
def client(client_for):
    return client_for(Role.SALES)


@pytest.fixture
def thinkpad():
    return make_product(sku="NB-T14", name="ThinkPad T14", list_price=Decimal("6999.00"))


@pytest.fixture
def substitute():
    return make_product(sku="NB-E14", name="ThinkPad E14", list_price=Decimal("4999.00"))


class TestPicker:
    def test_each_match_shows_what_is_free_here_and_in_all_warehouses(self, client, warehouse, thinkpad,
                                                                        substitute, django_assert_max_num_queries):
        # given 3 free in the order's warehouse and 5 in another
        receive_stock(thinkpad, 3, warehouse)
        receive_stock(thinkpad, 5, make_warehouse("WH-XA", name="西安仓"))
        order = make_order(client.user)
        # when the salesperson types
        with django_assert_max_num_queries(8):  # session, user, order, matches, stock of all matches at once
            options = client.get(f"/orders/{order.pk}/products/", {"q": "ThinkPad"}, **HTMX).content.decode()
        # then each product says what is free
        t14, e14 = options.split("NB-T14")[1].split("</li>")[0], options.split("NB-E14")[1].split("</li>")[0]
        assert '<span class="badge green">3</span>' in t14 and "/ 8" in t14
        assert "Free in the order's warehouse: 3 · in all warehouses: 8" in t14
        assert '<span class="badge red">0</span>' in e14 and "/ 0" in e14
        # and the picked product too
        picked = client.get(f"/orders/{order.pk}/products/pick/", {"product_id": thinkpad.pk}, **HTMX)
        assert '<span class="badge green">3</span>' in picked.content.decode()


class TestDraftLines:
    def test_a_short_line_shows_the_badge_the_promise_date_and_a_substitute_that_replaces_it(
            self, client, warehouse, thinkpad, substitute):
        # given: 1 T14 free, 4 wanted; 10 more ordered for next week; the E14 can replace it and has 6
        receive_stock(thinkpad, 1, warehouse)
        receive_stock(substitute, 6, warehouse)
        next_week = timezone.localdate() + datetime.timedelta(days=7)
        ordered_supply(thinkpad, 10, next_week, warehouse)
        catalog_services.set_substitutes(actor=None, product_id=thinkpad.pk, substitute_ids=[substitute.pk])
        order = make_order(client.user, lines=[(thinkpad, 4)])
        line = order.lines.get()
        # when the order page opens
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        # then the line is partly in stock, with when it can ship and what can replace it
        cell = stock_cell(page, line)
        assert 'class="badge blue"' in cell and "Partly in stock" in cell
        assert "Missing: 3" in cell and f"Can ship on: {next_week.isoformat()}" in cell
        assert f"Can ship on <b>{next_week.isoformat()}</b>" in cell
        assert "NB-E14" in cell and f"/orders/{order.pk}/lines/{line.pk}/replace/" in cell
        # when the substitute replaces it
        response = client.post(f"/orders/{order.pk}/lines/{line.pk}/replace/",
                               {"product_id": substitute.pk, "version": order.version}, **HTMX)
        # then the line is the E14 at its own price, in stock, and the whole line and totals come back
        body = response.content.decode()
        line.refresh_from_db()
        assert response.status_code == 200
        assert line.product == substitute and line.quantity == 4 and line.unit_price == Decimal("4999.00")
        assert line.description.startswith("ThinkPad E14")
        assert f'<tbody id="line-{line.pk}" class="line-group" hx-swap-oob="true">' in body
        assert "NB-E14" in body and "¥19,996.00" in body and 'id="order-totals"' in body
        assert "In stock" in stock_cell(body, line)
        assert f'id="order-version" name="version" value="{version_of(order)}"' in body

    def test_no_supply_planned_and_out_of_stock(self, client, thinkpad):
        order = make_order(client.user, lines=[(thinkpad, 2)])
        cell = stock_cell(client.get(f"/orders/{order.pk}/", **EN).content.decode(), order.lines.get())
        assert 'class="badge red"' in cell and "Out of stock" in cell and "No supply planned" in cell
        assert "Substitutes in stock" not in cell

    def test_replacing_drops_a_price_entered_by_hand_and_refuses_a_stale_page(self, client_for, warehouse,
                                                                               thinkpad, substitute):
        client = client_for(Role.SALES_MANAGER)
        order = make_order(client.user, lines=[{"product_id": thinkpad.pk, "quantity": "1", "unit_price": "6500",
                                                "discount_percent": "5"}])
        line = order.lines.get()
        stale = client.post(f"/orders/{order.pk}/lines/{line.pk}/replace/",
                            {"product_id": substitute.pk, "version": order.version - 1}, **HTMX)
        assert stale.status_code == 409 and "Reload the page" in stale.content.decode()
        client.post(f"/orders/{order.pk}/lines/{line.pk}/replace/",
                    {"product_id": substitute.pk, "version": order.version}, **HTMX)
        line.refresh_from_db()
        assert line.product == substitute and line.manual_unit_price is None
        assert line.unit_price == Decimal("4999.00") and line.discount_percent == 5
        assert line.gross_amount == Decimal("4749.05")  # the list price less the line's 5 %

    def test_replacing_with_nonsense_is_a_message(self, client, thinkpad):
        order = make_order(client.user, lines=[(thinkpad, 1)])
        line = order.lines.get()
        response = client.post(f"/orders/{order.pk}/lines/{line.pk}/replace/",
                               {"product_id": "abc", "version": order.version}, **HTMX)
        assert response.status_code == 422 and "Choose a product that exists" in response.content.decode()
        missing = client.post(f"/orders/{order.pk}/lines/99999999/replace/",
                              {"product_id": thinkpad.pk, "version": order.version}, **HTMX)
        assert missing.status_code == 404
        assert client.get(f"/orders/{order.pk}/lines/{line.pk}/replace/").status_code == 405

    def test_lines_of_one_product_share_what_is_free_and_an_edit_updates_them_all(self, client, warehouse,
                                                                                  thinkpad, substitute):
        # given 3 free, two lines of 2: the second is partly in stock
        receive_stock(thinkpad, 3, warehouse)
        order = make_order(client.user, lines=[(thinkpad, 2), (substitute, 1), (thinkpad, 2)])
        first, other, second = order.lines.order_by("position")
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        assert "In stock" in stock_cell(page, first) and "Partly in stock" in stock_cell(page, second)
        # when the first drops to 1
        body = client.post(f"/orders/{order.pk}/lines/{first.pk}/", {"quantity": "1", "version": order.version},
                           **HTMX).content.decode()
        # then both cells of that product come back, the other product's does not
        assert f'id="s-{first.pk}" hx-swap-oob="true"' in body and f'id="s-{second.pk}" hx-swap-oob="true"' in body
        assert "In stock" in stock_cell(body, second) and f'id="s-{other.pk}"' not in body

    def test_a_new_line_comes_with_its_stock(self, client, warehouse, thinkpad):
        receive_stock(thinkpad, 5, warehouse)
        order = make_order(client.user)
        body = client.post(f"/orders/{order.pk}/lines/", {"product_id": thinkpad.pk, "quantity": "2",
                                                          "version": order.version}, **HTMX).content.decode()
        assert "In stock" in stock_cell(body, order.lines.get()) and "Free in the order&#x27;s warehouse: 5" in body

    def test_the_page_costs_the_same_queries_for_many_short_lines(self, client, warehouse, thinkpad, substitute):
        receive_stock(substitute, 1000, warehouse)
        catalog_services.set_substitutes(actor=None, product_id=thinkpad.pk, substitute_ids=[substitute.pk])
        products = [thinkpad] + [make_product(list_price=Decimal("10")) for _ in range(5)]

        def count(lines: int) -> int:
            order = make_order(client.user, lines=[(products[n % len(products)], 2) for n in range(lines)])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/orders/{order.pk}/").status_code == 200
            return len(queries)

        assert count(40) == count(6)


class TestConfirmed:
    def test_a_partial_order_shows_what_each_line_holds_and_when_the_rest_comes(self, client, warehouse,
                                                                                thinkpad):
        # given a customer that takes partial shipments, 2 free of 5
        customer = make_customer(client.user, allow_partial_shipment=True)
        receive_stock(thinkpad, 2, warehouse)
        expected = timezone.localdate() + datetime.timedelta(days=10)
        ordered_supply(thinkpad, 3, expected, warehouse)
        order = make_order(client.user, customer, lines=[(thinkpad, 5)])
        assert order.allow_partial_shipment
        # when it is submitted
        confirmed = submit(client.user, order, stocked=False)
        assert confirmed.status == Status.CONFIRMED and stock_of(thinkpad, warehouse) == (2, 2)
        # then the line shows what it holds and what is still to come, and when
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        cell = stock_cell(page, order.lines.get())
        assert "Partly reserved" in cell and "Reserved for this line: 2" in cell and "Still to come: 3" in cell
        assert f"Can ship on <b>{expected.isoformat()}</b>" in cell
        assert "Replace" not in cell
        assert "Allowed: what is in stock ships first" in page

    def test_a_fully_reserved_line(self, client, warehouse, thinkpad):
        order = submit(client.user, make_order(client.user, lines=[(thinkpad, 2)]))
        cell = stock_cell(client.get(f"/orders/{order.pk}/", **EN).content.decode(), order.lines.get())
        assert 'class="badge green"' in cell and "Reserved" in cell and "<details" not in cell

    def test_a_cancelled_order_shows_no_stock_column(self, client, thinkpad):
        order = make_order(client.user, lines=[(thinkpad, 2)])
        client.post(f"/orders/{order.pk}/cancel/", {"version": order.version, "reason": "不要了"})
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        assert 'class="stock nowrap"' not in page and ">Stock</th>" not in page


class TestRefusedForStock:
    def test_the_page_lists_the_short_lines_and_says_purchasing_was_asked(self, client, warehouse, thinkpad,
                                                                         substitute):
        # given 1 T14 free of 4, the E14 in stock
        receive_stock(thinkpad, 1, warehouse)
        receive_stock(substitute, 10, warehouse)
        catalog_services.set_substitutes(actor=None, product_id=thinkpad.pk, substitute_ids=[substitute.pk])
        mouse = make_product(sku="MS-1", name="鼠标", list_price=Decimal("50"))
        receive_stock(mouse, 10, warehouse)
        order = make_order(client.user, lines=[(mouse, 1), (thinkpad, 4)])
        short = order.lines.get(product=thinkpad)
        # when it is submitted
        response = client.post(f"/orders/{order.pk}/submit/", {"version": order.version}, **EN)
        # then nothing was reserved, the page says which line lacks how much, and purchasing was asked
        body = response.content.decode()
        assert response.status_code == 409 and SalesOrder.objects.get(pk=order.pk).status == Status.DRAFT
        refusal = body.split('id="stock-refusal"')[1].split("</section>")[0]
        assert "a replenishment request was raised" in refusal
        assert "NB-T14" in refusal and "MS-1" not in refusal
        assert re.search(r'<td class="num">4</td><td class="num">1</td><td class="num"><b>3</b></td>', refusal)
        request = ReplenishmentRequest.objects.get(product=thinkpad, warehouse=warehouse)
        assert request.status == "open" and request.quantity >= 3
        assert "NB-E14" in refusal and f'action="/orders/{order.pk}/lines/{short.pk}/replace/"' in refusal
        assert "Or allow partial shipment" in refusal
        # when the substitute replaces the line from there (a plain form), then the order can be submitted
        replaced = client.post(f"/orders/{order.pk}/lines/{short.pk}/replace/",
                               {"product_id": substitute.pk, "version": order.version}, follow=True, **EN)
        assert "Product replaced." in replaced.content.decode()
        client.post(f"/orders/{order.pk}/submit/", {"version": version_of(order)})
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED


class TestPartialShipmentFlag:
    def test_the_order_header_form_sets_it(self, client, thinkpad):
        order = make_order(client.user, lines=[(thinkpad, 1)])
        assert not order.allow_partial_shipment
        form = client.get(f"/orders/{order.pk}/edit/", **EN).content.decode()
        assert 'name="allow_partial_shipment"' in form
        data = {"version": order.version, "order_date": order.order_date.isoformat(), "currency": "CNY",
                "prices_include_tax": "1", "warehouse": order.warehouse_id, "allow_partial_shipment": "on"}
        assert client.post(f"/orders/{order.pk}/edit/", data).status_code == 302
        order.refresh_from_db()
        assert order.allow_partial_shipment
        assert "Allowed: what is in stock ships first" in client.get(f"/orders/{order.pk}/", **EN).content.decode()
        data = {**data, "version": order.version}
        del data["allow_partial_shipment"]
        client.post(f"/orders/{order.pk}/edit/", data)
        order.refresh_from_db()
        assert not order.allow_partial_shipment

    def test_the_customer_form_sets_it_and_new_orders_take_it(self, client):
        customer = make_customer(client.user, name="成都天府商贸有限公司")
        data = {"version": customer.version, "code": customer.code, "name": customer.name, "kind": "company",
                "currency": "CNY", "credit_limit": "0", "allow_partial_shipment": "on"}
        assert 'name="allow_partial_shipment"' in client.get(f"/customers/{customer.pk}/edit/").content.decode()
        assert client.post(f"/customers/{customer.pk}/edit/", data).status_code == 302
        customer.refresh_from_db()
        assert customer.allow_partial_shipment and customer.version == 2
        page = client.get(f"/customers/{customer.pk}/", **EN).content.decode()
        assert "Partial shipment" in page and "Allowed: what is in stock ships first" in page
        assert make_order(client.user, customer).allow_partial_shipment
