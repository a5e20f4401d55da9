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


def product_facts_by_id(product_ids: Iterable[int]) -> dict[int, ProductFacts]:
    """ProductFacts for these ids in one light query (no model instances), for re-pricing big orders."""
    rows = list(Product.objects.filter(pk__in=set(product_ids)).values_list(*PRODUCT_FACT_FIELDS))
    ancestors = category_ancestors() if any(row[-1] for row in rows) else {}
    return {pk: ProductFacts(id=pk, sku=sku, name=name, list_price=list_price, list_price_includes_tax=includes,
                             vat_rate=rate, standard_cost=cost, category_ids=ancestors.get(category, frozenset()))
            for pk, sku, name, list_price, includes, rate, cost, category in rows}


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
    return Promotion.objects.filter(_valid_on(date), active=True)


def _scopes(through, column: str, promotion_ids: list[int]) -> dict[int, frozenset[int]]:
    """promotion id → the ids it names in one of its many-to-many fields (one light query)."""
    found: dict[int, set[int]] = {}
    for promotion_id, other_id in through.objects.filter(promotion_id__in=promotion_ids).values_list(
            "promotion_id", column):
        found.setdefault(promotion_id, set()).add(other_id)
    return {pk: frozenset(ids) for pk, ids in found.items()}


def _list_facts(pl: PriceList, items: list[tuple]) -> PriceListFacts:
    return PriceListFacts(
        id=pl.pk, code=pl.code, name=pl.name, currency=pl.currency, prices_include_tax=pl.prices_include_tax,
        customer_id=pl.customer_id, group_id=pl.group_id, valid_from=pl.valid_from, valid_to=pl.valid_to,
        priority=pl.priority,
        items=tuple(PriceListItemFacts(product_id=product_id, min_quantity=min_quantity, method=method,
                                       value=price if method == PriceListItem.Method.FIXED else percent)
                    for _list_id, product_id, min_quantity, method, price, percent in items))


def _promotion_facts(p: Promotion, products=None, categories=None, groups=None) -> PromotionFacts:
    """Facts of a promotion; pass the scopes (from ``_scopes``) to avoid three queries per promotion."""
    empty: frozenset[int] = frozenset()
    return PromotionFacts(
        id=p.pk, code=p.code, name=p.name, kind=p.kind, priority=p.priority, exclusive=p.exclusive,
        valid_from=p.valid_from, valid_to=p.valid_to,
        product_ids=products.get(p.pk, empty) if products is not None else frozenset(
            p.products.values_list("pk", flat=True)),
        category_ids=categories.get(p.pk, empty) if categories is not None else frozenset(
            p.categories.values_list("pk", flat=True)),
        customer_group_ids=groups.get(p.pk, empty) if groups is not None else frozenset(
            p.customer_groups.values_list("pk", flat=True)),
        percent=p.percent, amount=p.amount, threshold=p.threshold, buy_quantity=p.buy_quantity,
        free_quantity=p.free_quantity, free_product_id=p.free_product_id)


def pricing_context(*, customer: Customer, date: datetime.date, currency: str, prices_include_tax: bool,
                    product_ids: Iterable[int], preferred_price_list_id: int | None = None) -> PricingContext:
    """Everything the engine needs to price these products for this customer on this date."""
    product_ids = set(product_ids)
    lists = list(applicable_price_lists(customer, date, currency))
    items: dict[int, list[PriceListItem]] = {pl.pk: [] for pl in lists}
    if lists and product_ids:
        for row in PriceListItem.objects.filter(price_list_id__in=list(items), product_id__in=product_ids).values_list(
                "price_list_id", "product_id", "min_quantity", "method", "price", "percent"):
            items[row[0]].append(row)
    rows = list(active_promotions(date))
    ids = [p.pk for p in rows]
    scopes = (_scopes(Promotion.products.through, "product_id", ids),
              _scopes(Promotion.categories.through, "category_id", ids),
              _scopes(Promotion.customer_groups.through, "customergroup_id", ids)) if ids else ({}, {}, {})
    promotions = [_promotion_facts(p, *scopes) for p in rows]
    free_ids = {p.free_product_id for p in promotions if p.free_product_id}
    free_products = product_facts_by_id(free_ids) if free_ids else {}
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


# Reads of the pricing pages and API (price lists, promotions, discount limits as people edit them).

def price_list_list(user, *, q: str | None = None, active: bool | None = None) -> QuerySet[PriceList]:
    """The price lists the user may see (customer and group joined) with their number of items, by
    priority and code. The customers' record rule applies: a list of one customer is seen only by
    those who may see that customer (a salesperson: their own customers' lists, and all the others)."""
    from django.db.models import Count

    from kaidan.parties.selectors import customers_visible_to

    qs = price_lists().annotate(item_count=Count("items"))
    if not has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
        qs = qs.filter(Q(customer__isnull=True) | Q(customer__in=customers_visible_to(user)))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def price_list_detail(user, price_list_id: int) -> PriceList | None:
    """The list if the user may see it (see price_list_list), else None."""
    return price_list_list(user).filter(pk=price_list_id).first()


def price_list_items(price_list_id: int) -> QuerySet[PriceListItem]:
    """A list's items with their product, by SKU then quantity break."""
    return (PriceListItem.objects.filter(price_list_id=price_list_id)
            .select_related("product").order_by("product__sku", "min_quantity", "pk"))


def _with_scope(qs: QuerySet[Promotion]) -> QuerySet[Promotion]:
    return qs.prefetch_related(Prefetch("products", queryset=Product.objects.only("id", "sku", "name").order_by("sku")),
                               Prefetch("categories", queryset=Category.objects.only("id", "code", "name")),
                               "customer_groups")


def promotion_list(*, q: str | None = None, active: bool | None = None,
                   kind: str | None = None) -> QuerySet[Promotion]:
    """Promotions with their products, categories and customer groups, by priority and code."""
    qs = _with_scope(promotions())
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def promotion_detail(promotion_id: int) -> Promotion | None:
    return promotion_list().filter(pk=promotion_id).first()


def discount_limits() -> list[dict]:
    """One row per role, in the roles' order: the role, its label and its highest discount % (0 without a row)."""
    from kaidan.core.roles import Role

    stored = dict(DiscountLimit.objects.values_list("role", "max_percent"))
    return [{"role": role.value, "label": str(role.label), "max_percent": stored.get(role.value, Decimal("0.00"))}
            for role in Role]


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """The products of these SKUs (exact match), by SKU; unknown SKUs are simply absent."""
    return {p.sku: p for p in Product.objects.filter(sku__in=set(skus)).only("id", "sku", "name")}
