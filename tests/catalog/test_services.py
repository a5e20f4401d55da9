"""The catalog services: each write is validated, versioned where edits can collide, and audited."""

from decimal import Decimal

import pytest
from django.utils import translation

from kaidan.catalog import services
from kaidan.catalog.models import Category, Product, ProductSubstitute
from kaidan.core import services as core_services
from kaidan.core.errors import Conflict, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from tests.catalog.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def events(instance, action=None):
    qs = AuditEvent.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
    return qs.filter(action=action) if action else qs


class TestCreateProduct:
    def test_creates_with_search_text_and_history(self, admin):
        category = make_category(admin, name="笔记本电脑")
        product = make_product(admin, sku="NB-X1", name="ThinkPad X1", category_id=category.pk)
        assert product.version == 1
        assert "nb-x1" in product.search_text and "bjbdn" in product.search_text  # category name, as initials
        event = events(product, "created").get()
        assert event.actor == admin and event.after["sku"] == "NB-X1" and event.after["category"] == category.pk

    def test_without_a_vat_rate_takes_the_company_default(self, admin):
        core_services.update_company_settings(actor=admin, version=0, data={"name": "开单", "default_vat_rate":
                                                                             Decimal("0.09")})
        assert make_product(admin).vat_rate == Decimal("0.09")

    def test_a_company_default_that_is_no_product_rate_falls_back_to_13_percent(self, admin):
        core_services.update_company_settings(actor=admin, version=0, data={"name": "开单", "default_vat_rate":
                                                                             Decimal("0.05")})
        assert make_product(admin).vat_rate == Decimal("0.13")


class TestUpdateProduct:
    def test_bumps_the_version_and_audits_only_what_changed(self, admin):
        product = make_product(admin, name="旧名称", list_price=Decimal("10"))
        updated = services.update_product(actor=admin, product_id=product.pk, version=1,
                                          data={"name": "新名称", "list_price": Decimal("10.0000")})
        assert updated.version == 2 and "xinmingcheng" in updated.search_text
        event = events(product, "updated").get()
        assert event.before == {"name": "旧名称"} and event.after == {"name": "新名称"}

    def test_an_unchanged_save_adds_no_version_or_history(self, admin):
        product = make_product(admin, list_price=Decimal("12.5"))
        same = services.update_product(actor=admin, product_id=product.pk, version=1,
                                       data={"list_price": Decimal("12.50"), "name": product.name})
        assert same.version == 1 and not events(product, "updated").exists()

    def test_a_stale_edit_is_refused_and_shows_the_current_values(self, admin):
        # given someone saved version 1 → 2
        product = make_product(admin, name="第一版")
        services.update_product(actor=admin, product_id=product.pk, version=1, data={"name": "第二版"})
        # when another user saves what they read at version 1
        with pytest.raises(StaleEdit) as err:
            services.update_product(actor=admin, product_id=product.pk, version=1, data={"name": "过时的修改"})
        # then nothing changes and they learn what is there now
        assert err.value.detail["current_version"] == 2 and err.value.detail["current"]["name"] == "第二版"
        assert Product.objects.get().name == "第二版"

    def test_a_missing_vat_rate_keeps_the_current_one(self, admin):
        product = make_product(admin, vat_rate=Decimal("0.06"))
        updated = services.update_product(actor=admin, product_id=product.pk, version=1,
                                          data={"vat_rate": None, "name": "服务"})
        assert updated.vat_rate == Decimal("0.06")

    def test_an_unknown_product_is_not_found(self, admin):
        with pytest.raises(NotFound):
            services.update_product(actor=admin, product_id=999999, version=1, data={})


class TestDeactivateProduct:
    def test_takes_it_out_of_use_once(self, admin):
        product = make_product(admin)
        services.deactivate_product(actor=admin, product_id=product.pk)
        services.deactivate_product(actor=admin, product_id=product.pk)
        product.refresh_from_db()
        assert not product.active and product.version == 2
        assert events(product, "deactivated").count() == 1


class TestDeleteProduct:
    def test_deletes_an_unused_product_and_records_it(self, admin):
        product = make_product(admin, sku="GONE-1")
        pk = product.pk
        services.delete_product(actor=admin, product_id=pk)
        assert not Product.objects.filter(pk=pk).exists()
        assert AuditEvent.objects.get(object_type="catalog.product", object_id=str(pk), action="deleted"
                                      ).before["sku"] == "GONE-1"

    def test_refuses_when_another_product_lists_it_as_substitute_and_says_which(self, admin):
        # given NB-2 is the substitute of NB-1
        first, second = make_product(admin, sku="NB-1"), make_product(admin, sku="NB-2")
        services.set_substitutes(actor=admin, product_id=first.pk, substitute_ids=[second.pk])
        # when NB-2 is deleted
        with pytest.raises(Conflict) as err, translation.override("en"):
            services.delete_product(actor=admin, product_id=second.pk)
        # then it is refused, naming NB-1, and nothing changed
        assert "NB-1" in str(err.value.message) and "Deactivate it instead" in str(err.value.message)
        assert err.value.detail["references"] == [{"type": "catalog.productsubstitute", "count": 1,
                                                   "products": ["NB-1"]}]
        assert Product.objects.filter(pk=second.pk).exists()
        assert not events(second, "deleted").exists()

    def test_a_product_with_its_own_substitute_list_can_be_deleted(self, admin):
        first, second = make_product(admin), make_product(admin)
        services.set_substitutes(actor=admin, product_id=first.pk, substitute_ids=[second.pk])
        services.delete_product(actor=admin, product_id=first.pk)
        assert not ProductSubstitute.objects.exists() and Product.objects.filter(pk=second.pk).exists()

    def test_an_unknown_product_is_not_found(self, admin):
        with pytest.raises(NotFound):
            services.delete_product(actor=admin, product_id=999999)


class TestSetSubstitutes:
    def test_keeps_the_order_given_and_replaces_the_whole_list(self, admin):
        product, a, b, c = (make_product(admin) for _ in range(4))
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[c.pk, a.pk])
        links = services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[b.pk, c.pk])
        assert [(link.substitute_id, link.position) for link in links] == [(b.pk, 1), (c.pk, 2)]
        last = events(product, "substitutes_set").order_by("-id").first()
        assert last.before == {"substitutes": f"{c.sku}, {a.sku}"}
        assert last.after == {"substitutes": f"{b.sku}, {c.sku}"}

    def test_the_same_list_again_records_nothing(self, admin):
        product, a = make_product(admin), make_product(admin)
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[a.pk])
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[a.pk])
        assert events(product, "substitutes_set").count() == 1

    def test_an_empty_list_clears_it(self, admin):
        product, a = make_product(admin), make_product(admin)
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[a.pk])
        assert services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[]) == []

    @pytest.mark.parametrize("case, message", [
        ("itself", "A product cannot be its own substitute."),
        ("twice", "Each substitute can be listed only once."),
        ("unknown", "These products do not exist: 999999."),
        ("too many", "List at most 20 substitutes."),
    ])
    def test_refuses_bad_lists_naming_the_field(self, admin, case, message):
        product, other = make_product(admin), make_product(admin)
        ids = {"itself": [other.pk, product.pk], "twice": [other.pk, other.pk], "unknown": [other.pk, 999999],
               "too many": list(range(1, 22))}[case]
        with pytest.raises(ValidationFailed) as err, translation.override("en"):
            services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=ids)
        assert err.value.fields == {"substitute_ids": [message]}
        assert not ProductSubstitute.objects.exists()

    def test_an_unknown_product_is_not_found(self, admin):
        with pytest.raises(NotFound):
            services.set_substitutes(actor=admin, product_id=999999, substitute_ids=[])


class TestCategories:
    def test_creates_a_tree(self, admin):
        top = make_category(admin, code="computers", name="电脑整机")
        child = make_category(admin, code="laptops", name="笔记本电脑", parent=top)
        assert child.parent == top and events(child, "created").exists()

    def test_codes_are_unique_and_well_formed(self, admin):
        make_category(admin, code="laptops")
        with pytest.raises(ValidationFailed) as err, translation.override("en"):
            make_category(admin, code="laptops")
        assert err.value.fields == {"code": ["Another category already has this code."]}
        with pytest.raises(ValidationFailed) as err:
            make_category(admin, code="has space")
        assert list(err.value.fields) == ["code"]

    def test_an_unknown_parent_names_the_field(self, admin):
        with pytest.raises(ValidationFailed) as err:
            services.create_category(actor=admin, data={"name": "x", "code": "x", "parent_id": 999999})
        assert list(err.value.fields) == ["parent_id"]

    @pytest.mark.parametrize("new_parent", ["itself", "child", "grandchild"])
    def test_refuses_to_move_a_category_under_itself_or_below(self, admin, new_parent):
        # given 电脑整机 → 笔记本电脑 → 游戏本
        top = make_category(admin, code="top", name="电脑整机")
        child = make_category(admin, code="child", name="笔记本电脑", parent=top)
        grandchild = make_category(admin, code="grandchild", name="游戏本", parent=child)
        target = {"itself": top, "child": child, "grandchild": grandchild}[new_parent]
        # when 电脑整机 is moved under one of them
        with pytest.raises(ValidationFailed) as err:
            services.update_category(actor=admin, category_id=top.pk, data={"parent_id": target.pk})
        # then it is refused and the tree is unchanged
        assert list(err.value.fields) == ["parent_id"]
        assert Category.objects.get(pk=top.pk).parent_id is None

    def test_moves_a_category_elsewhere(self, admin):
        a, b = make_category(admin, code="a"), make_category(admin, code="b")
        services.update_category(actor=admin, category_id=b.pk, data={"parent_id": a.pk})
        assert Category.objects.get(pk=b.pk).parent_id == a.pk
        assert events(b, "updated").get().after == {"parent": a.pk}

    def test_renaming_a_category_updates_the_search_text_of_its_products(self, admin):
        category = make_category(admin, name="打印机")
        product = make_product(admin, category_id=category.pk, name="LaserJet")
        services.update_category(actor=admin, category_id=category.pk, data={"name": "投影仪"})
        product.refresh_from_db()
        assert "touyingyi" in product.search_text and "dayinji" not in product.search_text

    def test_an_unknown_category_is_not_found(self, admin):
        with pytest.raises(NotFound):
            services.update_category(actor=admin, category_id=999999, data={"name": "x"})
