"""An order that needs approval, as the salesperson and the sales manager click through it: the
administrator's example rules send an ¥82,000 order to the sales manager; the salesperson sees it
waiting, and why; the manager finds it in the inbox (the menu counts it), approves with a comment,
and the order is confirmed with its stock reserved."""

from decimal import Decimal

import pytest

from kaidan.core.display import display_name
from kaidan.core.roles import Role
from kaidan.sales.models import SalesOrder
from tests.approvals.factories import example_rules
from tests.browser.test_master_data import signed_in
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_over_50000_waits_for_the_sales_manager_who_approves_it_from_the_inbox(make_user, open_browser):
    # given: the example rules (¥50,000–200,000 → the sales manager), a workstation at ¥8,200 in stock
    admin = make_user(Role.ADMIN)
    wang = make_user(Role.SALES, username="wang", first_name="伟", last_name="王")
    li = make_user(Role.SALES_MANAGER, username="li", first_name="娜", last_name="李")
    example_rules(admin)
    make_customer(wang, name="深圳恒达电子有限公司")
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    workstation = make_product(admin, sku="WS-DELL-7960", name="戴尔工作站", list_price=Decimal("8200.00"))
    receive_stock(workstation, 20, warehouse)

    # the salesperson writes an order for ten of them: ¥82,000
    steps = signed_in(open_browser, wang, locale="en-US")
    page = steps.page
    page.goto("/orders/")
    page.click("text=New order")
    page.fill("#customer-q", "szhd")
    page.click("#customer-options label:has-text('深圳恒达电子有限公司')")
    page.click("button:has-text('Create draft')")
    page.wait_for_url("**/orders/*/")
    order = SalesOrder.objects.get()
    page.fill("#product-q", "WS-DELL-7960")
    page.click("#product-options button:has-text('WS-DELL-7960')")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.fill(".add-line-form input[name=quantity]", "10")
    page.press(".add-line-form input[name=quantity]", "Enter")
    page.wait_for_function("document.querySelector('#total-gross').innerText === '¥82,000.00'")
    steps.shot("draft")

    # submitting does not confirm it: it waits for the sales manager, and says why
    page.click(".document-actions button:has-text('Submit')")
    page.wait_for_selector("h1 .status:has-text('Pending approval')")
    route = page.locator("#approval-route")
    assert "Waiting for approval" in route.inner_text()
    assert "step 1 of 1: Sales manager" in route.inner_text()
    assert "Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00" in route.inner_text()
    assert route.locator("button:has-text('Approve')").count() == 0  # not the salesperson's to decide
    assert page.locator(".document-actions button:has-text('Confirm')").count() == 0
    assert stock_of(workstation, warehouse) == (Decimal(20), Decimal(0))
    steps.shot("waiting-for-approval")

    # the sales manager finds it in the inbox, counted in the menu
    sales_steps, steps = steps, signed_in(open_browser, li, locale="en-US")
    steps.count = sales_steps.count  # one numbered run of screenshots for the whole story
    page = steps.page
    assert page.locator("nav.flow a[href='/approvals/'] .nav-count").inner_text() == "1"
    page.click("nav.flow a[href='/approvals/']")
    item = page.locator(f"#approval-{order.approval_requests.get().pk}")
    assert order.number in item.inner_text() and "深圳恒达电子有限公司" in item.inner_text()
    assert "¥82,000.00" in item.inner_text() and "Step 1 of 1" in item.inner_text()
    assert f"submitted by {display_name(wang)}" in item.inner_text()
    assert "Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00" in item.inner_text()
    steps.shot("inbox")

    # approving it there (no page load): the inbox is empty and the order confirmed
    item.locator("textarea[name=comment]").fill("价格合理，同意")
    item.locator("button:has-text('Approve')").click()
    page.wait_for_selector("#inbox:has-text('Nothing waits for your approval.')")
    assert f"{order.number} approved; the order is confirmed." in page.locator("#inbox").inner_text()
    assert page.locator("nav.flow a[href='/approvals/'] .nav-count").count() == 0  # the menu count follows
    steps.shot("approved")

    # the order page: confirmed, the stock reserved, the route with the manager's decision and comment
    page.goto(f"/orders/{order.pk}/")
    page.wait_for_selector("h1 .status:has-text('Confirmed')")
    route = page.locator("#approval-route")
    assert "Approved" in route.inner_text() and "价格合理，同意" in route.inner_text()
    assert display_name(li) in route.inner_text()
    assert stock_of(workstation, warehouse) == (Decimal(20), Decimal(10))
    steps.shot("confirmed")
