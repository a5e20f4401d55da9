"""The history panels of a delivery note and of its order read as words, in the reader's language."""

import pytest
from django.utils import translation

from kaidan.core.selectors import history_panel
from tests.shipping.factories import confirmed_order, line_of, make_note, shipped

pytestmark = pytest.mark.django_db


def changes_of(panel, action_label):
    return next(dict((label, after) for label, _before, after in entry["changes"])
                for entry in panel if entry["action"] == action_label)


def test_a_note_history_names_the_carrier_and_lists_the_lines(seller, keeper, customer, laptop, mouse, sf, warehouse):
    order = confirmed_order(seller, customer, [(laptop, 3), (mouse, 2)], warehouse_id=warehouse.pk)
    note = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}), carrier_id=sf.pk,
                   tracking_numbers=["SF77"])
    with translation.override("en"):
        panel = history_panel(note)
        assert changes_of(panel, "Created")["Lines"] == f"#1 {laptop.sku} × 2"
        packed = changes_of(panel, "Packed")
        assert packed["Carrier"] == str(sf) and packed["Tracking numbers"] == "SF77"
        order_panel = history_panel(order)
        assert changes_of(order_panel, "Delivery note shipped") == {"Delivery note": note.number,
                                                                   "Lines": f"#1 {laptop.sku} × 2"}


def test_a_long_note_history_shows_the_first_lines_and_how_many_more(seller, keeper, customer, warehouse):
    from tests.catalog.factories import make_product
    from tests.inventory.factories import in_stock

    products = [in_stock(make_product(), warehouse, 5) for _ in range(23)]
    order = confirmed_order(seller, customer, [(product, 1) for product in products], warehouse_id=warehouse.pk)
    note = make_note(keeper, order)
    with translation.override("en"):
        text = changes_of(history_panel(note), "Created")["Lines"]
    assert text.count("×") == 20 and text.endswith("and 3 more")
