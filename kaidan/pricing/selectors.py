"""Reads of pricing rules, turned into the plain facts the price engine takes (engine.py holds no ORM).

``pricing_context`` loads, in a handful of queries whatever the number of lines, the price lists
that can apply to a customer on a date (with their items for the products being priced only), the
promotions valid on that date and the free products they give."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from kaidan.catalog.models import Category, Product
from kaidan.core.roles import Capability, has_capability, roles_of
from kaidan.parties.models import Customer
from kaidan.pricing.engine import (
    CustomerFacts,
    PriceListFacts,
    PriceListItemFacts,
    PricingContext,
    ProductFacts,
    PromotionFacts,
)
from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem, Promotion

PRODUCT_FACT_FIELDS = ["id", "sku", "name", "list_price", "price_includes_tax", "vat_rate", "standard_cost",
                       "category_id"]


def category_ancestors() -> dict[int, frozenset[int]]:
    """Each category's id with the ids of all its ancestors (one query)."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    result = {}
    for cid in parents:
        chain, node = set(), cid
        while node is not None and node not in chain:
            chain.add(node)
            node = parents.get(node)
        result[cid] = frozenset(chain)
    return result


def product_facts(products: Iterable[Product],
                  ancestors: dict[int, frozenset[int]] | None = None) -> dict[int, ProductFacts]:
    """ProductFacts per product id; pass ``ancestors`` when calling more than once."""
    products = list(products)
    if ancestors is None:
        ancestors = category_ancestors() if any(p.category_id for p in products) else {}
    return {p.pk: ProductFacts(id=p.pk, sku=p.sku, name=p.name, list_price=p.list_price,
                               list_price_includes_tax=p.price_includes_tax, vat_rate=p.vat_rate,
                               standard_cost=p.standard_cost,
                               category_ids=ancestors.get(p.category_id, frozenset()))
            for p in products}


def products_for_pricing(product_ids: Iterable[int]) -> dict[int, Product]:
    return {p.pk: p for p in Product.objects.filter(pk__in=set(product_ids)).select_related("unit")}


def _valid_on(date: datetime.date) -> Q:
    return ((Q(valid_from__isnull=True) | Q(valid_from__lte=date))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=date)))


def applicable_price_lists(customer: Customer, date: datetime.date, currency: str) -> QuerySet[PriceList]:
    """Active lists valid on the date in the currency, for this customer, its group or everyone."""
    reach = Q(customer__isnull=True, group__isnull=True) | Q(customer_id=customer.pk)
    if customer.group_id:
        reach |= Q(group_id=customer.group_id)
    return PriceList.objects.filter(reach, _valid_on(date), active=True, currency=currency)


def default_price_list(customer: Customer, date: datetime.date, currency: str) -> PriceList | None:
    """The list an order starts with: the customer's own, else its group's, else a general one."""
    lists = list(applicable_price_lists(customer, date, currency))
    lists.sort(key=lambda pl: (0 if pl.customer_id else 1 if pl.group_id else 2, pl.priority, pl.pk))
    return lists[0] if lists else None


def active_promotions(date: datetime.date) -> QuerySet[Promotion]:
    return Promotion.objects.filter(_valid_on(date), active=True).prefetch_related(
        Prefetch("products", queryset=Product.objects.only("id")),
        Prefetch("categories", queryset=Category.objects.only("id")),
        "customer_groups")


def _list_facts(pl: PriceList, items: list[PriceListItem]) -> PriceListFacts:
    return PriceListFacts(
        id=pl.pk, code=pl.code, name=pl.name, currency=pl.currency, prices_include_tax=pl.prices_include_tax,
        customer_id=pl.customer_id, group_id=pl.group_id, valid_from=pl.valid_from, valid_to=pl.valid_to,
        priority=pl.priority,
        items=tuple(PriceListItemFacts(product_id=i.product_id, min_quantity=i.min_quantity, method=i.method,
                                       value=i.price if i.method == PriceListItem.Method.FIXED else i.percent)
                    for i in items))


def _promotion_facts(p: Promotion) -> PromotionFacts:
    return PromotionFacts(
        id=p.pk, code=p.code, name=p.name, kind=p.kind, priority=p.priority, exclusive=p.exclusive,
        valid_from=p.valid_from, valid_to=p.valid_to,
        product_ids=frozenset(x.pk for x in p.products.all()),
        category_ids=frozenset(x.pk for x in p.categories.all()),
        customer_group_ids=frozenset(x.pk for x in p.customer_groups.all()),
        percent=p.percent, amount=p.amount, threshold=p.threshold, buy_quantity=p.buy_quantity,
        free_quantity=p.free_quantity, free_product_id=p.free_product_id)


def pricing_context(*, customer: Customer, date: datetime.date, currency: str, prices_include_tax: bool,
                    product_ids: Iterable[int], preferred_price_list_id: int | None = None,
                    ancestors: dict[int, frozenset[int]] | None = None) -> PricingContext:
    """Everything the engine needs to price these products for this customer on this date."""
    product_ids = set(product_ids)
    lists = list(applicable_price_lists(customer, date, currency))
    items: dict[int, list[PriceListItem]] = {pl.pk: [] for pl in lists}
    if lists and product_ids:
        for item in PriceListItem.objects.filter(price_list_id__in=list(items), product_id__in=product_ids):
            items[item.price_list_id].append(item)
    promotions = [_promotion_facts(p) for p in active_promotions(date)]
    free_ids = {p.free_product_id for p in promotions if p.free_product_id}
    free_products = {}
    if free_ids:
        free_products = product_facts(Product.objects.filter(pk__in=free_ids).only(*PRODUCT_FACT_FIELDS),
                                      ancestors)
    return PricingContext(
        customer=CustomerFacts(id=customer.pk, group_id=customer.group_id), date=date, currency=currency,
        prices_include_tax=prices_include_tax, price_lists=tuple(_list_facts(pl, items[pl.pk]) for pl in lists),
        promotions=tuple(promotions), preferred_price_list_id=preferred_price_list_id, products=free_products)


def discount_limit_for(user) -> Decimal:
    """The highest manual discount % the user may give: the best of their roles (0 without one)."""
    if getattr(user, "is_superuser", False):
        return Decimal("100")
    roles = [r.value for r in roles_of(user)]
    limits = DiscountLimit.objects.filter(role__in=roles).values_list("max_percent", flat=True)
    return max(limits, default=Decimal("0"))


def can_see_cost(user) -> bool:
    return has_capability(user, Capability.VIEW_COST)


def price_lists() -> QuerySet[PriceList]:
    return PriceList.objects.select_related("customer", "group").order_by("priority", "code")


def promotions() -> QuerySet[Promotion]:
    return Promotion.objects.select_related("free_product").order_by("priority", "code")
