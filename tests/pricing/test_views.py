"""The pricing pages: every role may look, sales managers and admins edit; the services' errors are
shown beside the fields they concern; items are added and removed with htmx or a plain POST."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kaidan.core.roles import Role
from kaidan.parties.models import CustomerGroup
from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem, Promotion
from tests.catalog.factories import make_product
from tests.parties.factories import make_customer
from tests.pricing.factories import price_list, price_list_item, promotion

pytestmark = pytest.mark.django_db

VIEWERS = [Role.SALES, Role.WAREHOUSE, Role.FINANCE, Role.AFTERSALES]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def manager(client_for):
    return client_for(Role.SALES_MANAGER)


def field_errors(response, name, form="form"):
    return [str(e) for e in response.context[form].errors.get(name, [])]


class TestAccess:
    @pytest.mark.parametrize("role", list(Role))
    def test_every_role_sees_the_lists_details_and_limits(self, client_for, role):
        client = client_for(role)
        item = price_list_item(make_product(sku="SEE-1"), price="12.5")
        promo = promotion("order_threshold", products=[item.product])
        pages = [reverse("price_list_list"), reverse("price_list_detail", args=[item.price_list_id]),
                 reverse("promotion_list"), reverse("promotion_detail", args=[promo.pk]), reverse("discount_limits")]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert reverse("price_list_list") in response.content.decode()  # the Pricing entry of the menu
        detail = client.get(pages[1]).content.decode()
        assert "SEE-1" in detail and "12.5000" in detail
        can_change = role in (Role.SALES_MANAGER, Role.ADMIN)
        assert (reverse("price_list_item_add", args=[item.price_list_id]) in detail) == can_change

    @pytest.mark.parametrize("role", VIEWERS)
    def test_edit_pages_and_posts_are_403_without_change_pricing(self, client_for, role):
        client = client_for(role)
        item = price_list_item(make_product())
        promo = promotion()
        pl = item.price_list_id
        for url in [reverse("price_list_create"), reverse("price_list_edit", args=[pl]), reverse("promotion_create"),
                    reverse("promotion_edit", args=[promo.pk])]:
            assert client.get(url).status_code == 403, url
        for url in [reverse("price_list_deactivate", args=[pl]), reverse("price_list_item_add", args=[pl]),
                    reverse("price_list_item_remove", args=[pl, item.pk]),
                    reverse("promotion_deactivate", args=[promo.pk]), reverse("discount_limit_save", args=["sales"])]:
            assert client.post(url, {"sales-max_percent": "99"}).status_code == 403, url
        assert PriceListItem.objects.exists() and PriceList.objects.get().active and Promotion.objects.get().active
        assert DiscountLimit.objects.get(role="sales").max_percent == Decimal("10")

    def test_a_salesperson_does_not_see_the_list_of_another_salespersons_customer(self, client_for, make_user):
        sales = client_for(Role.SALES)
        theirs = price_list(code="THEIRS", customer=make_customer(make_user(Role.SALES_MANAGER), name="别人的客户"))
        assert "THEIRS" not in sales.get(reverse("price_list_list")).content.decode()
        assert sales.get(reverse("price_list_detail", args=[theirs.pk])).status_code == 404

    def test_an_unknown_list_or_promotion_is_404(self, manager):
        assert manager.get(reverse("price_list_detail", args=[999999])).status_code == 404
        assert manager.get(reverse("promotion_edit", args=[999999])).status_code == 404


class TestPriceListForm:
    def test_creates_a_list_for_a_customer_typed_by_code(self, manager):
        customer = make_customer(manager.user, code="C-001")
        response = manager.post(reverse("price_list_create"), {
            "code": "VIP-1", "name": "大客户价", "currency": "CNY", "prices_include_tax": "on",
            "customer_code": "C-001", "priority": "10", "valid_from": "2026-01-01"})
        created = PriceList.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("price_list_detail", args=[created.pk])
        assert created.customer == customer and created.valid_from.isoformat() == "2026-01-01"

    def test_shows_the_services_errors_beside_the_fields(self, manager):
        make_customer(manager.user, code="C-002")
        group = CustomerGroup.objects.create(code="dealers", name="经销商")
        response = manager.post(reverse("price_list_create"), {
            "code": "BOTH", "name": "两者", "currency": "usd", "customer_code": "C-002", "group": group.pk,
            "priority": "1", "valid_from": "2026-02-01", "valid_to": "2026-01-01"})
        assert response.status_code == 422
        assert field_errors(response, "customer_code") and field_errors(response, "group")
        assert field_errors(response, "currency") and field_errors(response, "valid_to")
        assert 'class="field invalid"' in response.content.decode() and not PriceList.objects.exists()

    def test_an_unknown_customer_code_is_shown_on_its_field(self, manager):
        response = manager.post(reverse("price_list_create"), {"code": "X", "name": "X", "currency": "CNY",
                                                               "customer_code": "NOPE", "priority": "1"})
        assert response.status_code == 422 and field_errors(response, "customer_code")

    def test_an_edit_on_an_old_version_says_so_on_top(self, manager):
        existing = price_list(version=2)
        response = manager.post(reverse("price_list_edit", args=[existing.pk]), {
            "version": "1", "code": existing.code, "name": "改", "currency": "CNY", "priority": "1", "active": "on"})
        assert response.status_code == 422 and response.context["form"].non_field_errors()

    def test_edits_and_deactivates(self, manager):
        existing = price_list(name="旧")
        edit_url = reverse("price_list_edit", args=[existing.pk])
        assert manager.get(edit_url).status_code == 200
        response = manager.post(edit_url, {"version": "1", "code": existing.code, "name": "新", "currency": "CNY",
                                           "priority": "5", "active": "on", "prices_include_tax": "on"})
        assert response.status_code == 302
        manager.post(reverse("price_list_deactivate", args=[existing.pk]))
        existing.refresh_from_db()
        assert (existing.name, existing.priority, existing.active, existing.version) == ("新", 5, False, 3)


class TestItems:
    def test_adds_a_price_with_a_plain_post(self, manager):
        target, product = price_list(), make_product(sku="ADD-1")
        response = manager.post(reverse("price_list_item_add", args=[target.pk]), {
            "sku": "ADD-1", "min_quantity": "10", "method": "fixed", "value": "88.5"})
        assert response.status_code == 302
        item = PriceListItem.objects.get()
        assert (item.product, item.min_quantity, item.price) == (product, Decimal("10"), Decimal("88.5"))

    def test_adds_a_percentage_with_htmx_and_answers_the_items_table(self, manager):
        target = price_list()
        make_product(sku="HX-1")
        response = manager.post(reverse("price_list_item_add", args=[target.pk]), {
            "sku": "HX-1", "min_quantity": "0", "method": "percent_off", "value": "7.5"}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="price-list-items">') and "HX-1" in html and "7.50%" in html
        assert 'id="price-list-history" hx-swap-oob="true"' in html and "HX-1 ≥ 0.0000: -7.50%" in html
        assert PriceListItem.objects.get().percent == Decimal("7.5")

    def test_shows_an_unknown_sku_beside_its_field(self, manager):
        target = price_list()
        response = manager.post(reverse("price_list_item_add", args=[target.pk]), {
            "sku": "NOPE", "min_quantity": "0", "method": "fixed", "value": "1"}, **HTMX)
        assert field_errors(response, "sku", "item_form") and not PriceListItem.objects.exists()

    @pytest.mark.parametrize("method, value", [("fixed", "1.00001"), ("fixed", "-1"), ("percent_off", "101")])
    def test_shows_a_bad_price_or_percentage_beside_the_value(self, manager, method, value):
        target = price_list()
        make_product(sku="BAD-1")
        response = manager.post(reverse("price_list_item_add", args=[target.pk]), {
            "sku": "BAD-1", "min_quantity": "0", "method": method, "value": value})
        assert response.status_code == 422 and field_errors(response, "value", "item_form")
        assert 'class="field invalid"' in response.content.decode()

    def test_shows_a_duplicate_quantity_break_beside_the_quantity(self, manager):
        item = price_list_item(make_product(sku="DUP-1"), min_quantity="5")
        response = manager.post(reverse("price_list_item_add", args=[item.price_list_id]), {
            "sku": "DUP-1", "min_quantity": "5", "method": "fixed", "value": "1"}, **HTMX)
        assert field_errors(response, "min_quantity", "item_form")

    def test_removes_a_price_with_htmx(self, manager):
        item = price_list_item(make_product(sku="RM-1"))
        response = manager.post(reverse("price_list_item_remove", args=[item.price_list_id, item.pk]), **HTMX)
        table, history = response.content.decode().split('id="price-list-history"')
        assert response.status_code == 200 and "RM-1" not in table and "RM-1 ≥ 0.0000: 90.0000" in history
        assert not PriceListItem.objects.exists()


class TestPromotionForm:
    def test_creates_a_promotion_for_products_typed_as_skus(self, manager):
        products = [make_product(sku=sku) for sku in ("P-1", "P-2", "P-3")]
        response = manager.post(reverse("promotion_create"), {
            "code": "SPRING", "name": "春季", "kind": "percent_off", "priority": "100", "percent": "10",
            "product_skus": "P-1, P-2\nP-3，P-1"})
        created = Promotion.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("promotion_detail", args=[created.pk])
        assert set(created.products.all()) == set(products) and created.percent == Decimal("10")
        edit = manager.get(reverse("promotion_edit", args=[created.pk]))
        assert edit.context["form"]["product_skus"].value() == "P-1 P-2 P-3"

    def test_shows_unknown_skus_and_missing_kind_values_beside_their_fields(self, manager):
        make_product(sku="P-1")
        response = manager.post(reverse("promotion_create"), {
            "code": "BAD", "name": "错", "kind": "percent_off", "priority": "100", "product_skus": "P-1 NOPE-1"})
        assert response.status_code == 422 and "NOPE-1" in field_errors(response, "product_skus")[0]
        response = manager.post(reverse("promotion_create"), {
            "code": "BAD", "name": "错", "kind": "order_threshold", "priority": "100", "threshold": "100",
            "amount": "200"})
        assert response.status_code == 422 and field_errors(response, "amount") and not Promotion.objects.exists()

    def test_edits_and_deactivates(self, manager):
        existing = promotion("buy_x_get_y")
        free = make_product(sku="FREE-1")
        response = manager.post(reverse("promotion_edit", args=[existing.pk]), {
            "version": "1", "code": existing.code, "name": "买二送一", "kind": "buy_x_get_y", "priority": "100",
            "buy_quantity": "2", "free_quantity": "1", "free_product_sku": "FREE-1", "active": "on"})
        assert response.status_code == 302
        manager.post(reverse("promotion_deactivate", args=[existing.pk]))
        existing.refresh_from_db()
        assert (existing.name, existing.free_product, existing.active) == ("买二送一", free, False)


class TestDiscountLimits:
    def test_shows_one_editable_row_per_role_to_managers(self, manager):
        html = manager.get(reverse("discount_limits")).content.decode()
        for role in Role:
            assert reverse("discount_limit_save", args=[role.value]) in html

    def test_saves_a_roles_limit(self, manager):
        response = manager.post(reverse("discount_limit_save", args=["sales"]), {"sales-max_percent": "20"})
        assert response.status_code == 302 and DiscountLimit.objects.get(role="sales").max_percent == Decimal("20")

    def test_shows_a_bad_limit_beside_its_row(self, manager):
        response = manager.post(reverse("discount_limit_save", args=["sales"]), {"sales-max_percent": "150"})
        assert response.status_code == 422
        row = next(r for r in response.context["rows"] if r["role"] == "sales")
        assert row["form"].errors["max_percent"] and "error" in response.content.decode()
        assert DiscountLimit.objects.get(role="sales").max_percent == Decimal("10")

    def test_an_unknown_role_is_404(self, manager):
        assert manager.post(reverse("discount_limit_save", args=["boss"]), {"boss-max_percent": "1"}).status_code \
            == 404


def test_the_pages_take_the_same_queries_for_few_or_many_rows(manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert manager.get(url).status_code == 200
        return len(captured.captured_queries)

    # given a list with one price and one promotion
    target = price_list()
    price_list_item(make_product(), on=target)
    promotion(products=[make_product()])
    urls = [reverse("price_list_list"), reverse("price_list_detail", args=[target.pk]), reverse("promotion_list")]
    [queries(url) for url in urls]  # warm up: the first request loads the session and permissions
    few = [queries(url) for url in urls]
    # when there are many
    for i in range(5):
        price_list()
        price_list_item(make_product(), on=target, min_quantity=str(i + 1))
        promotion(products=[make_product(), make_product()])
    # then the pages cost the same
    assert [queries(url) for url in urls] == few
