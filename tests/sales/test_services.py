"""Writing quotations and orders: defaults from the customer, prices from the engine, field errors that
change nothing, optimistic locking, one-line edits, and the frozen totals of a confirmed order."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.core.errors import Forbidden, InvalidTransition, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.pricing.models import PriceList, PriceListItem, Promotion
from kaidan.sales import selectors, services, transitions
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.validation import MAX_LINES
from tests.catalog.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def create(actor, customer, lines, **data):
    return services.create_document(actor=actor, data={"customer_id": customer.pk, **data}, lines=lines)


def fields_of(exc_info) -> dict:
    return exc_info.value.fields


class TestCreateDocument:
    def test_a_new_order_takes_its_defaults_from_the_customer_and_is_priced(self, seller, customer, laptop, mouse):
        # when
        order = create(seller, customer, [{"product_id": laptop.pk, "quantity": "2"},
                                          {"product_id": mouse.pk, "quantity": "3"}])
        # then
        assert order.number.startswith("SO") and order.status == "draft" and order.kind == "order"
        assert order.salesperson == seller and order.currency == "CNY" and order.prices_include_tax
        assert "张江路 88 号" in order.shipping_address_text
        lines = selectors.order_lines(order)
        assert [line.gross_amount for line in lines] == [D("11300.00"), D("297.00")]
        assert order.gross_amount == D("11597.00") == sum(line.gross_amount for line in lines)
        assert order.net_amount + order.tax_amount == order.gross_amount
        assert lines[0].breakdown[0] == {"code": "list_price", "amount": "5650.0000", "params": {"price": "5650.0000"}}
        assert AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk),
                                         action="created").exists()

    def test_a_quotation_is_numbered_from_its_own_series_and_valid_for_thirty_days(self, seller, customer, laptop):
        quotation = services.create_document(actor=seller, kind="quotation", data={
            "customer_id": customer.pk, "order_date": "2026-11-02"}, lines=[{"product_id": laptop.pk, "quantity": 1}])
        assert quotation.number.startswith("QT202611-")
        assert quotation.valid_until.isoformat() == "2026-12-02"

    def test_tax_exclusive_mode_adds_vat_on_top(self, seller, customer, laptop):
        order = create(seller, customer, [{"product_id": laptop.pk, "quantity": "1"}], prices_include_tax=False)
        line = selectors.order_lines(order)[0]
        assert (line.unit_price, line.net_amount, line.tax_amount, line.gross_amount) == (
            D("5000.0000"), D("5000.00"), D("650.00"), D("5650.00"))

    @pytest.mark.parametrize("line, field, words", [
        ({"product_id": 999999, "quantity": "1"}, "lines.0.product_id", "exists"),
        ({"quantity": "0"}, "lines.0.quantity", "greater than 0"),
        ({"quantity": "-3"}, "lines.0.quantity", "greater than 0"),
        ({"quantity": "1.5"}, "lines.0.quantity", "whole numbers"),
        ({"quantity": "abc"}, "lines.0.quantity", "number"),
        ({"quantity": "1", "unit_price": "12.34567"}, "lines.0.unit_price", "4 decimals"),
        ({"quantity": "1", "discount_percent": "101"}, "lines.0.discount_percent", "at most 100"),
        ({"quantity": "1", "discount_percent": "-1"}, "lines.0.discount_percent", "at least 0"),
        ({"quantity": "1", "discount_percent": "12"}, "lines.0.discount_percent", "above your limit of 10%"),
        ({"quantity": "1", "colour": "red"}, "lines.0.colour", "Unknown field"),
    ])
    def test_bad_lines_are_refused_by_field_and_nothing_is_saved(self, seller, customer, mouse, line, field, words):
        line = {"product_id": mouse.pk, **line}
        with pytest.raises(ValidationFailed) as info:
            create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}, line][1:])
        assert words in " ".join(fields_of(info)[field])
        assert not SalesOrder.objects.exists() and not SalesOrderLine.objects.exists()

    def test_every_bad_line_is_named_in_one_answer(self, seller, customer, mouse):
        with pytest.raises(ValidationFailed) as info:
            create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"},
                                      {"product_id": mouse.pk, "quantity": "0"},
                                      {"product_id": 0, "quantity": "1"}])
        assert set(fields_of(info)) == {"lines.1.quantity", "lines.2.product_id"}

    def test_a_manual_price_below_the_list_counts_against_the_discount_limit(self, seller, customer, mouse):
        with pytest.raises(ValidationFailed) as info:
            create(seller, customer, [{"product_id": mouse.pk, "quantity": "1", "unit_price": "80"}])
        assert "limit of 10%" in fields_of(info)["lines.0.unit_price"][0]
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1", "unit_price": "90"}])
        line = selectors.order_lines(order)[0]
        assert line.price_source == "manual" and line.gross_amount == D("90.00")

    def test_a_sales_manager_may_give_up_to_a_quarter_off(self, manager, customer, mouse):
        order = create(manager, customer, [{"product_id": mouse.pk, "quantity": "1", "discount_percent": "25"}])
        assert selectors.order_lines(order)[0].gross_amount == D("74.25")

    def test_an_order_has_at_most_the_documented_number_of_lines(self, seller, customer, mouse):
        with pytest.raises(ValidationFailed) as info:
            create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}] * (MAX_LINES + 1))
        assert "lines" in fields_of(info)

    def test_an_unknown_or_foreign_header_link_is_a_field_error(self, seller, customer, make_user, mouse):
        other = make_user(Role.SALES)
        from tests.parties.factories import add_shipping_address, make_customer

        foreign = make_customer(other, name="别人的客户")
        address = add_shipping_address(other, foreign)
        with pytest.raises(ValidationFailed) as info:
            create(seller, customer, [], shipping_address_id=address.pk, warehouse_id=424242,
                   requested_date="2020-01-01", order_date="2026-11-30")
        assert set(fields_of(info)) == {"shipping_address_id", "warehouse_id", "requested_date"}

    def test_someone_elses_customer_cannot_be_used(self, make_user, customer, mouse):
        stranger = make_user(Role.SALES)
        with pytest.raises(ValidationFailed) as info:
            create(stranger, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        assert "customer_id" in fields_of(info)

    def test_roles_that_do_not_sell_cannot_create(self, make_user, customer):
        with pytest.raises(Forbidden):
            create(make_user(Role.WAREHOUSE), customer, [])


class TestPriceRules:
    def test_a_group_price_list_and_quantity_breaks_price_the_line(self, seller, customer, mouse):
        # given a general list with a break at 10
        price_list = PriceList.objects.create(code="STD", name="标准价目表")
        PriceListItem.objects.create(price_list=price_list, product=mouse, min_quantity=0, price=D("95"))
        PriceListItem.objects.create(price_list=price_list, product=mouse, min_quantity=10, price=D("90"))
        # when
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "9"},
                                          {"product_id": mouse.pk, "quantity": "10"}])
        # then
        assert order.price_list == price_list
        assert [line.unit_price for line in selectors.order_lines(order)] == [D("95.0000"), D("90.0000")]

    def test_moving_the_order_date_prices_with_the_rules_of_that_date(self, seller, customer, mouse):
        # given a list that starts on 2026-12-10
        price_list = PriceList.objects.create(code="XMAS", name="双十二价目表", valid_from="2026-12-10")
        PriceListItem.objects.create(price_list=price_list, product=mouse, min_quantity=0, price=D("80"))
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}], order_date="2026-12-01")
        assert order.gross_amount == D("99.00")
        # when the draft is moved to the 12th
        order = services.update_document(actor=seller, order_id=order.pk, version=order.version,
                                         data={"order_date": "2026-12-12"})
        # then the list applies
        assert (order.price_date.isoformat(), order.gross_amount) == ("2026-12-12", D("80.00"))

    def test_buy_ten_get_one_free_adds_and_removes_a_free_line(self, seller, customer, mouse):
        promo = Promotion.objects.create(code="B10G1", name="买10送1", kind="buy_x_get_y", buy_quantity=10,
                                         free_quantity=1)
        promo.products.add(mouse)
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "20"}])
        lines = selectors.order_lines(order)
        assert [(line.is_free, line.quantity, line.gross_amount) for line in lines] == [
            (False, D("20"), D("1980.00")), (True, D("2"), D("0.00"))]
        # when the quantity drops below ten, the free line goes away
        services.save_line(actor=seller, order_id=order.pk, version=order.version, line_id=lines[0].pk,
                           data={"quantity": "9"})
        assert [line.is_free for line in selectors.order_lines(order)] == [False]

    def test_a_free_line_follows_its_line_to_another_product(self, seller, customer, mouse, laptop):
        # given buy 10 get 1 of the same product, for every product
        Promotion.objects.create(code="B10", name="买10送1", kind="buy_x_get_y", buy_quantity=10, free_quantity=1)
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "10"}])
        line = selectors.order_lines(order)[0]
        # when the line becomes a laptop line
        services.save_line(actor=seller, order_id=order.pk, version=order.version, line_id=line.pk,
                           data={"product_id": laptop.pk})
        # then the free item is a laptop too
        assert [(x.is_free, x.product_id) for x in selectors.order_lines(order)] == [(False, laptop.pk),
                                                                                     (True, laptop.pk)]

    def test_a_threshold_discount_is_shared_so_lines_add_up_to_the_order(self, seller, customer, laptop, mouse, cable):
        Promotion.objects.create(code="MJ", name="满1000减100", kind="order_threshold", threshold=D("1000"),
                                 amount=D("100"))
        order = create(seller, customer, [{"product_id": laptop.pk, "quantity": "1"},
                                          {"product_id": mouse.pk, "quantity": "3"},
                                          {"product_id": cable.pk, "quantity": "7"}])
        lines = selectors.order_lines(order)
        assert sum(line.allocated_discount for line in lines) == D("100.00")
        assert order.gross_amount == sum(line.gross_amount for line in lines) == D("5650") + D("297") + D("0.70") - 100
        assert all(line.net_amount + line.tax_amount == line.gross_amount for line in lines)
        assert any(step["code"] == "threshold" for step in lines[1].breakdown)


class TestEditing:
    def test_a_stale_edit_is_refused_and_says_what_changed(self, seller, customer, mouse):
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        line = selectors.order_lines(order)[0]
        services.save_line(actor=seller, order_id=order.pk, version=order.version, line_id=line.pk,
                           data={"quantity": "2"})
        with pytest.raises(StaleEdit) as info:
            services.save_line(actor=seller, order_id=order.pk, version=order.version, line_id=line.pk,
                               data={"quantity": "5"})
        assert info.value.status == 409
        changes = info.value.detail["changes"]
        assert changes[0]["action"] == "lines_changed" and changes[0]["after"]["quantity"] == "2"
        assert selectors.order_lines(order)[0].quantity == D("2")

    def test_update_replaces_the_lines_and_keeps_the_ones_sent_with_their_id(self, seller, customer, mouse, laptop):
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"},
                                          {"product_id": laptop.pk, "quantity": "1"}])
        first, second = selectors.order_lines(order)
        updated = services.update_document(actor=seller, order_id=order.pk, version=order.version,
                                           data={"customer_po": "PO-778"},
                                           lines=[{"id": second.pk, "product_id": laptop.pk, "quantity": "2"},
                                                  {"product_id": mouse.pk, "quantity": "4"}])
        lines = selectors.order_lines(updated)
        assert [(line.position, line.product_id, line.quantity) for line in lines] == [
            (1, laptop.pk, D("2")), (2, mouse.pk, D("4"))]
        assert lines[0].pk == second.pk and not SalesOrderLine.objects.filter(pk=first.pk).exists()
        assert updated.customer_po == "PO-778" and updated.gross_amount == D("11696.00")

    def test_one_line_edits_write_only_the_lines_whose_numbers_changed(self, seller, customer, mouse):
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": str(n)} for n in range(1, 6)])
        third = selectors.order_lines(order)[2]
        order, written = services.save_line(actor=seller, order_id=order.pk, version=order.version,
                                            line_id=third.pk, data={"discount_percent": "5"})
        assert [line.pk for line in written] == [third.pk]
        assert order.gross_amount == sum(line.gross_amount for line in selectors.order_lines(order))

    def test_removing_a_line_moves_the_later_ones_up(self, seller, customer, mouse, laptop, cable):
        order = create(seller, customer, [{"product_id": p.pk, "quantity": "1"} for p in (mouse, laptop, cable)])
        services.remove_line(actor=seller, order_id=order.pk, version=order.version,
                             line_id=selectors.order_lines(order)[0].pk)
        order.refresh_from_db()
        assert [(line.position, line.product_id) for line in selectors.order_lines(order)] == [
            (1, laptop.pk), (2, cable.pk)]
        assert order.line_count == 2 and order.gross_amount == D("5650.10")

    def test_a_line_of_another_order_is_not_found(self, seller, customer, mouse):
        a = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        b = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        with pytest.raises(NotFound):
            services.save_line(actor=seller, order_id=a.pk, version=a.version,
                               line_id=selectors.order_lines(b)[0].pk, data={"quantity": "3"})


class TestFrozenAfterConfirmation:
    def test_a_confirmed_order_keeps_its_numbers_when_prices_change_later(self, seller, customer, mouse):
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "2"}])
        order = transitions.submit_order(actor=seller, order_id=order.pk)
        assert order.status == "confirmed" and order.confirmed_at is not None
        # when the product's list price changes
        mouse.list_price = D("120")
        mouse.save()
        # then nothing can be edited and the totals stay
        with pytest.raises(InvalidTransition):
            services.save_line(actor=seller, order_id=order.pk, version=order.version,
                               line_id=selectors.order_lines(order)[0].pk, data={"quantity": "3"})
        order.refresh_from_db()
        assert order.gross_amount == D("198.00")

    def test_revising_returns_to_draft_with_an_audit_record_and_reprices_on_the_next_edit(self, seller, customer,
                                                                                          mouse):
        order = transitions.submit_order(actor=seller, order_id=create(
            seller, customer, [{"product_id": mouse.pk, "quantity": "2"}]).pk)
        order = transitions.revise_document(actor=seller, order_id=order.pk, reason="客户加量")
        assert (order.status, order.revision, order.confirmed_at) == ("draft", 1, None)
        actions = list(AuditEvent.objects.filter(object_id=str(order.pk), object_type="sales.salesorder")
                       .values_list("action", flat=True))
        assert {"revised", "revise_reason", "confirmed", "submitted"} <= set(actions)

    def test_a_blocked_customer_cannot_submit(self, seller, manager, customer, mouse):
        from kaidan.parties.services import set_customer_status

        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        set_customer_status(actor=manager, customer_id=customer.pk, status="blocked", reason="逾期未付")
        with pytest.raises(Exception) as info:
            transitions.submit_order(actor=seller, order_id=order.pk)
        assert info.value.status == 409 and "逾期未付" in str(info.value.message)

    def test_an_empty_order_cannot_be_submitted(self, seller, customer):
        order = create(seller, customer, [])
        with pytest.raises(ValidationFailed):
            transitions.submit_order(actor=seller, order_id=order.pk)


class TestQuotationsAndCopies:
    def test_a_quotation_converts_into_an_order_that_keeps_the_link_and_the_quoted_prices(self, seller, customer,
                                                                                         mouse):
        quotation = services.create_document(actor=seller, kind="quotation", data={"customer_id": customer.pk},
                                             lines=[{"product_id": mouse.pk, "quantity": "3", "discount_percent": "5"}])
        order = transitions.convert_quotation(actor=seller, quotation_id=quotation.pk)
        quotation.refresh_from_db()
        assert quotation.status == "converted" and order.quotation == quotation and order.kind == "order"
        assert order.gross_amount == quotation.gross_amount
        with pytest.raises(InvalidTransition):
            transitions.convert_quotation(actor=seller, quotation_id=quotation.pk)

    def test_an_expired_quotation_cannot_be_converted(self, seller, customer, mouse):
        quotation = services.create_document(actor=seller, kind="quotation", data={
            "customer_id": customer.pk, "order_date": "2026-01-01", "valid_until": "2026-01-31"},
            lines=[{"product_id": mouse.pk, "quantity": "1"}])
        with pytest.raises(Exception) as info:
            transitions.convert_quotation(actor=seller, quotation_id=quotation.pk)
        assert info.value.status == 409

    def test_a_copy_is_a_new_draft_priced_today_with_nothing_else_copied(self, seller, customer, mouse):
        order = transitions.submit_order(actor=seller, order_id=create(
            seller, customer, [{"product_id": mouse.pk, "quantity": "2"}], customer_po="PO-1").pk)
        copy = transitions.copy_document(actor=seller, order_id=order.pk)
        assert (copy.status, copy.copied_from, copy.revision) == ("draft", order, 0)
        assert copy.number != order.number and copy.gross_amount == order.gross_amount

    def test_cancelling_is_allowed_before_shipping_only(self, seller, customer, mouse):
        order = transitions.submit_order(actor=seller, order_id=create(
            seller, customer, [{"product_id": mouse.pk, "quantity": "2"}]).pk)
        SalesOrder.objects.filter(pk=order.pk).update(fulfilment_status="partly_shipped")
        with pytest.raises(Exception) as info:
            transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")
        assert info.value.status == 409
        SalesOrder.objects.filter(pk=order.pk).update(fulfilment_status="not_shipped")
        order = transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")
        assert order.status == "cancelled" and order.cancel_reason == "客户取消"


class TestRecordRule:
    def test_a_salesperson_does_not_see_another_salespersons_orders(self, seller, make_user, customer, mouse):
        order = create(seller, customer, [{"product_id": mouse.pk, "quantity": "1"}])
        stranger = make_user(Role.SALES)
        assert not selectors.orders_visible_to(stranger).exists()
        with pytest.raises(NotFound):
            transitions.submit_order(actor=stranger, order_id=order.pk)
        assert selectors.orders_visible_to(make_user(Role.FINANCE)).count() == 1


def test_a_product_that_is_no_longer_sold_cannot_be_ordered(seller, customer):
    product = make_product(active=False)
    with pytest.raises(ValidationFailed) as info:
        create(seller, customer, [{"product_id": product.pk, "quantity": "1"}])
    assert "no longer sold" in fields_of(info)["lines.0.product_id"][0]
