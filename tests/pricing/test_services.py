"""The pricing services: every rule a price list, its items, a promotion or a discount limit must
obey is refused with the field it concerns; edits are versioned, audited and need CHANGE_PRICING."""

import datetime
from decimal import Decimal

import pytest

from kaidan.core.errors import Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.parties.models import CustomerGroup
from kaidan.pricing import promotion_services, services
from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem, Promotion
from tests.catalog.factories import make_category, make_product
from tests.parties.factories import make_customer
from tests.pricing.factories import price_list, price_list_item, promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)


@pytest.fixture
def group():
    return CustomerGroup.objects.create(code="dealers", name="经销商")


def events(instance, action=None):
    qs = AuditEvent.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
    return qs.filter(action=action) if action else qs


def refused_fields(call) -> set[str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return set(caught.value.fields)


class TestPermission:
    @pytest.mark.parametrize("role", [Role.SALES, Role.WAREHOUSE, Role.FINANCE, Role.AFTERSALES, None])
    def test_rejects_every_write_when_the_actor_may_not_change_pricing(self, make_user, role):
        # given a list, an item and a promotion, and someone without CHANGE_PRICING
        actor = make_user(role)
        item = price_list_item(make_product())
        promo = promotion()
        writes = [
            lambda: services.create_price_list(actor=actor, data={"code": "X", "name": "X"}),
            lambda: services.update_price_list(actor=actor, price_list_id=item.price_list_id, version=1,
                                               data={"name": "Y"}),
            lambda: services.deactivate_price_list(actor=actor, price_list_id=item.price_list_id),
            lambda: services.replace_price_list_items(actor=actor, price_list_id=item.price_list_id, items=[]),
            lambda: services.add_price_list_item(actor=actor, price_list_id=item.price_list_id,
                                                 data={"product_id": item.product_id, "min_quantity": 5,
                                                       "price": 1}),
            lambda: services.remove_price_list_item(actor=actor, price_list_id=item.price_list_id, item_id=item.pk),
            lambda: promotion_services.create_promotion(actor=actor, data={"code": "P", "name": "P",
                                                                           "kind": "percent_off", "percent": 5}),
            lambda: promotion_services.update_promotion(actor=actor, promotion_id=promo.pk, version=1,
                                                        data={"name": "Q"}),
            lambda: promotion_services.deactivate_promotion(actor=actor, promotion_id=promo.pk),
            lambda: services.set_discount_limit(actor=actor, role="sales", max_percent=50),
        ]
        # when / then each is refused and nothing changed
        for write in writes:
            with pytest.raises(Forbidden):
                write()
        assert PriceListItem.objects.count() == 1 and PriceList.objects.get().active
        assert Promotion.objects.get().active
        assert not AuditEvent.objects.filter(object_type__startswith="pricing.").exists()


class TestPriceList:
    def test_creates_and_audits_the_new_list(self, manager, group):
        created = services.create_price_list(actor=manager, data={
            "code": "DEALER-2026", "name": "经销商价", "group_id": group.pk, "currency": "USD",
            "prices_include_tax": False, "valid_from": "2026-01-01", "valid_to": datetime.date(2026, 12, 31),
            "priority": 10})
        assert created.version == 1 and created.active and created.valid_from == datetime.date(2026, 1, 1)
        event = events(created, "created").get()
        assert event.actor == manager and event.after["group"] == group.pk and event.after["currency"] == "USD"

    def test_rejects_when_it_is_for_a_customer_and_a_group_at_once(self, manager, group):
        customer = make_customer(manager)
        fields = refused_fields(lambda: services.create_price_list(actor=manager, data={
            "code": "BOTH", "name": "两者", "customer_id": customer.pk, "group_id": group.pk}))
        assert fields == {"customer_id", "group_id"}

    @pytest.mark.parametrize("currency", ["cny", "CNYY", "C1Y", "", None])
    def test_rejects_a_currency_that_is_not_three_capital_letters(self, manager, currency):
        fields = refused_fields(lambda: services.create_price_list(actor=manager, data={
            "code": "CUR", "name": "币种", "currency": currency}))
        assert fields == {"currency"}

    def test_rejects_an_end_date_before_the_start_date(self, manager):
        fields = refused_fields(lambda: services.create_price_list(actor=manager, data={
            "code": "DATES", "name": "日期", "valid_from": "2026-03-01", "valid_to": "2026-02-28"}))
        assert fields == {"valid_to"}

    def test_rejects_unknown_customers_groups_codes_and_fields(self, manager):
        price_list(code="TAKEN")
        fields = refused_fields(lambda: services.create_price_list(actor=manager, data={
            "code": "TAKEN", "name": "", "customer_id": 999999, "group_id": 999999, "priority": -1}))
        assert fields == {"code", "name", "customer_id", "group_id", "priority"}
        assert refused_fields(lambda: services.create_price_list(actor=manager, data={
            "code": "X", "name": "X", "colour": "red"})) == {"colour"}

    def test_an_edit_bumps_the_version_and_audits_only_what_changed(self, manager):
        existing = price_list(name="旧", priority=100)
        updated = services.update_price_list(actor=manager, price_list_id=existing.pk, version=1,
                                             data={"name": "新", "priority": 100})
        assert updated.version == 2
        event = events(existing, "updated").get()
        assert event.before == {"name": "旧"} and event.after == {"name": "新"}

    def test_an_unchanged_save_adds_no_version_or_history(self, manager):
        existing = price_list(name="同")
        same = services.update_price_list(actor=manager, price_list_id=existing.pk, version=1, data={"name": "同"})
        assert same.version == 1 and not events(existing, "updated").exists()

    def test_rejects_a_stale_edit_and_shows_the_current_values(self, manager):
        # given someone saved version 1 → 2
        existing = price_list(name="第一版")
        services.update_price_list(actor=manager, price_list_id=existing.pk, version=1, data={"name": "第二版"})
        # when another edit made on version 1 arrives
        with pytest.raises(StaleEdit) as caught:
            services.update_price_list(actor=manager, price_list_id=existing.pk, version=1, data={"name": "冲突"})
        # then it is refused with what is stored now
        assert caught.value.detail["current_version"] == 2 and caught.value.detail["current"]["name"] == "第二版"
        assert PriceList.objects.get().name == "第二版"

    def test_an_unknown_list_is_not_found(self, manager):
        with pytest.raises(NotFound):
            services.update_price_list(actor=manager, price_list_id=999999, version=1, data={})

    def test_deactivating_is_audited_once(self, manager):
        existing = price_list()
        services.deactivate_price_list(actor=manager, price_list_id=existing.pk)
        again = services.deactivate_price_list(actor=manager, price_list_id=existing.pk)
        assert not again.active and again.version == 2 and events(existing, "deactivated").count() == 1


def replace(actor, target, items, **kwargs):
    return services.replace_price_list_items(actor=actor, price_list_id=target.pk, items=items, **kwargs)


class TestPriceListItems:
    def test_replaces_every_item_and_audits_what_was_removed_and_added(self, manager):
        # given a list with two prices of one product
        product, other = make_product(sku="NB-1"), make_product(sku="NB-2")
        target = price_list()
        price_list_item(product, on=target, price="100", min_quantity="0")
        price_list_item(product, on=target, price="95", min_quantity="10")
        # when the items are replaced by one unchanged, one new
        items = replace(manager, target, [
            {"product_id": product.pk, "min_quantity": "0", "method": "fixed", "price": "100.00"},
            {"product_id": other.pk, "min_quantity": 5, "method": "percent_off", "percent": "7.5"}])
        # then the list holds exactly these, its version moved, and the history names the difference
        assert [(i.product.sku, i.min_quantity, i.price, i.percent) for i in items] == [
            ("NB-1", Decimal("0"), Decimal("100"), None), ("NB-2", Decimal("5"), None, Decimal("7.5"))]
        target.refresh_from_db()
        assert target.version == 2
        event = events(target, "items_replaced").get()
        assert event.before == {"items": ["NB-1 ≥ 10.0000: 95.0000"]}
        assert event.after == {"items": ["NB-2 ≥ 5.0000: -7.50%"]}

    def test_replacing_with_the_same_items_changes_nothing(self, manager):
        product = make_product()
        target = price_list()
        price_list_item(product, on=target, price="100")
        replace(manager, target, [{"product_id": product.pk, "price": "100.0000"}])
        target.refresh_from_db()
        assert target.version == 1 and not events(target).exists()

    @pytest.mark.parametrize("item, field", [
        ({"product_id": 999999, "price": "1"}, "product_id"),
        ({"product_id": None, "price": "1"}, "product_id"),
        ({"method": "fixed"}, "price"),
        ({"method": "fixed", "price": "-0.01"}, "price"),
        ({"method": "fixed", "price": "1.00001"}, "price"),
        ({"method": "fixed", "price": "12345678901"}, "price"),
        ({"method": "fixed", "price": "abc"}, "price"),
        ({"method": "fixed", "price": "NaN"}, "price"),
        ({"method": "percent_off"}, "percent"),
        ({"method": "percent_off", "percent": "100.01"}, "percent"),
        ({"method": "percent_off", "percent": "-1"}, "percent"),
        ({"method": "percent_off", "percent": "5.125"}, "percent"),
        ({"method": "half_price", "price": "1"}, "method"),
        ({"price": "1", "min_quantity": "-1"}, "min_quantity"),
        ({"price": "1", "min_quantity": "0.00001"}, "min_quantity"),
        ({"price": "1", "colour": "red"}, "colour"),
    ])
    def test_rejects_a_bad_item_naming_its_position_and_field(self, manager, item, field):
        product = make_product()
        target = price_list()
        good = {"product_id": product.pk, "price": "1"}
        bad = {"product_id": product.pk, "min_quantity": "1", **item}
        fields = refused_fields(lambda: replace(manager, target, [good, bad]))
        assert fields == {f"items.1.{field}"}
        assert not PriceListItem.objects.exists()

    def test_a_percentage_with_100_and_a_fixed_price_of_0_are_fine(self, manager):
        product = make_product()
        target = price_list()
        items = replace(manager, target, [{"product_id": product.pk, "method": "percent_off", "percent": 100},
                                          {"product_id": product.pk, "min_quantity": 1, "price": 0}])
        assert len(items) == 2

    def test_rejects_two_prices_of_a_product_from_the_same_quantity(self, manager):
        product = make_product()
        target = price_list()
        fields = refused_fields(lambda: replace(manager, target, [
            {"product_id": product.pk, "min_quantity": "10", "price": "5"},
            {"product_id": product.pk, "min_quantity": "10.0000", "price": "4"}]))
        assert fields == {"items.1.min_quantity"}

    def test_rejects_a_replacement_made_on_an_older_version(self, manager):
        target = price_list()
        services.update_price_list(actor=manager, price_list_id=target.pk, version=1, data={"name": "改"})
        with pytest.raises(StaleEdit):
            replace(manager, target, [], version=1)

    def test_adds_a_price_and_bumps_the_list_version(self, manager):
        product = make_product(sku="ADD-1")
        target = price_list()
        item = services.add_price_list_item(actor=manager, price_list_id=target.pk, data={
            "product_id": product.pk, "min_quantity": Decimal("10"), "method": "fixed", "price": Decimal("88.5")})
        assert item.price == Decimal("88.5") and item.percent is None
        target.refresh_from_db()
        assert target.version == 2
        assert events(target, "item_added").get().after == {"items": ["ADD-1 ≥ 10.0000: 88.5000"]}

    def test_adding_keeps_only_the_value_of_the_chosen_method(self, manager):
        product = make_product()
        target = price_list()
        item = services.add_price_list_item(actor=manager, price_list_id=target.pk, data={
            "product_id": product.pk, "method": "percent_off", "percent": "5", "price": "99"})
        assert item.percent == Decimal("5") and item.price is None

    def test_rejects_adding_a_second_price_from_the_same_quantity(self, manager):
        product = make_product()
        target = price_list()
        price_list_item(product, on=target, min_quantity="10")
        fields = refused_fields(lambda: services.add_price_list_item(actor=manager, price_list_id=target.pk, data={
            "product_id": product.pk, "min_quantity": 10, "price": 1}))
        assert fields == {"min_quantity"}

    def test_removes_a_price(self, manager):
        item = price_list_item(make_product(sku="RM-1"), price="7")
        services.remove_price_list_item(actor=manager, price_list_id=item.price_list_id, item_id=item.pk)
        assert not PriceListItem.objects.exists()
        assert events(item.price_list, "item_removed").get().before == {"items": ["RM-1 ≥ 0.0000: 7.0000"]}

    def test_an_item_of_another_list_is_not_found(self, manager):
        item = price_list_item(make_product())
        with pytest.raises(NotFound):
            services.remove_price_list_item(actor=manager, price_list_id=price_list().pk, item_id=item.pk)
        assert PriceListItem.objects.exists()


def create_promotion(actor, **data):
    return promotion_services.create_promotion(actor=actor, data={"code": "P-1", "name": "促销", **data})


class TestPromotion:
    @pytest.mark.parametrize("kind, values, fields", [
        ("percent_off", {}, {"percent"}),
        ("percent_off", {"percent": "100.5"}, {"percent"}),
        ("amount_off", {}, {"amount"}),
        ("amount_off", {"amount": "1.005"}, {"amount"}),
        ("order_threshold", {}, {"threshold", "amount"}),
        ("order_threshold", {"threshold": "100"}, {"amount"}),
        ("order_threshold", {"threshold": "100", "amount": "100.01"}, {"amount"}),
        ("buy_x_get_y", {}, {"buy_quantity", "free_quantity"}),
        ("buy_x_get_y", {"buy_quantity": "0", "free_quantity": "1"}, {"buy_quantity"}),
        ("buy_x_get_y", {"buy_quantity": "2", "free_quantity": "1", "free_product_id": 999999}, {"free_product_id"}),
        ("half_off", {}, {"kind"}),
    ])
    def test_rejects_a_kind_without_its_values(self, manager, kind, values, fields):
        assert refused_fields(lambda: create_promotion(manager, kind=kind, **values)) == fields
        assert not Promotion.objects.exists()

    def test_creates_each_kind_with_its_values_only(self, manager):
        free = make_product(sku="FREE-1")
        threshold = create_promotion(manager, kind="order_threshold", threshold="1000", amount="1000",
                                     percent="5", code="P-T")
        buy = create_promotion(manager, kind="buy_x_get_y", buy_quantity="3", free_quantity="1",
                               free_product_id=free.pk, code="P-B")
        assert (threshold.threshold, threshold.amount, threshold.percent) == (Decimal("1000"), Decimal("1000"), None)
        assert (buy.buy_quantity, buy.free_quantity, buy.free_product_id) == (Decimal("3"), Decimal("1"), free.pk)

    def test_sets_products_categories_and_groups_by_id_and_audits_them_by_code(self, manager, group):
        product, category = make_product(sku="SCOPE-1"), make_category(code="laptops")
        created = create_promotion(manager, kind="percent_off", percent="10", product_ids=[product.pk],
                                   category_ids=[category.pk], customer_group_ids=[group.pk])
        assert list(created.products.all()) == [product] and list(created.customer_groups.all()) == [group]
        after = events(created, "created").get().after
        assert after["products"] == "SCOPE-1" and after["categories"] == "laptops" and after["customer_groups"] == \
            "dealers"

    def test_rejects_products_categories_and_groups_that_do_not_exist(self, manager):
        fields = refused_fields(lambda: create_promotion(manager, kind="percent_off", percent="1",
                                                         product_ids=[999999], category_ids=[999998],
                                                         customer_group_ids=[999997]))
        assert fields == {"product_ids", "category_ids", "customer_group_ids"}

    def test_rejects_an_end_date_before_the_start_date(self, manager):
        fields = refused_fields(lambda: create_promotion(manager, kind="percent_off", percent="1",
                                                         valid_from="2026-05-02", valid_to="2026-05-01"))
        assert fields == {"valid_to"}

    def test_changing_the_kind_clears_the_old_kinds_values(self, manager):
        existing = promotion("percent_off", percent=Decimal("10"))
        updated = promotion_services.update_promotion(actor=manager, promotion_id=existing.pk, version=1,
                                                      data={"kind": "amount_off", "amount": "3"})
        assert (updated.kind, updated.amount, updated.percent, updated.version) == ("amount_off", Decimal("3"), None, 2)
        event = events(existing, "updated").get()
        assert event.before == {"kind": "percent_off", "percent": "10.00", "amount": None}

    def test_fields_left_out_of_an_edit_keep_their_value(self, manager, group):
        existing = promotion("order_threshold", customer_groups=[group])
        updated = promotion_services.update_promotion(actor=manager, promotion_id=existing.pk, version=1,
                                                      data={"name": "满千减百"})
        assert updated.threshold == Decimal("1000") and list(updated.customer_groups.all()) == [group]

    def test_an_edit_can_empty_the_products(self, manager):
        existing = promotion(products=[make_product(sku="GONE-1")])
        promotion_services.update_promotion(actor=manager, promotion_id=existing.pk, version=1,
                                            data={"product_ids": []})
        assert not existing.products.exists()
        assert events(existing, "updated").get().before == {"products": "GONE-1"}

    def test_rejects_a_stale_edit(self, manager):
        existing = promotion()
        promotion_services.update_promotion(actor=manager, promotion_id=existing.pk, version=1, data={"name": "二"})
        with pytest.raises(StaleEdit):
            promotion_services.update_promotion(actor=manager, promotion_id=existing.pk, version=1,
                                                data={"name": "三"})

    def test_deactivating_is_audited_once(self, manager):
        existing = promotion()
        promotion_services.deactivate_promotion(actor=manager, promotion_id=existing.pk)
        promotion_services.deactivate_promotion(actor=manager, promotion_id=existing.pk)
        existing.refresh_from_db()
        assert not existing.active and events(existing, "deactivated").count() == 1


class TestDiscountLimit:
    def test_changes_a_roles_limit_and_audits_it(self, manager):
        limit = services.set_discount_limit(actor=manager, role="sales", max_percent="12.5")
        assert DiscountLimit.objects.get(role="sales").max_percent == Decimal("12.5")
        event = events(limit, "updated").get()
        assert event.before == {"max_percent": "10.00"} and event.after == {"max_percent": "12.50"}

    def test_creates_the_limit_of_a_role_that_had_none(self, manager):
        services.set_discount_limit(actor=manager, role="warehouse", max_percent=0)
        assert DiscountLimit.objects.get(role="warehouse").max_percent == Decimal("0")

    @pytest.mark.parametrize("value", ["100.01", "-1", "5.555", "abc", None])
    def test_rejects_a_percentage_outside_0_to_100_with_2_decimals(self, manager, value):
        assert refused_fields(lambda: services.set_discount_limit(actor=manager, role="sales",
                                                                  max_percent=value)) == {"max_percent"}
        assert DiscountLimit.objects.get(role="sales").max_percent == Decimal("10")

    def test_rejects_an_unknown_role(self, manager):
        assert refused_fields(lambda: services.set_discount_limit(actor=manager, role="boss",
                                                                  max_percent=5)) == {"role"}
