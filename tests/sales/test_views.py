"""Quotation and order pages: who sees what, the record rule, line entry in htmx fragments (only the
written lines come back), stale edits, field errors, state changes and the order list."""

import re
from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from kaidan.pricing.models import Promotion
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Kind, Status
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock
from tests.parties.factories import make_customer
from tests.sales.factories import add_line, make_order, submit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHANGERS = [Role.SALES, Role.SALES_MANAGER, Role.ADMIN]
VIEWERS_ONLY = [Role.WAREHOUSE, Role.FINANCE, Role.AFTERSALES]


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def notebook(admin, warehouse):
    return in_stock(make_product(admin, sku="NB-001", name="联想笔记本电脑", list_price=Decimal("100.00")), warehouse)


@pytest.fixture
def wireless(admin, warehouse):
    return in_stock(make_product(admin, sku="MS-001", name="无线鼠标", list_price=Decimal("50.00")), warehouse)


def edit(client, order, line, version, **values):
    data = {"quantity": str(line.quantity.normalize()), "discount_percent": "", "unit_price": "", **values,
            "version": version}
    return client.post(f"/orders/{order.pk}/lines/{line.pk}/", data, **HTMX)


def current_version(order):
    return SalesOrder.objects.get(pk=order.pk).version


class TestAccess:
    @pytest.mark.parametrize("role", CHANGERS + VIEWERS_ONLY)
    def test_every_role_sees_the_list_and_a_document(self, role, client_for, make_user, notebook):
        client = client_for(role)
        owner = client.user if role == Role.SALES else make_user(Role.SALES)
        order = make_order(owner, make_customer(owner, name="深圳恒达电子有限公司"), lines=[(notebook, 2)])
        assert order.number in client.get("/orders/", **EN).content.decode()
        page = client.get(f"/orders/{order.pk}/", **EN)
        assert page.status_code == 200 and "深圳恒达电子有限公司" in page.content.decode()

    @pytest.mark.parametrize("role", CHANGERS)
    def test_writers_get_the_new_page_and_the_buttons(self, role, client_for):
        client = client_for(role)
        assert client.get("/orders/new/").status_code == 200
        assert "New quotation" in client.get("/orders/", **EN).content.decode()

    @pytest.mark.parametrize("role", VIEWERS_ONLY)
    def test_readers_cannot_create_or_edit(self, role, client_for, make_user, notebook):
        client = client_for(role)
        sales = make_user(Role.SALES)
        order = make_order(sales, lines=[(notebook, 1)])
        line = order.lines.get()
        assert client.get("/orders/new/").status_code == 403
        assert edit(client, order, line, order.version, quantity="5").status_code == 403
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        assert 'name="quantity"' not in page and "New order" not in client.get("/orders/", **EN).content.decode()

    def test_a_salesperson_cannot_open_another_salespersons_order(self, client_for, make_user, notebook):
        # given
        client, other = client_for(Role.SALES), make_user(Role.SALES)
        order = make_order(other, lines=[(notebook, 1)])
        line = order.lines.get()
        # when / then
        assert client.get(f"/orders/{order.pk}/").status_code == 404
        assert client.get(f"/orders/{order.pk}/pdf/").status_code == 404
        assert edit(client, order, line, order.version, quantity="9").status_code == 404
        assert client.post(f"/orders/{order.pk}/submit/", {"version": order.version}).status_code == 404
        assert order.number not in client.get("/orders/").content.decode()
        assert SalesOrder.objects.get(pk=order.pk).status == Status.DRAFT


    def test_unknown_and_huge_ids_are_404(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1)])
        huge = "9" * 25
        assert client.get(f"/orders/{huge}/").status_code == 404
        edited = client.post(f"/orders/{order.pk}/lines/{huge}/", {"quantity": "2", "version": order.version}, **HTMX)
        assert edited.status_code == 404
        free_or_missing = client.post(f"/orders/{order.pk}/lines/{huge}/delete/", {"version": order.version}, **HTMX)
        assert free_or_missing.status_code == 404


class TestOrderEntry:
    def test_create_add_lines_edit_one_submit(self, client_for, notebook, wireless):
        client = client_for(Role.SALES)
        customer = make_customer(client.user, name="深圳恒达电子有限公司")
        # create the draft
        response = client.post("/orders/new/", {"kind": "order", "customer_id": customer.pk,
                                                "order_date": "2026-03-02", "prices_include_tax": "1"})
        order = SalesOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
        assert order.customer == customer and order.line_count == 0
        # add two lines through the add-line form
        for product, quantity in ((notebook, "2"), (wireless, "3")):
            added = client.post(f"/orders/{order.pk}/lines/", {"product_id": product.pk, "quantity": quantity,
                                                               "version": current_version(order)}, **HTMX)
            assert added.status_code == 200 and "beforeend:#order-lines" in added.content.decode()
        first, second = order.lines.order_by("position")
        # edit the quantity of the first: only its cells and the totals come back
        response = edit(client, order, first, current_version(order), quantity="5")
        body = response.content.decode()
        assert response.status_code == 200
        assert f'id="c-{first.pk}-amount"' in body and "¥500.00" in body
        assert f"row-{second.pk}" not in body and f"c-{second.pk}-" not in body and f"line-{second.pk}" not in body
        assert 'id="order-totals"' in body and "¥650.00" in body and "陆佰伍拾元整" in body
        assert f'id="order-version" name="version" value="{current_version(order)}"' in body
        # submit: confirmed at once, then read-only
        response = client.post(f"/orders/{order.pk}/submit/", {"version": current_version(order)})
        assert response.status_code == 302
        page = client.get(f"/orders/{order.pk}/", **EN).content.decode()
        assert "Confirmed" in page and 'name="quantity"' not in page and 'id="add-line"' not in page
        assert edit(client, order, first, current_version(order), quantity="1").status_code == 409

    def test_a_stale_version_is_refused_with_what_changed(self, client_for, make_user, notebook):
        # given: the page was opened at version v, then a colleague changed the order
        client = client_for(Role.SALES_MANAGER)
        order = make_order(client.user, lines=[(notebook, 1)])
        line, version = order.lines.get(), order.version
        colleague = make_user(Role.ADMIN, username="zhao")
        add_line(colleague, order, notebook, 2)
        # when
        response = edit(client, order, line, version, quantity="4")
        # then
        body = response.content.decode()
        assert response.status_code == 409
        assert "Someone else changed" in body and "Lines changed by zhao" in body and "Reload the page" in body
        assert order.lines.get(pk=line.pk).quantity == 1

    @pytest.mark.parametrize("field, value, message", [
        ("quantity", "abc", "Enter a number"),
        ("quantity", "0", "greater than 0"),
        ("unit_price", "12.34567", "at most 4 decimals"),
        ("discount_percent", "15", "above your limit of 10%"),
        ("discount_percent", "-1", "at least 0"),
    ])
    def test_field_errors_are_shown_beside_the_field(self, field, value, message, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1)])
        line = order.lines.get()
        response = edit(client, order, line, order.version, **{field: value})
        assert response.status_code == 422
        error = re.search(rf'<small class="error" id="err-{line.pk}-{field}" hx-swap-oob="true">([^<]*)</small>',
                          response.content.decode())
        assert error and message in error.group(1)
        assert current_version(order) == order.version

    def test_a_price_too_far_below_the_list_is_refused_for_sales(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1)])
        response = edit(client, order, order.lines.get(), order.version, unit_price="50")
        assert response.status_code == 422 and "below the price list" in response.content.decode()

    def test_add_line_errors_stay_in_the_add_row(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user)
        for data in ({"product_id": notebook.pk, "quantity": "x"}, {"product_id": "99999999999999999999999"},
                     {"product_id": str(notebook.pk), "quantity": "1", "discount_percent": "abc"}):
            response = client.post(f"/orders/{order.pk}/lines/", {**data, "version": order.version}, **HTMX)
            assert response.status_code == 422, data
            assert 'id="add-line"' in response.content.decode() and 'class="error"' in response.content.decode()
        assert not order.lines.exists()

    def test_a_missing_version_asks_for_a_reload(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1)])
        response = client.post(f"/orders/{order.pk}/lines/{order.lines.get().pk}/", {"quantity": "2"}, **HTMX)
        assert response.status_code == 409 and "Reload the page" in response.content.decode()

    def test_free_lines_come_and_go_with_their_line(self, client_for, notebook, wireless):
        # given: buy 2 laptops, get a wireless free
        promotion = Promotion.objects.create(code="B2G1", name="买二送鼠标", kind="buy_x_get_y", buy_quantity=2,
                                             free_quantity=1, free_product=wireless)
        promotion.products.add(notebook)
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1), (wireless, 1)])
        line, other = order.lines.order_by("position")
        # when: 4 laptops
        body = edit(client, order, line, order.version, quantity="4").content.decode()
        # then: the free tbody of that line comes back with 2 free mice, nothing of the other line
        assert f'<tbody id="free-{line.pk}" class="free-group" hx-swap-oob="true">' in body and "Free" in body
        assert "买二送鼠标" in body and f"c-{other.pk}-" not in body
        assert order.lines.get(is_free=True).quantity == 2
        # and back to 1: the free line disappears
        body = edit(client, order, line, current_version(order), quantity="1").content.decode()
        free_group = body.split(f'<tbody id="free-{line.pk}"')[1].split("</tbody>")[0]
        assert "<tr" not in free_group and not order.lines.filter(is_free=True).exists()

    def test_removing_a_line_returns_the_renumbered_table(self, client_for, notebook, wireless):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 1), (wireless, 2)])
        first, second = order.lines.order_by("position")
        response = client.post(f"/orders/{order.pk}/lines/{first.pk}/delete/", {"version": order.version}, **HTMX)
        body = response.content.decode()
        assert response.status_code == 200 and '<table id="order-lines"' in body
        assert f"row-{first.pk}" not in body and f"row-{second.pk}" in body
        assert order.lines.get().position == 1

    def test_the_breakdown_and_margin(self, client_for, make_user, notebook):
        sales = client_for(Role.SALES)
        order = make_order(sales.user, lines=[(notebook, 2, "5")])
        page = sales.get(f"/orders/{order.pk}/", **EN).content.decode()
        assert "List price: ¥100.00" in page and "Discount 5%: -¥10.00" in page and "VAT 13% included" in page
        assert "Margin" not in page
        manager_page = client_for(Role.SALES_MANAGER).get(f"/orders/{order.pk}/", **EN).content.decode()
        assert "Margin" in manager_page and f'id="c-{order.lines.get().pk}-margin"' in manager_page


class TestNewDocument:
    def test_the_customer_picker_finds_by_pinyin_initials_only_my_customers(self, client_for, make_user):
        client = client_for(Role.SALES)
        make_customer(client.user, name="深圳恒达电子有限公司")
        make_customer(make_user(Role.SALES), name="深圳恒通电子有限公司")
        found = client.get("/orders/new/customers/", {"customer_q": "szh"}).content.decode()
        assert "深圳恒达电子有限公司" in found and "深圳恒通" not in found and "checked" in found

    def test_a_quotation_without_a_customer_shows_the_error(self, client_for):
        client = client_for(Role.SALES)
        response = client.post("/orders/new/", {"kind": "quotation", "order_date": "2026-03-02",
                                                "prices_include_tax": "0"}, **EN)
        assert response.status_code == 422 and "Pick a customer" in response.content.decode()
        assert not SalesOrder.objects.exists()

    def test_someone_elses_customer_is_refused(self, client_for, make_user):
        client = client_for(Role.SALES)
        other = make_customer(make_user(Role.SALES))
        response = client.post("/orders/new/", {"kind": "order", "customer_id": other.pk, "order_date": "2026-03-02",
                                                "prices_include_tax": "1"}, **EN)
        assert response.status_code == 422 and "Choose a customer you can see" in response.content.decode()

    def test_the_product_picker_and_pick(self, client_for, notebook, wireless):
        client = client_for(Role.SALES)
        order = make_order(client.user)
        options = client.get(f"/orders/{order.pk}/products/", {"q": "lxbjb"}, **HTMX).content.decode()
        assert "NB-001" in options and "MS-001" not in options
        picked = client.get(f"/orders/{order.pk}/products/pick/", {"q": "wxsb"}, **HTMX).content.decode()
        assert f'name="product_id" value="{wireless.pk}"' in picked
        missing = client.get(f"/orders/{order.pk}/products/pick/", {"q": "zzzz"}, **HTMX).content.decode()
        assert "No active product matches" in missing


class TestStateChanges:
    def test_quotation_sent_converted_and_linked(self, client_for, notebook):
        client = client_for(Role.SALES)
        quotation = make_order(client.user, lines=[(notebook, 1)], kind=Kind.QUOTATION)
        client.post(f"/orders/{quotation.pk}/send/", {"version": quotation.version})
        response = client.post(f"/orders/{quotation.pk}/convert/", {"version": current_version(quotation)})
        order = SalesOrder.objects.get(kind=Kind.ORDER)
        assert response["Location"] == f"/orders/{order.pk}/"
        assert quotation.number in client.get(f"/orders/{order.pk}/", **EN).content.decode()
        page = client.get(f"/orders/{quotation.pk}/", **EN).content.decode()
        assert order.number in page and "Converted to order" in page and "Convert to order" not in page

    def test_revise_and_cancel_with_a_reason(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = submit(client.user, make_order(client.user, lines=[(notebook, 1)]))
        client.post(f"/orders/{order.pk}/revise/", {"version": order.version, "reason": "客户改数量"})
        order.refresh_from_db()
        assert order.status == Status.DRAFT and order.revision == 1
        assert "客户改数量" in client.get(f"/orders/{order.pk}/", **EN).content.decode()
        client.post(f"/orders/{order.pk}/cancel/", {"version": order.version, "reason": "客户取消"})
        order.refresh_from_db()
        assert order.status == Status.CANCELLED and order.cancel_reason == "客户取消"

    def test_a_refused_transition_is_a_message_not_an_error_page(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user)  # no lines: cannot be submitted
        response = client.post(f"/orders/{order.pk}/submit/", {"version": order.version}, follow=True, **EN)
        assert response.status_code == 200 and "Add at least one line first" in response.content.decode()
        stale = client.post(f"/orders/{order.pk}/cancel/", {"version": "0"}, follow=True, **EN)
        assert "Someone else changed" in stale.content.decode()

    def test_copy_and_header_edit(self, client_for, notebook):
        client = client_for(Role.SALES)
        order = make_order(client.user, lines=[(notebook, 3)])
        response = client.post(f"/orders/{order.pk}/copy/")
        copy = SalesOrder.objects.exclude(pk=order.pk).get()
        assert response["Location"] == f"/orders/{copy.pk}/" and copy.copied_from == order
        form = {"version": copy.version, "order_date": "2026-03-02", "currency": "CNY", "customer_po": "PO-778",
                "prices_include_tax": "0", "notes": "加急"}
        assert client.post(f"/orders/{copy.pk}/edit/", form).status_code == 302
        copy.refresh_from_db()
        assert copy.customer_po == "PO-778" and not copy.prices_include_tax
        again = client.post(f"/orders/{copy.pk}/edit/", {**form, "customer_po": "PO-9"}, **EN)
        assert again.status_code == 422 and "Someone else changed" in again.content.decode()

    def test_the_pdf_is_inline(self, client_for, notebook):
        client = client_for(Role.FINANCE)
        order = make_order(client_for(Role.SALES).user, lines=[(notebook, 1)])
        response = client.get(f"/orders/{order.pk}/pdf/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{order.number}.pdf"'
        assert response.content.startswith(b"%PDF")


class TestOrderList:
    def test_filters_search_and_the_htmx_rows(self, client_for, notebook):
        client = client_for(Role.SALES)
        shenzhen = make_customer(client.user, name="深圳恒达电子有限公司")
        order = make_order(client.user, shenzhen, lines=[(notebook, 1)], customer_po="PO-2026-17")
        quotation = make_order(client.user, kind=Kind.QUOTATION, order_date="2026-01-05")
        rows = client.get("/orders/", {"q": "PO-2026"}, **HTMX).content.decode()
        assert order.number in rows and quotation.number not in rows and "<html" not in rows
        assert quotation.number in client.get("/orders/", {"kind": "quotation"}).content.decode()
        assert order.number not in client.get("/orders/", {"kind": "quotation"}).content.decode()
        dated = client.get("/orders/", {"date_from": "2026-01-01", "date_to": "2026-01-31"}).content.decode()
        assert quotation.number in dated and order.number not in dated
        by_customer = client.get("/orders/", {"customer": shenzhen.pk}, **EN).content.decode()
        assert order.number in by_customer and quotation.number not in by_customer and "深圳恒达" in by_customer

    def test_nonsense_filters_and_sorts_are_ignored(self, client_for):
        client = client_for(Role.SALES)
        for params in ({"sort": "password"}, {"date_from": "yesterday"}, {"customer": "x"}, {"page": "-1"},
                       {"status": "nope"}, {"q": "a\x00b"}, {"salesperson": "99999999999999999999999"}):
            assert client.get("/orders/", params).status_code == 200, params

    def test_the_page_query_count_does_not_grow_with_rows(self, client_for, notebook,
                                                          django_assert_max_num_queries):
        client = client_for(Role.SALES_MANAGER)
        for _ in range(12):
            make_order(client.user, lines=[(notebook, 1)])
        with django_assert_max_num_queries(10):  # 8 + the menu's two counts (approvals waiting, unread notifications)
            response = client.get("/orders/", {"sort": "-gross_amount"})
        assert response.status_code == 200 and response.content.decode().count("<tr>") >= 12
