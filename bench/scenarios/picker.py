"""The pickers of order entry: search over N products and N/5 customers, as a salesperson types.

Setup (not timed): N products and N // 5 customers bulk-created with their search column (text,
full pinyin, initials) exactly as the services write it, in 20 categories and 8 units.
Measured: the server time of one picker search — the selector call, query and row building, what a
request spends beyond HTTP — for a mix of queries people type: pinyin initials, full pinyin, a
Chinese fragment, a SKU prefix, an exact SKU, two words, a customer name in initials. Reported:
median and p95 in milliseconds over all queries (each query run several times, first run
discarded). Target on PostgreSQL: median under 30 ms with N = 100,000.
Checked: every query finds what it must (the exact SKU first; known names among the hits).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from decimal import Decimal

from bench.common import Result

NAME = "picker"
DEFAULT_N = 100_000
REPEAT = 5
BATCH = 2_000
TARGET_MS = 30.0

NOUNS = ["笔记本电脑", "台式机", "显示器", "打印机", "投影仪", "路由器", "交换机", "硒鼓", "墨盒", "键盘", "鼠标",
         "扫描仪", "服务器", "硬盘", "内存条", "平板电脑", "摄像头", "耳机", "音箱", "复印纸"]
BRANDS = ["联想", "惠普", "华为", "戴尔", "得力", "爱普生", "佳能", "小米", "TP-LINK", "罗技"]
CITIES = ["上海", "北京", "深圳", "广州", "杭州", "苏州", "成都", "武汉", "天津", "青岛"]
WORDS = ["华信", "金桥", "恒达", "鼎盛", "瑞丰", "宏图", "新元", "远航", "启明", "永泰"]


def _product_rows(n: int, categories, units):
    from kaidan.catalog.models import Product
    from kaidan.core.search import search_text

    for i in range(n):
        noun, brand = NOUNS[i % len(NOUNS)], BRANDS[(i // len(NOUNS)) % len(BRANDS)]
        sku = f"SKU{i:07d}"
        name, model, spec = f"{brand}{noun}", f"M{i % 997:03d}-{i % 89}", f"{10 + i % 90}规格"
        category = categories[i % len(categories)]
        yield Product(sku=sku, name=name, spec=spec, model=model, brand=brand, category=category,
                      unit=units[i % len(units)], list_price=Decimal(100 + i % 5000), standard_cost=Decimal(60),
                      search_text=search_text(sku, name, spec, model, brand, "", category.name))


def _setup(n: int) -> None:
    from django.contrib.auth import get_user_model

    from kaidan.catalog.models import Category, Product, Unit
    from kaidan.core.search import search_text
    from kaidan.parties.models import Customer

    categories = [Category.objects.create(code=f"C{i:02d}", name=NOUNS[i]) for i in range(len(NOUNS))]
    units = list(Unit.objects.all()[:8]) or [Unit.objects.create(code="PCS", name="个")]
    rows, batch = _product_rows(n, categories, units), []
    for product in rows:
        batch.append(product)
        if len(batch) == BATCH:
            Product.objects.bulk_create(batch)
            batch = []
    Product.objects.bulk_create(batch)
    customers = []
    for i in range(n // 5):
        name = f"{CITIES[i % 10]}{WORDS[(i // 10) % 10]}{NOUNS[(i // 100) % 20]}贸易有限公司{i}"
        customers.append(Customer(code=f"K{i:06d}", name=name, search_text=search_text(f"K{i:06d}", name)))
        if len(customers) == BATCH:
            Customer.objects.bulk_create(customers)
            customers = []
    Customer.objects.bulk_create(customers)
    get_user_model().objects.create_superuser("bench", password="bench-picker-1")


QUERIES = [
    # (what people type, which picker, something that must be among the hits: a SKU or a name part)
    ("bjbdn", "product", "笔记本电脑"),
    ("lianxiang bijiben", "product", "联想笔记本电脑"),
    ("打印机", "product", "打印机"),
    ("SKU00123", "product", "SKU0012300"),
    ("SKU0054321", "product", "SKU0054321"),
    ("hp dyj", "product", None),
    ("硒鼓 惠普", "product", "惠普硒鼓"),
    ("m123", "product", None),
    ("shhx", "customer", "上海华信"),
    ("深圳 恒达", "customer", "深圳恒达"),
    ("K000042", "customer", "K000042"),
]


def run(n: int, backend: str) -> Iterator[Result]:
    from django.contrib.auth import get_user_model

    from kaidan.catalog.selectors import picker as product_picker
    from kaidan.parties.selectors import customer_picker

    started = time.perf_counter()
    _setup(n)
    setup_seconds = time.perf_counter() - started
    user = get_user_model().objects.get(username="bench")
    timings, problems, per_query = [], [], {}
    measured = time.perf_counter()
    for query, kind, expected in QUERIES:
        for attempt in range(REPEAT + 1):
            t0 = time.perf_counter()
            hits = product_picker(query) if kind == "product" else customer_picker(user, query)
            elapsed = (time.perf_counter() - t0) * 1000
            if attempt:  # the first run warms caches
                timings.append(elapsed)
                per_query.setdefault(query, []).append(elapsed)
        texts = [f"{h.get('sku', h.get('code'))} {h['name']}" for h in hits]
        if expected and not any(expected in t for t in texts):
            problems.append(f"{query!r} missed {expected!r}")
    seconds = time.perf_counter() - measured
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    slow = backend == "postgres" and median > TARGET_MS
    slowest = max(per_query, key=lambda q: statistics.median(per_query[q]))
    note = (f"p95_ms={p95:.1f} slowest={slowest!r}:{statistics.median(per_query[slowest]):.1f}ms "
            f"setup={setup_seconds:.0f}s" + (f" median over target {TARGET_MS} ms" if slow else ""))
    note += "".join(f"; {p}" for p in problems)
    yield Result({"products": n, "customers": n // 5, "queries": len(timings)}, "median_ms", median,
                 not problems and not slow, seconds, note)
