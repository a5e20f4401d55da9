"""The product pages: list with live search (htmx partial), detail, forms that show the services'
errors on their fields, deactivate/delete, substitutes, pictures, categories."""

import pytest

from kaidan.catalog import services
from kaidan.catalog.models import Category, Product
from kaidan.core.roles import Role
from tests.catalog.factories import add_picture, make_category, make_product, picture_bytes, upload

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {"sku": "NB-FORM-1", "name": "表单笔记本", "unit": "unit", "list_price": "5999", "standard_cost": "4800",
        "vat_rate": "0.1300", "price_includes_tax": "on", "active": "on"}


@pytest.fixture
def manager_client(client_for):
    return client_for(Role.SALES_MANAGER)


class TestList:
    def test_shows_products_with_prices_as_money(self, client_for, admin):
        make_product(admin, sku="NB-1", name="笔记本电脑", list_price="5999")
        page = client_for(Role.SALES).get("/products/", **EN).content.decode()
        assert "NB-1" in page and "¥5,999.00" in page and 'hx-trigger="input changed delay:250ms' in page
        assert "/products/new/" not in page  # salespeople do not create products

    def test_live_search_answers_htmx_with_the_rows_only(self, client_for, admin):
        make_product(admin, sku="NB-1", name="笔记本电脑")
        make_product(admin, sku="PRN-1", name="打印机")
        response = client_for(Role.SALES).get("/products/", {"q": "bjb"}, **HTMX)
        body = response.content.decode()
        assert "<html" not in body and "NB-1" in body and "PRN-1" not in body
        assert "HX-Request" in response["Vary"]

    def test_going_back_in_history_gets_the_whole_page(self, client_for):
        response = client_for(Role.SALES).get("/products/", **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
        assert "<html" in response.content.decode()

    def test_filters_by_category_and_state(self, client_for, admin):
        laptops = make_category(admin, name="笔记本电脑")
        make_product(admin, sku="NB-1", category_id=laptops.pk)
        old = make_product(admin, sku="NB-OLD")
        services.deactivate_product(actor=admin, product_id=old.pk)
        client = client_for(Role.SALES)
        assert "NB-OLD" not in client.get("/products/").content.decode()  # active ones by default
        assert "NB-OLD" in client.get("/products/", {"active": "inactive"}).content.decode()
        by_category = client.get("/products/", {"category": laptops.pk, "active": "all"}).content.decode()
        assert "NB-1" in by_category and "NB-OLD" not in by_category

    def test_sorts_and_pages(self, client_for, admin):
        for i in range(55):
            make_product(admin, sku=f"P-{i:02d}", list_price=str(i))
        client = client_for(Role.SALES)
        first = client.get("/products/", {"sort": "-list_price"}, **EN)
        assert first.context["page"][0].sku == "P-54" and "Page 1 of 2" in first.content.decode()
        assert client.get("/products/", {"sort": "-list_price", "page": 2}).context["page"][0].sku == "P-04"

    def test_bad_parameters_fall_back_instead_of_failing(self, client_for):
        response = client_for(Role.SALES).get("/products/", {"sort": "password", "page": "x", "category": "a",
                                                             "q": "a\x00b"})
        assert response.status_code == 200

    def test_a_bad_filter_does_not_drop_the_search_words(self, client_for, admin):
        make_product(admin, sku="NB-1", name="笔记本电脑")
        make_product(admin, sku="PRN-1", name="打印机")
        page = client_for(Role.SALES).get("/products/", {"q": "bjb", "category": "nonsense"}).content.decode()
        assert "NB-1" in page and "PRN-1" not in page


class TestDetail:
    def test_shows_the_product_its_pictures_substitutes_and_history(self, client_for, admin):
        product, other = make_product(admin, name="主商品", list_price="1234.5"), make_product(admin, sku="SUB-1")
        add_picture(product, admin)
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[other.pk])
        page = client_for(Role.SALES).get(f"/products/{product.pk}/", **EN).content.decode()
        assert "¥1,234.50" in page and "SUB-1" in page and "Primary" in page
        assert "History" in page and "Substitutes changed" in page
        assert "Make primary" not in page and "/edit/" not in page  # read-only for salespeople

    def test_an_unknown_product_is_a_404(self, client_for):
        assert client_for(Role.SALES).get("/products/999999/").status_code == 404


class TestCreateAndEdit:
    def test_a_manager_creates_a_product(self, manager_client):
        response = manager_client.post("/products/new/", FORM)
        product = Product.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/products/{product.pk}/"
        assert product.unit.code == "unit" and str(product.list_price) == "5999.0000"

    def test_errors_of_the_service_are_shown_next_to_their_field(self, manager_client):
        response = manager_client.post("/products/new/", {**FORM, "barcode": "6901234567890"}, **EN)
        assert response.status_code == 200
        assert response.context["form"].errors["barcode"] == ["The check digit of the barcode is wrong."]
        assert not Product.objects.exists()

    def test_every_wrong_field_is_reported_at_once(self, manager_client):
        response = manager_client.post("/products/new/", {**FORM, "sku": "bad sku", "barcode": "123",
                                                          "list_price": "-5", "standard_cost": "1.23456"})
        assert {"sku", "barcode", "list_price", "standard_cost"} <= set(response.context["form"].errors)
        assert not Product.objects.exists()

    def test_edits_with_the_version_read(self, manager_client, admin):
        product = make_product(admin, sku="E-1")
        form = manager_client.get(f"/products/{product.pk}/edit/").context["form"]
        assert form.initial["version"] == 1
        response = manager_client.post(f"/products/{product.pk}/edit/", {**FORM, "sku": "E-1", "name": "新名字",
                                                                          "version": 1})
        assert response.status_code == 302 and Product.objects.get().name == "新名字"

    def test_a_stale_form_tells_the_user_and_changes_nothing(self, manager_client, admin):
        # given someone else saved the product after this form was opened at version 1
        product = make_product(admin, sku="E-2")
        services.update_product(actor=admin, product_id=product.pk, version=1, data={"name": "别人的修改"})
        # when the form is sent with version 1
        response = manager_client.post(f"/products/{product.pk}/edit/", {**FORM, "sku": "E-2", "name": "我的修改",
                                                                          "version": 1}, **EN)
        # then the form says so and the other edit stays
        assert response.status_code == 200 and "Someone else changed" in response.content.decode()
        assert Product.objects.get().name == "别人的修改"

    def test_salespeople_cannot_open_the_forms(self, client_for, admin):
        product = make_product(admin)
        client = client_for(Role.SALES)
        assert client.get("/products/new/").status_code == 403
        assert client.post(f"/products/{product.pk}/edit/", FORM).status_code == 403


class TestDeactivateAndDelete:
    def test_deactivates(self, manager_client, admin):
        product = make_product(admin)
        assert manager_client.post(f"/products/{product.pk}/deactivate/").status_code == 302
        assert not Product.objects.get().active

    def test_deletes_an_unused_product(self, manager_client, admin):
        product = make_product(admin)
        response = manager_client.post(f"/products/{product.pk}/delete/")
        assert response["Location"] == "/products/" and not Product.objects.exists()

    def test_a_product_in_use_stays_and_the_page_says_why(self, manager_client, admin):
        product, substitute = make_product(admin, sku="USER-1"), make_product(admin, sku="USED-1")
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[substitute.pk])
        response = manager_client.post(f"/products/{substitute.pk}/delete/", follow=True, **EN)
        assert "cannot be deleted" in response.content.decode() and "USER-1" in response.content.decode()
        assert Product.objects.filter(pk=substitute.pk).exists()


class TestSubstitutesOnThePage:
    def test_adding_and_reordering_answers_htmx_with_the_list_and_the_history(self, manager_client, admin):
        product, a, b = make_product(admin), make_product(admin, sku="SUB-A"), make_product(admin, sku="SUB-B")
        url = f"/products/{product.pk}/substitutes/"
        manager_client.post(url, {"ids": f"{a.pk},{b.pk}"}, **HTMX)
        response = manager_client.post(url, {"ids": f"{b.pk},{a.pk}"}, **HTMX)
        body = response.content.decode()
        assert "<html" not in body and body.index("SUB-B") < body.index("SUB-A")
        assert 'hx-swap-oob="true"' in body
        assert list(product.substitute_links.values_list("substitute__sku", flat=True)) == ["SUB-B", "SUB-A"]

    def test_a_bad_list_shows_the_error(self, manager_client, admin):
        product = make_product(admin)
        url = f"/products/{product.pk}/substitutes/"
        response = manager_client.post(url, {"ids": str(product.pk)}, **HTMX, **EN)
        assert "A product cannot be its own substitute." in response.content.decode()
        response = manager_client.post(url, {"ids": "1,x"}, **HTMX, **EN)
        assert "The list of substitutes is not valid." in response.content.decode()
        response = manager_client.post(url, {"ids": "99999999999999999999,-3"}, **HTMX, **EN)
        assert "These products do not exist: 99999999999999999999, -3." in response.content.decode()

    def test_ids_too_large_for_the_database_are_just_not_found(self, manager_client):
        assert manager_client.get("/products/99999999999999999999/").status_code == 404
        assert manager_client.post("/products/99999999999999999999/substitutes/", {"ids": ""}).status_code == 404

    def test_the_candidates_are_active_products_not_yet_listed(self, manager_client, admin):
        product = make_product(admin, name="笔记本电脑 甲")
        listed, free = make_product(admin, name="笔记本电脑 乙"), make_product(admin, name="笔记本电脑 丙")
        old = make_product(admin, name="笔记本电脑 丁")
        services.deactivate_product(actor=admin, product_id=old.pk)
        services.set_substitutes(actor=admin, product_id=product.pk, substitute_ids=[listed.pk])
        response = manager_client.get(f"/products/{product.pk}/substitutes/candidates/", {"q": "bjbdn"})
        assert [c["id"] for c in response.context["candidates"]] == [free.pk]
        assert response.context["candidates"][0]["ids"] == f"{listed.pk},{free.pk}"


class TestPicturesOnThePage:
    def test_uploads_with_htmx_and_shows_the_gallery(self, manager_client, admin):
        product = make_product(admin)
        response = manager_client.post(f"/products/{product.pk}/images/", {"file": upload()}, **HTMX, **EN)
        assert "Primary" in response.content.decode() and product.images.count() == 1

    def test_a_fake_picture_shows_the_error_on_the_upload_field(self, manager_client, admin):
        product = make_product(admin)
        response = manager_client.post(f"/products/{product.pk}/images/",
                                       {"file": upload(name="x.jpg", data=b"not a picture")}, **HTMX, **EN)
        assert "this file is not one" in response.content.decode() and not product.images.exists()

    def test_without_htmx_goes_back_to_the_product_with_a_message(self, manager_client, admin):
        product = make_product(admin)
        response = manager_client.post(f"/products/{product.pk}/images/",
                                       {"file": upload(name="x.jpg", data=b"nope")}, follow=True, **EN)
        assert response.redirect_chain[-1][0] == f"/products/{product.pk}/"
        assert "this file is not one" in response.content.decode()

    def test_makes_primary_and_removes(self, manager_client, admin):
        product = make_product(admin)
        first = add_picture(product)
        second = add_picture(product, data=picture_bytes("JPEG"))
        manager_client.post(f"/products/{product.pk}/images/{second.pk}/primary/", **HTMX)
        assert product.images.get(is_primary=True) == second
        manager_client.post(f"/products/{product.pk}/images/{second.pk}/delete/", **HTMX)
        assert list(product.images.all()) == [first] and product.images.get().is_primary


class TestCategoryPages:
    def test_lists_the_tree(self, client_for, admin):
        top = make_category(admin, code="computers", name="电脑整机")
        make_category(admin, code="laptops", name="笔记本电脑", parent=top)
        page = client_for(Role.SALES).get("/products/categories/").content.decode()
        assert page.index("电脑整机") < page.index("笔记本电脑") and "indent-1" in page

    def test_creates_and_edits_with_history(self, manager_client):
        response = manager_client.post("/products/categories/new/", {"name": "耗材", "code": "supplies",
                                                                     "active": "on"})
        assert response.status_code == 302
        category = Category.objects.get()
        manager_client.post(f"/products/categories/{category.pk}/edit/", {"name": "办公耗材", "code": "supplies"})
        page = manager_client.get(f"/products/categories/{category.pk}/edit/", **EN).content.decode()
        assert "办公耗材" in page and "History" in page

    def test_a_move_under_its_own_child_is_shown_on_the_parent_field(self, manager_client, admin):
        top = make_category(admin, code="top")
        child = make_category(admin, code="child", parent=top)
        response = manager_client.post(f"/products/categories/{top.pk}/edit/",
                                       {"name": top.name, "code": "top", "parent_id": child.pk}, **EN)
        assert "parent_id" in response.context["form"].errors
        assert Category.objects.get(pk=top.pk).parent_id is None
