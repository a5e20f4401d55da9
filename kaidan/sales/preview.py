"""Price lines without saving anything: the price-preview endpoint and the order screen's
"what would this cost" use the same checks and the same engine as a saved order."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.parties.selectors import customers_visible_to
from kaidan.pricing import engine
from kaidan.pricing import selectors as pricing_selectors
from kaidan.pricing.models import PriceList
from kaidan.sales.repricing import check_manual_reductions
from kaidan.sales.validation import Errors, check_lines, parse_date


def preview_prices(*, actor, customer_id: int, lines: list[dict[str, Any]], order_date=None, currency=None,
                   price_list_id: int | None = None, prices_include_tax: bool = True):
    """Price ``lines`` for a customer as an order would be; returns (PricedOrder, products by id, currency).
    Raises ValidationFailed naming the field and line."""
    errors = Errors()
    customer = customers_visible_to(actor).filter(pk=customer_id).first()
    if customer is None:
        errors.add("customer_id", _("Choose a customer you can see."))
    date = parse_date(order_date, errors=errors, field="order_date") or timezone.localdate()
    checked = check_lines(lines, actor=actor, errors=errors)
    currency = currency or (customer.currency if customer else "CNY")
    if price_list_id and not PriceList.objects.filter(pk=price_list_id, active=True, currency=currency).exists():
        errors.add("price_list_id", _("Choose an active price list in the order's currency."))
    errors.raise_if_any()
    products = {item.product.pk: item.product for item in checked}
    facts = pricing_selectors.product_facts(products.values())
    ctx = pricing_selectors.pricing_context(customer=customer, date=date, currency=currency,
                                            prices_include_tax=prices_include_tax, product_ids=products,
                                            preferred_price_list_id=price_list_id)
    requests = [engine.LineRequest(key=str(index), product=facts[item.product.pk], quantity=item.quantity,
                                   discount_percent=item.discount_percent, unit_price=item.unit_price)
                for index, item in enumerate(checked)]
    priced = engine.price_order(requests, ctx)
    keys = {str(i) for i in range(len(requests))}
    check_manual_reductions(priced, {k: int(k) for k in keys}, actor=actor, keys=keys, errors=errors)
    errors.raise_if_any()
    missing = {p.product_id for p in priced.lines} - set(products)
    if missing:  # free products of buy-X-get-Y promotions
        products.update(pricing_selectors.products_for_pricing(missing))
    return priced, products, currency
