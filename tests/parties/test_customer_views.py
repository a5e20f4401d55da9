"""Customer pages: list with search, detail, create and edit, addresses, the record rule."""

import pytest

from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from tests.parties.factories import VALID_USCC, add_shipping_address, make_customer

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_my_customers_and_searches_by_pinyin(client_for, make_user):
    client = client_for(Role.SALES)
    make_customer(client.user, name="深圳南山电子有限公司")
    make_customer(make_user(Role.SALES), name="深圳福田电子有限公司")
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "深圳南山电子" in page and "深圳福田电子" not in page
    found = client.get("/customers/", {"q": "szns"}, HTTP_HX_REQUEST="true").content.decode()
    assert "深圳南山电子" in found and "<html" not in found
    assert "深圳南山电子" not in client.get("/customers/", {"q": "ftdz"}).content.decode()


def test_someone_elses_customer_page_is_404(client_for, make_user):
    other = make_customer(make_user(Role.SALES))
    assert client_for(Role.SALES).get(f"/customers/{other.pk}/").status_code == 404


def test_create_a_customer_in_the_browser(client_for):
    client = client_for(Role.SALES)
    response = client.post("/customers/new/", {"name": "广州天河贸易有限公司", "kind": "company", "uscc": VALID_USCC,
                                               "currency": "CNY", "credit_limit": "0"})
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.owner == client.user
    detail = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "广州天河贸易有限公司" in detail and "History" in detail


def test_form_errors_are_shown_on_their_fields(client_for):
    client = client_for(Role.SALES)
    response = client.post("/customers/new/", {"name": "X", "kind": "company", "uscc": "91310115MA1K4A2B3B",
                                               "currency": "CNY", "credit_limit": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "check character" in response.content.decode()
    assert not Customer.objects.exists()


def test_a_salesperson_cannot_change_the_credit_limit_field(client_for):
    client = client_for(Role.SALES)
    customer = make_customer(client.user)
    client.post(f"/customers/{customer.pk}/edit/", {"version": 1, "code": customer.code, "name": "改名",
                                                     "kind": "company", "currency": "CNY", "credit_limit": "99999"})
    customer.refresh_from_db()
    assert customer.name == "改名" and customer.credit_limit == 0


def test_a_stale_edit_form_says_so(client_for):
    client = client_for(Role.SALES)
    customer = make_customer(client.user)
    data = {"version": 1, "code": customer.code, "name": "一", "kind": "company", "currency": "CNY"}
    client.post(f"/customers/{customer.pk}/edit/", data)
    response = client.post(f"/customers/{customer.pk}/edit/", {**data, "name": "二"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Someone else changed" in response.content.decode()


def test_add_and_remove_addresses_and_contacts(client_for):
    client = client_for(Role.SALES)
    customer = make_customer(client.user)
    client.post(f"/customers/{customer.pk}/addresses/", {
        "address-kind": "shipping", "address-province": "上海市", "address-city": "上海市",
        "address-street": "世纪大道 100 号", "address-postcode": "200120"})
    bad = client.post(f"/customers/{customer.pk}/contacts/", {"contact-name": "王", "contact-mobile": "123"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and "mobile" in bad.content.decode()
    client.post(f"/customers/{customer.pk}/contacts/", {"contact-name": "王经理", "contact-mobile": "13800138000"})
    assert customer.addresses.get().is_default and customer.contacts.get().is_primary
    client.post(f"/customers/{customer.pk}/addresses/{customer.addresses.get().pk}/delete/")
    assert not customer.addresses.exists()


def test_block_and_unblock_from_the_page(client_for, make_user):
    customer = make_customer(make_user(Role.SALES))
    add_shipping_address(customer.owner, customer)
    finance = client_for(Role.FINANCE)
    finance.post(f"/customers/{customer.pk}/status/blocked/", {"reason": "超过信用额度"})
    customer.refresh_from_db()
    assert customer.status == "blocked" and customer.blocked_reason == "超过信用额度"
    finance.post(f"/customers/{customer.pk}/status/active/")
    customer.refresh_from_db()
    assert customer.status == "active"
