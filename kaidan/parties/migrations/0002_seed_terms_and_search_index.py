"""Common payment terms and customer groups, and a trigram index for customer search."""

from django.db import migrations

from kaidan.core.db import trigram_index

PAYMENT_TERMS = [
    # code, name, kind, days
    ("prepaid", "款到发货", "prepaid", 0),
    ("cod", "货到付款", "on_delivery", 0),
    ("net30", "发票后30天", "net", 30),
    ("month30", "月结30天", "month_end", 30),
    ("month60", "月结60天", "month_end", 60),
]
GROUPS = [("dealer", "经销商"), ("key-account", "大客户"), ("retail", "零售客户")]


def seed(apps, schema_editor):
    PaymentTerm = apps.get_model("parties", "PaymentTerm")
    CustomerGroup = apps.get_model("parties", "CustomerGroup")
    for code, name, kind, days in PAYMENT_TERMS:
        PaymentTerm.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "days": days})
    for code, name in GROUPS:
        CustomerGroup.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        trigram_index("parties_customer", "search_text", "parties_customer_search_trgm"),
    ]
