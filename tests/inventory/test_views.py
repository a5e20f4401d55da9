"""The stock pages: every role looks; the warehouse posts receipts, adjustments and transfers from
forms whose rows are typed by SKU; the services' errors land beside the field or the row they
concern and nothing is written; the replenishment board's actions carry the request's version."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kaidan.core.roles import Role
from kaidan.inventory import replenishment_services
from kaidan.inventory.models import ReorderRule, ReplenishmentRequest, StockMove, StockOperation
from tests.inventory.factories import receive_stock, stock_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
Status = ReplenishmentRequest.Status


@pytest.fixture
def warehouse_client(client_for):
    return client_for(Role.WAREHOUSE)


@pytest.fixture
def sales_client(client_for):
    return client_for(Role.SALES)


def lines(*rows, kind="receipt", total=None) -> dict:
    """The line formset's POST data: rows of (sku, quantity) or, for adjustments, (sku, change, counted)."""
    names = ("sku", "quantity", "counted") if kind == "adjustment" else ("sku", "quantity")
    data = {"lines-TOTAL_FORMS": str(total or max(len(rows), 1)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "500"}
    for index, row in enumerate(rows):
        for name, value in zip(names, row, strict=False):
            data[f"lines-{index}-{name}"] = value
    return data


def row_errors(response, index, name):
    return [str(e) for e in response.context["lines"].forms[index].errors.get(name, [])]


def field_errors(response, name, form="form"):
    return [str(e) for e in response.context[form].errors.get(name, [])]


def request_for(product, warehouse, quantity="5", actor=None):
    from tests.inventory.factories import stock_keeper

    return replenishment_services.create_request(actor=actor or stock_keeper(), data={
        "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": quantity})


class TestPagesRender:
    @pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.SALES])
    def test_every_page_renders(self, client_for, role, printer, shenzhen, keeper):
        client = client_for(role)
        receipt = receive_stock(printer, 10, shenzhen)
        request_for(printer, shenzhen)
        rule = replenishment_services.save_rule(actor=keeper, data={
            "product_id": printer.pk, "warehouse_id": shenzhen.pk, "min_level": "2", "max_level": "20"})
        pages = {reverse("stock_overview"): printer.sku, reverse("stock_card", args=[printer.pk]): printer.sku,
                 reverse("stock_receipt_list"): receipt.number, reverse("stock_adjustment_list"): "",
                 reverse("stock_transfer_list"): "", reverse("stock_operation_list"): receipt.number,
                 reverse("stock_operation_detail", args=[receipt.pk]): printer.sku,
                 reverse("replenishment_board"): printer.sku, reverse("reorder_rule_list"): printer.sku}
        for url, expected in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert expected in response.content.decode(), (role, url)
            assert reverse("stock_overview") in response.content.decode()  # the Stock entry of the menu
        options = client.get(reverse("stock_sku_options"), {"lines-0-sku": printer.sku}).content.decode()
        assert f'<option value="{printer.sku}">' in options
        forms = [reverse("stock_receipt_create"), reverse("stock_adjustment_create"),
                 reverse("stock_transfer_create"), reverse("reorder_rule_create"),
                 reverse("reorder_rule_edit", args=[rule.pk])]
        for url in forms:
            assert client.get(url).status_code == (200 if role == Role.WAREHOUSE else 403), (role, url)

    def test_the_overview_filters_and_shows_the_figures(self, warehouse_client, printer, toner, shenzhen, shanghai):
        receive_stock(printer, 12, shenzhen)
        receive_stock(toner, 3, shanghai)
        response = warehouse_client.get(reverse("stock_overview"), {"warehouse": shenzhen.pk})
        rows = list(response.context["page"])
        assert [(r.product_id, r.on_hand, r.available) for r in rows] == [(printer.pk, 12, 12)]
        assert reverse("stock_card", args=[printer.pk]) in response.content.decode()
        response = warehouse_client.get(reverse("stock_overview"), {"q": toner.sku, "status": "available"}, **HTMX)
        assert [r.product_id for r in response.context["page"]] == [toner.pk]
        assert "<html" not in response.content.decode()  # the rows only, for htmx
        response = warehouse_client.get(reverse("stock_overview"), {"status": "short"})
        assert list(response.context["page"]) == []
        response = warehouse_client.get(reverse("stock_overview"), {"warehouse": "x", "status": "nonsense"})
        assert response.status_code == 200 and len(response.context["page"]) == 2  # bad filters are ignored

    def test_the_stock_card_shows_reservations_incoming_and_moves(self, sales_client, printer, shenzhen, customer,
                                                                  seller, keeper):
        from tests.sales.factories import make_order, submit

        receive_stock(printer, 4, shenzhen)
        order = make_order(seller, customer, lines=[(printer, 6)], warehouse_id=shenzhen.pk,
                           allow_partial_shipment=True)
        submit(seller, order, stocked=False)
        request = ReplenishmentRequest.objects.get(product=printer, status=Status.OPEN)
        replenishment_services.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                            data={"expected_date": "2099-01-31", "supplier": "惠普"})
        response = sales_client.get(reverse("stock_card", args=[printer.pk]))
        page = response.content.decode()
        assert reverse("order_detail", args=[order.pk]) in page and order.number in page
        assert "2099-01-31" in page and "惠普" in page
        [reservation] = response.context["reservations"]
        assert (reservation.reserved, reservation.backordered) == (4, 2)
        [move] = response.context["moves"]
        assert move.on_hand_after == 4 and move.operation.number in page

    def test_an_unknown_product_or_operation_is_404(self, warehouse_client):
        assert warehouse_client.get(reverse("stock_card", args=[999999])).status_code == 404
        assert warehouse_client.get(reverse("stock_operation_detail", args=[999999])).status_code == 404


class TestDocuments:
    def test_posting_a_receipt_from_the_form_changes_stock(self, warehouse_client, printer, toner, shenzhen):
        response = warehouse_client.post(reverse("stock_receipt_create"), {
            "warehouse": shenzhen.pk, "supplier": "联想", "reference": "DN-1", "notes": "",
            **lines((printer.sku, "10"), ("", ""), (toner.sku.lower(), "2.0"), total=3)})
        operation = StockOperation.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("stock_operation_detail",
                                                                                args=[operation.pk])
        assert stock_of(printer, shenzhen) == (10, 0) and stock_of(toner, shenzhen) == (2, 0)
        assert (operation.kind, operation.supplier, operation.reference) == ("receipt", "联想", "DN-1")
        page = warehouse_client.get(response["Location"]).content.decode()
        assert operation.number in page and printer.sku in page and "+10" in page

    def test_a_receipt_with_a_bad_row_shows_the_error_on_that_row_and_writes_nothing(self, warehouse_client,
                                                                                     printer, shenzhen):
        response = warehouse_client.post(reverse("stock_receipt_create"), {
            "warehouse": shenzhen.pk, **lines(("", ""), (printer.sku, "-3"), ("NOPE-404", "1"), total=3)})
        assert response.status_code == 422
        assert row_errors(response, 2, "sku") and not row_errors(response, 1, "quantity")  # SKUs first
        response = warehouse_client.post(reverse("stock_receipt_create"), {
            "warehouse": shenzhen.pk, **lines(("", ""), (printer.sku, "-3"), total=2)})
        assert response.status_code == 422 and row_errors(response, 1, "quantity")
        assert not StockOperation.objects.exists() and stock_of(printer, shenzhen) == (0, 0)

    def test_a_receipt_without_lines_or_warehouse_names_both(self, warehouse_client):
        response = warehouse_client.post(reverse("stock_receipt_create"), {"warehouse": "", **lines()})
        assert response.status_code == 422
        assert field_errors(response, "warehouse") and response.context["form"].non_field_errors()

    def test_more_rows_keeps_what_was_typed_and_posts_nothing(self, warehouse_client, printer, shenzhen):
        response = warehouse_client.post(reverse("stock_receipt_create"), {
            "warehouse": shenzhen.pk, "more": "1", **lines((printer.sku, "3"))})
        assert response.status_code == 200 and len(response.context["lines"].forms) == 6
        assert printer.sku in response.content.decode() and not StockOperation.objects.exists()

    def test_an_adjustment_without_a_reason_shows_the_field_error_and_writes_nothing(self, warehouse_client,
                                                                                    printer, shenzhen):
        receive_stock(printer, 5, shenzhen)
        moves = StockMove.objects.count()
        response = warehouse_client.post(reverse("stock_adjustment_create"), {
            "warehouse": shenzhen.pk, "reason": " ", **lines((printer.sku, "-1"), kind="adjustment")})
        assert response.status_code == 422 and field_errors(response, "reason")
        assert StockMove.objects.count() == moves and stock_of(printer, shenzhen) == (5, 0)
        assert not StockOperation.objects.filter(kind="adjustment").exists()

    def test_an_adjustment_posts_a_change_and_a_count(self, warehouse_client, printer, toner, shenzhen):
        receive_stock(printer, 5, shenzhen)
        receive_stock(toner, 8, shenzhen)
        response = warehouse_client.post(reverse("stock_adjustment_create"), {
            "warehouse": shenzhen.pk, "reason": "盘点",
            **lines((printer.sku, "−2", ""), (toner.sku, "", "6"), kind="adjustment")})
        assert response.status_code == 302
        assert stock_of(printer, shenzhen) == (3, 0) and stock_of(toner, shenzhen) == (6, 0)
        assert StockOperation.objects.get(kind="adjustment").reason == "盘点"

    def test_an_adjustment_row_with_both_change_and_count_is_refused_on_that_row(self, warehouse_client, printer,
                                                                              shenzhen):
        response = warehouse_client.post(reverse("stock_adjustment_create"), {
            "warehouse": shenzhen.pk, "reason": "盘点", **lines((printer.sku, "1", "4"), kind="adjustment")})
        assert response.status_code == 422 and row_errors(response, 0, "quantity")

    def test_a_transfer_moves_stock_between_warehouses(self, warehouse_client, printer, shenzhen, shanghai):
        receive_stock(printer, 10, shenzhen)
        response = warehouse_client.post(reverse("stock_transfer_create"), {
            "warehouse": shenzhen.pk, "to_warehouse": shanghai.pk, "reference": "T-1", **lines((printer.sku, "4"))})
        assert response.status_code == 302
        assert stock_of(printer, shenzhen) == (6, 0) and stock_of(printer, shanghai) == (4, 0)

    def test_a_transfer_of_more_than_is_there_names_the_row(self, warehouse_client, printer, shenzhen, shanghai):
        receive_stock(printer, 2, shenzhen)
        response = warehouse_client.post(reverse("stock_transfer_create"), {
            "warehouse": shenzhen.pk, "to_warehouse": shenzhen.pk, **lines((printer.sku, "4"))})
        assert response.status_code == 422 and field_errors(response, "to_warehouse")
        response = warehouse_client.post(reverse("stock_transfer_create"), {
            "warehouse": shenzhen.pk, "to_warehouse": shanghai.pk, **lines((printer.sku, "4"))})
        assert response.status_code == 422 and row_errors(response, 0, "quantity")
        assert stock_of(printer, shenzhen) == (2, 0) and stock_of(printer, shanghai) == (0, 0)

    def test_a_broken_formset_is_an_error_not_a_crash(self, warehouse_client, shenzhen):
        response = warehouse_client.post(reverse("stock_receipt_create"), {"warehouse": shenzhen.pk})
        assert response.status_code == 422 and response.context["lines"].non_form_errors()

    def test_a_sales_user_cannot_post_receipts(self, sales_client, printer, shenzhen):
        for url in [reverse("stock_receipt_create"), reverse("stock_adjustment_create"),
                    reverse("stock_transfer_create")]:
            response = sales_client.post(url, {"warehouse": shenzhen.pk, "to_warehouse": shenzhen.pk,
                                               "reason": "x", **lines((printer.sku, "5"))})
            assert response.status_code == 403, url
        assert not StockOperation.objects.exists()
        assert reverse("stock_receipt_create") not in sales_client.get(reverse("stock_overview")).content.decode()


class TestBoard:
    def test_order_then_receive_updates_stock(self, warehouse_client, printer, shenzhen):
        request = request_for(printer, shenzhen, "8")
        response = warehouse_client.post(reverse("replenishment_order", args=[request.pk]), {
            "version": request.version, "expected_date": "2099-03-01", "supplier": "惠普", "purchase_reference": "PO-7",
            "quantity": "10"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert (request.status, request.quantity, request.purchase_reference) == (Status.ORDERED, 10, "PO-7")
        board = warehouse_client.get(reverse("replenishment_board"))
        [ordered] = board.context["columns"][1]["cards"]
        assert ordered["r"].pk == request.pk and "2099-03-01" in board.content.decode()
        response = warehouse_client.post(reverse("replenishment_receive", args=[request.pk]),
                                         {"version": request.version, "quantity": "9"}, **HTMX)
        assert response.status_code == 200 and 'id="board"' in response.content.decode()
        request.refresh_from_db()
        assert request.status == Status.RECEIVED and request.received_quantity == 9
        assert stock_of(printer, shenzhen) == (9, 0)
        assert [c["r"].pk for c in response.context["columns"][2]["cards"]] == [request.pk]

    def test_a_stale_card_gives_a_message_and_changes_nothing(self, warehouse_client, printer, shenzhen):
        request = request_for(printer, shenzhen)
        response = warehouse_client.post(reverse("replenishment_cancel", args=[request.pk]),
                                         {"version": request.version + 1})
        assert response.status_code == 409
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        response = warehouse_client.post(reverse("replenishment_cancel", args=[request.pk]), {})
        assert response.status_code == 409  # no version: never a blind overwrite
        request.refresh_from_db()
        assert request.status == Status.OPEN

    def test_marking_ordered_without_a_date_shows_the_error_on_the_card(self, warehouse_client, printer, shenzhen):
        request = request_for(printer, shenzhen)
        response = warehouse_client.post(reverse("replenishment_order", args=[request.pk]),
                                         {"version": request.version, "expected_date": ""}, **HTMX)
        assert response.status_code == 422
        [card] = response.context["columns"][0]["cards"]
        assert card["open"] == "order" and card["order_form"].errors["expected_date"]
        request.refresh_from_db()
        assert request.status == Status.OPEN

    def test_cancel_and_an_illegal_move_after_it(self, warehouse_client, printer, shenzhen):
        request = request_for(printer, shenzhen)
        assert warehouse_client.post(reverse("replenishment_cancel", args=[request.pk]),
                                     {"version": request.version}).status_code == 302
        request.refresh_from_db()
        assert request.status == Status.CANCELLED
        response = warehouse_client.post(reverse("replenishment_receive", args=[request.pk]),
                                         {"version": request.version})
        assert response.status_code == 409 and stock_of(printer, shenzhen) == (0, 0)

    def test_sales_may_ask_by_hand_but_not_order_receive_or_cancel(self, sales_client, printer, shenzhen):
        request = request_for(printer, shenzhen)
        page = sales_client.get(reverse("replenishment_board")).content.decode()
        assert reverse("replenishment_request_create") in page
        assert reverse("replenishment_order", args=[request.pk]) not in page
        assert reverse("replenishment_receive", args=[request.pk]) not in page
        assert reverse("replenishment_cancel", args=[request.pk]) not in page
        for name in ("replenishment_order", "replenishment_receive", "replenishment_cancel"):
            assert sales_client.post(reverse(name, args=[request.pk]),
                                     {"version": request.version}).status_code == 403, name
        response = sales_client.post(reverse("replenishment_request_create"), {
            "sku": printer.sku, "warehouse": shenzhen.pk, "quantity": "3", "notes": "客户急需"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.quantity == 8 and request.status == Status.OPEN  # added to the open request

    def test_a_bad_manual_request_shows_the_field_errors(self, sales_client, printer, shenzhen):
        response = sales_client.post(reverse("replenishment_request_create"),
                                     {"sku": printer.sku, "warehouse": shenzhen.pk, "quantity": "0"}, **HTMX)
        assert response.status_code == 422 and response.context["request_form"].errors["quantity"]
        response = sales_client.post(reverse("replenishment_request_create"),
                                     {"sku": "NOPE-1", "warehouse": shenzhen.pk, "quantity": "1"})
        assert response.status_code == 422 and field_errors(response, "sku", "request_form")
        assert not ReplenishmentRequest.objects.exists()


class TestReorderRules:
    def test_add_edit_delete(self, warehouse_client, printer, shenzhen):
        response = warehouse_client.post(reverse("reorder_rule_create"), {
            "sku": printer.sku, "warehouse": shenzhen.pk, "min_level": "5", "max_level": "20", "active": "on"})
        assert response.status_code == 302
        rule = ReorderRule.objects.get()
        assert (rule.min_level, rule.max_level, rule.active) == (5, 20, True)
        assert ReplenishmentRequest.objects.get().quantity == 20  # nothing in stock: asked for at once
        response = warehouse_client.post(reverse("reorder_rule_edit", args=[rule.pk]), {
            "version": rule.version, "sku": "IGNORED", "min_level": "2", "max_level": "1"})
        assert response.status_code == 422 and field_errors(response, "max_level")
        response = warehouse_client.post(reverse("reorder_rule_edit", args=[rule.pk]), {
            "version": rule.version, "min_level": "2", "max_level": "10"})
        assert response.status_code == 302
        rule.refresh_from_db()
        assert (rule.min_level, rule.max_level, rule.active, rule.product_id) == (2, 10, False, printer.pk)
        response = warehouse_client.post(reverse("reorder_rule_edit", args=[rule.pk]), {
            "version": rule.version - 1, "min_level": "3", "max_level": "10"})
        assert response.status_code == 422 and response.context["form"].non_field_errors()
        assert warehouse_client.post(reverse("reorder_rule_delete", args=[rule.pk])).status_code == 302
        assert not ReorderRule.objects.exists()

    def test_a_second_rule_for_the_pair_is_refused_beside_the_sku(self, warehouse_client, printer, shenzhen):
        data = {"sku": printer.sku, "warehouse": shenzhen.pk, "min_level": "0", "max_level": "5"}
        assert warehouse_client.post(reverse("reorder_rule_create"), data).status_code == 302
        response = warehouse_client.post(reverse("reorder_rule_create"), data)
        assert response.status_code == 422 and field_errors(response, "sku")

    def test_sales_sees_the_rules_but_cannot_change_them(self, sales_client, printer, shenzhen, keeper):
        rule = replenishment_services.save_rule(actor=keeper, data={
            "product_id": printer.pk, "warehouse_id": shenzhen.pk, "min_level": "0", "max_level": "5"})
        page = sales_client.get(reverse("reorder_rule_list")).content.decode()
        assert printer.sku in page and reverse("reorder_rule_edit", args=[rule.pk]) not in page
        assert sales_client.post(reverse("reorder_rule_delete", args=[rule.pk])).status_code == 403
        assert sales_client.post(reverse("reorder_rule_create"), {"sku": printer.sku}).status_code == 403
        assert ReorderRule.objects.filter(max_level=Decimal(5)).exists()
