"""Writing an order as a salesperson does: pick the customer by pinyin initials, add two products
through the picker (a click, then Enter on the best match), change a quantity and watch the totals
follow without a reload, read how a line was priced, submit."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from kaidan.sales.models import SalesOrder
from tests.browser.test_master_data import signed_in
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock, make_warehouse
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_salesperson_writes_and_submits_an_order(make_user, open_browser):
    # given
    wang, admin = make_user(Role.SALES, username="wang"), make_user(Role.ADMIN)
    make_customer(wang, name="深圳恒达电子有限公司")
    make_customer(wang, name="上海华信科技有限公司")
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    in_stock(make_product(admin, sku="NB-LEN-001", name="联想笔记本电脑", list_price=Decimal("5000.00")), warehouse)
    in_stock(make_product(admin, sku="PR-HP-001", name="惠普打印机", list_price=Decimal("1200.00")), warehouse)
    steps = signed_in(open_browser, wang, locale="en-US")
    page = steps.page

    # a new order for the customer found by its initials
    page.goto("/orders/")
    page.click("text=New order")
    page.fill("#customer-q", "szhd")
    page.wait_for_function("!document.querySelector('#customer-options').innerText.includes('上海华信')")
    assert "深圳恒达电子有限公司" in page.locator("#customer-options").inner_text()
    page.click("#customer-options label:has-text('深圳恒达电子有限公司')")
    steps.shot("customer-picked")
    page.click("button:has-text('Create draft')")
    page.wait_for_url("**/orders/*/")
    order = SalesOrder.objects.get()
    assert order.customer.name == "深圳恒达电子有限公司"

    # first product: search by initials, click it in the list, quantity, Enter
    page.fill("#product-q", "lxbjb")
    page.click("#product-options button:has-text('NB-LEN-001')")
    quantity = page.locator(".add-line-form input[name=quantity]")
    quantity.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    quantity.fill("2")
    quantity.press("Enter")
    page.wait_for_function("document.querySelectorAll('#order-lines tbody.line-group').length === 1")
    # second product: Enter in the search picks the best match
    page.fill("#product-q", "hpdyj")
    page.press("#product-q", "Enter")
    page.wait_for_selector(".add-line-form .picked:has-text('PR-HP-001')")
    page.fill(".add-line-form input[name=quantity]", "1")
    page.click("button:has-text('Add line')")
    page.wait_for_function("document.querySelectorAll('#order-lines tbody.line-group').length === 2")
    assert page.locator("#total-gross").inner_text() == "¥11,200.00"
    steps.shot("two-lines")

    # change a quantity: the totals follow, the page is not reloaded
    page.evaluate("window.kaidanMarker = 'same page'")
    first = order.lines.get(position=1)
    page.fill(f"#q-{first.pk}", "3")
    page.press(f"#q-{first.pk}", "Tab")
    page.wait_for_function("document.querySelector('#total-gross').innerText === '¥16,200.00'")
    assert page.evaluate("window.kaidanMarker") == "same page"
    assert page.locator(f"#c-{first.pk}-amount").inner_text() == "¥15,000.00"
    assert "壹万陆仟贰佰元整" in page.locator("#order-totals").inner_text()
    steps.shot("quantity-changed")

    # how the line was priced
    page.click(f"#c-{first.pk}-breakdown summary")
    breakdown = page.locator(f"#c-{first.pk}-breakdown ol.steps")
    assert breakdown.is_visible() and "List price: ¥5,000.00" in breakdown.inner_text()
    steps.shot("breakdown")

    # submit: confirmed at once, read-only
    page.click(".document-actions button:has-text('Submit')")
    page.wait_for_selector("h1 .status:has-text('Confirmed')")
    assert page.locator("#order-lines input").count() == 0
    steps.shot("confirmed")
