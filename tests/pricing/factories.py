"""Pricing rules for tests, written straight to the database so any test can use them without an
actor: ``price_list(...)``, ``price_list_item(...)``, ``promotion(...)``. Each takes any model field
as a keyword and fills in the rest with a plain, valid default. (The services, with their checks
and audit, are tested in test_services.py.) Also used by the permission matrix (tests/core)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal

from kaidan.catalog.models import Category, Product
from kaidan.parties.models import CustomerGroup
from kaidan.pricing.models import PriceList, PriceListItem, Promotion

_numbers = itertools.count(1)

# The values each kind of promotion needs, unless given.
PROMOTION_DEFAULTS = {
    "percent_off": {"percent": Decimal("10")},
    "amount_off": {"amount": Decimal("5")},
    "order_threshold": {"threshold": Decimal("1000"), "amount": Decimal("100")},
    "buy_x_get_y": {"buy_quantity": Decimal("2"), "free_quantity": Decimal("1")},
}


def price_list(**fields) -> PriceList:
    """An active list for everyone, in CNY, tax-inclusive, valid always, priority 100.
    Give ``customer=`` or ``group=`` to narrow it, ``valid_from=``/``valid_to=`` to date it."""
    n = next(_numbers)
    return PriceList.objects.create(**{"code": f"PL-{n}", "name": f"价目表 {n}", **fields})


def price_list_item(product: Product, *, on: PriceList | None = None, price: Decimal | str | None = None,
                    percent: Decimal | str | None = None, min_quantity: Decimal | str = "0") -> PriceListItem:
    """One price of ``product`` on the list ``on`` (a new general list by default) from ``min_quantity``:
    a fixed ``price``, or ``percent`` off the list price. Neither given: a fixed price of 90."""
    if price is None and percent is None:
        price = "90"
    method = PriceListItem.Method.FIXED if price is not None else PriceListItem.Method.PERCENT_OFF
    return PriceListItem.objects.create(
        price_list=on if on is not None else price_list(), product=product, min_quantity=Decimal(min_quantity),
        method=method, price=Decimal(price) if price is not None else None,
        percent=Decimal(percent) if percent is not None else None)


def promotion(kind: str = "percent_off", *, products: Iterable[Product] = (), categories: Iterable[Category] = (),
              customer_groups: Iterable[CustomerGroup] = (), **fields) -> Promotion:
    """An active promotion of this kind (10% off, 5 off per unit, 100 off from 1000, buy 2 get 1 by
    default) for every product and customer unless ``products``/``categories``/``customer_groups``
    are given; any other field as a keyword (``exclusive=True``, ``priority=10``...)."""
    n = next(_numbers)
    created = Promotion.objects.create(**{"code": f"PROMO-{n}", "name": f"促销 {n}", "kind": kind,
                                          **PROMOTION_DEFAULTS[kind], **fields})
    created.products.set(products)
    created.categories.set(categories)
    created.customer_groups.set(customer_groups)
    return created


def pricing_sample_ids() -> dict[str, int | str]:
    """Fresh objects for the pricing URLs' parameters (the permission matrix): a list with one item,
    a promotion, a role."""
    from tests.catalog.factories import make_product

    item = price_list_item(make_product())
    return {"price_list_id": item.price_list_id, "item_id": item.pk, "promotion_id": promotion().pk, "role": "sales"}
