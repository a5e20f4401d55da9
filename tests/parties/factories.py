"""Customers for tests, made through the services like the UI would."""

from kaidan.parties import services, services_people
from kaidan.parties.models import PaymentTerm

VALID_USCC = "91310115MA1K4A2B3A"
OTHER_USCC = "91350100M000100Y43"


def make_customer(actor, **data):
    data.setdefault("name", "上海测试贸易有限公司")
    return services.create_customer(actor=actor, data=data)


def add_shipping_address(actor, customer, **data):
    fields = {"kind": "shipping", "province": "上海市", "city": "上海市", "district": "浦东新区",
              "street": "张江路 88 号", "postcode": "201203", "recipient": "王芳", "phone": "021-50801234", **data}
    return services_people.save_address(actor=actor, customer_id=customer.pk, data=fields)


def month_end_term():
    return PaymentTerm.objects.get_or_create(code="month30", defaults={"name": "月结30天", "kind": "month_end",
                                                                        "days": 30})[0]
