"""The UI shell as people use it: log in, read the home page in either language, manage API
tokens, meet the 403 page, log out."""

import pytest

from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Browser-Pass-2026"


def log_in(steps, username):
    page = steps.page
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_an_admin_logs_in_switches_language_and_manages_a_token(make_user, open_browser):
    user = make_user(Role.ADMIN, username="zhao", first_name="敏", last_name="赵")
    user.set_password(PASSWORD)
    user.save()
    steps = open_browser("zh-CN")
    page = steps.page

    # given a Chinese browser, the login page and the home page speak Chinese
    page.goto("/")
    assert page.locator("h1").inner_text() == "登录开单"
    steps.shot("login")
    log_in(steps, "zhao")
    assert page.locator("h1").inner_text() == "欢迎，赵敏"
    assert page.locator(".flow").inner_text().split() == ["订单", "客户", "商品", "库存", "审批", "发货", "发票",
                                                          "收款", "报表"]
    steps.shot("home-zh")

    # when the user switches to English, every page follows
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Welcome, 赵敏"
    steps.shot("home-en")

    # an API token is created in place (htmx) and shown once
    page.click("summary")
    page.click("text=API tokens")
    page.fill("input[name=name]", "ERP 同步")
    page.click("text=Create token")
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("kd_")
    steps.shot("token-created")
    me = page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["full_name"] == "赵敏"

    # revoking asks for confirmation, then the token stops working
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Revoke")
    page.wait_for_selector("text=Revoked")
    steps.shot("token-revoked")
    assert page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status == 401

    # logging out returns to the login page
    page.click("summary")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    steps.shot("logged-out")


def test_a_salesperson_meets_the_403_page_for_company_settings(make_user, open_browser):
    user = make_user(Role.SALES, username="wang")
    user.set_password(PASSWORD)
    user.save()
    steps = open_browser("en-US")
    log_in(steps, "wang")
    response = steps.page.goto("/settings/company/")
    assert response.status == 403
    assert "No access" in steps.page.locator("h1").inner_text()
    steps.shot("forbidden")
