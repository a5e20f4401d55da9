"""Salespeople find their orders by how far they have shipped: in the list page and the API."""

import pytest

from tests.conftest import TokenClient
from tests.shipping.factories import confirmed_order, line_of, make_note, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_orders(seller, keeper, customer, laptop, warehouse):
    waiting = confirmed_order(seller, customer, [(laptop, 2)], warehouse_id=warehouse.pk)
    partly = confirmed_order(seller, customer, [(laptop, 2)], warehouse_id=warehouse.pk)
    done = confirmed_order(seller, customer, [(laptop, 2)], warehouse_id=warehouse.pk)
    shipped(keeper, make_note(keeper, partly, {line_of(partly, laptop): 1}))
    shipped(keeper, make_note(keeper, done))
    return {"not_shipped": waiting, "partly_shipped": partly, "shipped": done}


def test_the_order_list_api_filters_by_fulfilment(seller, three_orders):
    api = TokenClient(seller)
    for state, order in three_orders.items():
        response = api.get("/api/orders", {"fulfilment_status": state})
        assert response.status_code == 200
        assert [row["number"] for row in response.json()["items"]] == [order.number]
    assert api.get("/api/orders", {"fulfilment_status": "lost"}).status_code == 422


def test_the_order_list_page_filters_and_badges_shipping(client, seller, three_orders):
    client.force_login(seller)
    page = client.get("/orders/", {"fulfilment": "partly_shipped"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert three_orders["partly_shipped"].number in page and "Partly shipped" in page
    assert three_orders["shipped"].number not in page and three_orders["not_shipped"].number not in page
    assert client.get("/orders/", {"fulfilment": "nonsense"}).status_code == 200
