"""Demo data for `make run`: one user per role and the company. Idempotent: existing rows are kept."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from kaidan.core import services
from kaidan.core.models import CompanySettings
from kaidan.core.roles import Role

DEMO_PASSWORD = "kaidan-demo"
DEMO_USERS = [
    # username, family name, given name, role
    ("sales", "王", "芳", Role.SALES),
    ("manager", "李", "强", Role.SALES_MANAGER),
    ("gm", "周", "建国", Role.GENERAL_MANAGER),
    ("warehouse", "张", "伟", Role.WAREHOUSE),
    ("finance", "刘", "洋", Role.FINANCE),
    ("aftersales", "陈", "静", Role.AFTERSALES),
    ("admin", "赵", "敏", Role.ADMIN),
]
DEMO_COMPANY = {
    "name": "上海开单贸易有限公司",
    "uscc": "91310115MA1K4A2B3A",
    "address": "上海市浦东新区张江路 88 号 3 楼",
    "phone": "021-5080 1234",
    "bank_name": "招商银行上海张江支行",
    "bank_account": "1219 0876 5432 101",
    "base_currency": "CNY",
    "default_vat_rate": Decimal("0.13"),
}


@transaction.atomic
def load_demo() -> list[str]:
    """Create what is missing; return a line per thing created (empty on a second run)."""
    created = []
    User = get_user_model()
    for username, family, given, role in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, last_name=family,
                                        first_name=given, email=f"{username}@demo.kaidan.example",
                                        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        user.groups.add(Group.objects.get(name=role.value))
        created.append(f"user {username} ({role.value})")
    if not CompanySettings.objects.filter(pk=1).exists():
        admin = User.objects.get(username="admin")
        services.update_company_settings(actor=admin, version=0, data=DEMO_COMPANY)
        created.append("company settings")
    return created


def login_lines() -> list[str]:
    return [f"  {username:<11} / {DEMO_PASSWORD}   ({role.label})" for username, _f, _g, role in DEMO_USERS]
