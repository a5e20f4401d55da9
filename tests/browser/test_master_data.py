"""Picking master data as a salesperson does: find a customer by pinyin initials among only their
own, add a shipping address; find a product by initials and open it."""

import pytest

from kaidan.core.roles import Role
from tests.catalog.factories import make_category, make_product
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Browser-Pass-2026"


def signed_in(open_browser, user, locale="zh-CN"):
    user.set_password(PASSWORD)
    user.save()
    steps = open_browser(locale)
    page = steps.page
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    return steps


def test_a_salesperson_finds_their_customer_by_initials_and_adds_an_address(make_user, open_browser):
    wang, li = make_user(Role.SALES, username="wang"), make_user(Role.SALES)
    make_customer(wang, name="深圳恒达电子有限公司")
    make_customer(wang, name="上海华信科技有限公司")
    make_customer(li, name="深圳恒通电子有限公司")  # someone else's: never shown to wang
    steps = signed_in(open_browser, wang)
    page = steps.page

    page.goto("/customers/")
    assert page.locator("#customer-rows tbody tr").count() == 2
    page.fill("input[name=q]", "szh")
    page.wait_for_function("document.querySelectorAll('#customer-rows tbody tr').length === 1")
    assert "深圳恒达电子有限公司" in page.locator("#customer-rows").inner_text()
    steps.shot("customer-search")

    page.click("text=深圳恒达电子有限公司")
    page.click("summary:has-text('地址')")
    page.fill("input[name=address-province]", "广东省")
    page.fill("input[name=address-city]", "深圳市")
    page.fill("input[name=address-street]", "科技园南路 8 号")
    page.fill("input[name=address-postcode]", "518057")
    page.click("form[action$='/addresses/'] button[type=submit]")
    page.wait_for_selector("text=科技园南路 8 号")
    assert "默认" in page.locator("section:has(h2:has-text('地址')) table").inner_text()
    steps.shot("address-added")


def test_a_salesperson_finds_a_product_by_initials(make_user, open_browser):
    admin = make_user(Role.ADMIN)
    category = make_category(admin)
    make_product(admin, sku="NB-LEN-001", name="联想笔记本电脑", category_id=category.pk)
    make_product(admin, sku="PR-HP-001", name="惠普打印机", category_id=category.pk)
    steps = signed_in(open_browser, make_user(Role.SALES), locale="en-US")
    page = steps.page

    page.goto("/products/")
    page.fill("input[name=q]", "lxbjb")
    page.wait_for_function("!document.querySelector('#product-rows').innerText.includes('PR-HP-001')")
    assert "NB-LEN-001" in page.locator("#product-rows").inner_text()
    steps.shot("product-search")
    page.click("text=NB-LEN-001")
    assert "联想笔记本电脑" in page.locator("h1").inner_text()
    steps.shot("product-detail")
