"""Demo customers for `make run`: about 50 Chinese companies with addresses, contacts, terms and
limits, owned mostly by the demo salesperson. Idempotent: customers are keyed by credit code."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from kaidan.core.validators import uscc_check_character
from kaidan.parties import services, services_people
from kaidan.parties.models import Customer, CustomerGroup, PaymentTerm

# (province, city, district, street, postcode, region code of the credit code)
PLACES = [
    ("上海市", "上海市", "浦东新区", "张江路", "201203", "310115"),
    ("北京市", "北京市", "海淀区", "中关村大街", "100080", "110108"),
    ("广东省", "深圳市", "南山区", "科技园南路", "518057", "440305"),
    ("广东省", "广州市", "天河区", "天河北路", "510620", "440106"),
    ("浙江省", "杭州市", "西湖区", "文三路", "310012", "330106"),
    ("江苏省", "苏州市", "工业园区", "星湖街", "215021", "320571"),
    ("四川省", "成都市", "高新区", "天府大道", "610041", "510109"),
    ("湖北省", "武汉市", "洪山区", "珞喻路", "430074", "420111"),
    ("天津市", "天津市", "滨海新区", "第二大街", "300457", "120116"),
    ("山东省", "青岛市", "崂山区", "香港东路", "266061", "370212"),
]
WORDS = ["华信", "金桥", "恒达", "鼎盛", "瑞丰", "宏图", "新元", "远航", "启明", "永泰", "东方", "博远", "汇通",
         "天成", "嘉禾", "润泽", "鸿运", "中科", "联创", "盛世", "安泰", "明德", "德润", "卓越", "星辰"]
TRADES = ["科技", "贸易", "电子", "信息技术", "办公设备", "网络工程"]
PEOPLE = [("王", "磊", "13812345678"), ("李", "娜", "13912345678"), ("张", "伟", "13712345678"),
          ("刘", "洋", "13612345678"), ("陈", "静", "15012345678"), ("杨", "帆", "15112345678"),
          ("赵", "敏", "18612345678"), ("黄", "勇", "18812345678")]
TITLES = ["采购经理", "总经理", "财务主管", "IT 主管", "行政经理"]
COUNT = 50


def _uscc(index: int, region: str) -> str:
    first17 = f"91{region}MA{index:03d}DEMO"[:17].replace("O", "0").replace("I", "1")
    return first17 + uscc_check_character(first17)


def demo_customers():
    """(data, address, contact) for each demo customer, the same on every run."""
    terms = list(PaymentTerm.objects.order_by("id"))
    groups = list(CustomerGroup.objects.order_by("id"))
    for i in range(COUNT):
        province, city, district, street, postcode, region = PLACES[i % len(PLACES)]
        word, trade = WORDS[i % len(WORDS)], TRADES[i % len(TRADES)]
        name = f"{city.removesuffix('市')}{word}{trade}有限公司"
        family, given, mobile = PEOPLE[i % len(PEOPLE)]
        city_short = city.removesuffix("市")
        data = {"name": name, "short_name": f"{word}{trade}", "uscc": _uscc(i + 1, region),
                "payment_term_id": terms[i % len(terms)].pk if terms else None,
                "group_id": groups[i % len(groups)].pk if groups else None,
                "credit_limit": Decimal(50000 * (1 + i % 8)),
                "tax_address": f"{province}{city}{district}{street}{i + 8}号",
                "tax_phone": f"0{20 + i % 70}-{5000_0000 + i * 137}", "bank_name": f"中国工商银行{city_short}分行",
                "bank_account": f"1001 {2000 + i:04d} {30000000 + i * 7919:08d}"}
        address = {"kind": "shipping", "province": province, "city": city, "district": district,
                   "street": f"{street} {i + 8} 号", "postcode": postcode, "recipient": family + given,
                   "phone": mobile}
        contact = {"name": family + given, "title": TITLES[i % len(TITLES)], "mobile": mobile,
                   "email": f"buyer{i + 1}@demo-customer.example"}
        yield data, address, contact


@transaction.atomic
def load_demo() -> list[str]:
    User = get_user_model()
    manager = User.objects.filter(username="manager").first()
    sales = User.objects.filter(username="sales").first()
    if manager is None or sales is None:
        return []
    created = 0
    for index, (data, address, contact) in enumerate(demo_customers()):
        if Customer.objects.filter(uscc=data["uscc"]).exists():
            continue
        owner = manager if index % 5 == 4 else sales
        customer = services.create_customer(actor=manager, data={**data, "owner_id": owner.pk})
        services_people.save_address(actor=manager, customer_id=customer.pk, data=address)
        services_people.save_address(actor=manager, customer_id=customer.pk,
                                     data={**address, "kind": "billing", "street": f"{address['street']} 财务部"})
        services_people.save_contact(actor=manager, customer_id=customer.pk, data=contact)
        created += 1
    return [f"{created} customers"] if created else []
