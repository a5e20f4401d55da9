"""The only place the pricing app takes row locks (see the lock order in docs/architecture.md).

A price list is the header of its items: lock the list first, then its items in ascending id.
Promotions and discount limits are locked one row at a time."""

from __future__ import annotations

from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem, Promotion


def lock_price_list(price_list_id: int) -> PriceList | None:
    return PriceList.objects.select_for_update().filter(pk=price_list_id).first()


def lock_price_list_items(price_list_id: int) -> list[PriceListItem]:
    """The list's items in ascending id; take the list's lock first."""
    return list(PriceListItem.objects.select_for_update(of=("self",)).filter(price_list_id=price_list_id)
                .select_related("product").order_by("pk"))


def lock_price_list_item(price_list_id: int, item_id: int) -> PriceListItem | None:
    """One item of the list (None when it is on another list); take the list's lock first."""
    return (PriceListItem.objects.select_for_update(of=("self",)).filter(pk=item_id, price_list_id=price_list_id)
            .select_related("product").first())


def lock_promotion(promotion_id: int) -> Promotion | None:
    return Promotion.objects.select_for_update().filter(pk=promotion_id).first()


def lock_discount_limit(role: str) -> DiscountLimit | None:
    return DiscountLimit.objects.select_for_update().filter(role=role).first()
