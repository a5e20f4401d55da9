"""Writes of price lists, their items and the discount limits. (Promotions: promotion_services.py.)

Each service is one transaction: check CHANGE_PRICING (Forbidden), lock (locks.py: the list, then
its items), re-check, write, audit. They take keyword-only arguments including ``actor`` and raise
DomainError subclasses. Any change of a list's items also bumps the list's ``version``, so an edit
made on a list as it was before fails with StaleEdit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaidan.catalog.models import Product
from kaidan.core import audit
from kaidan.core.errors import Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.roles import Capability, Role, has_capability
from kaidan.core.services import full_clean_or_raise, reject_unknown_fields
from kaidan.parties.models import Customer, CustomerGroup
from kaidan.pricing import locks
from kaidan.pricing import validation as v
from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem

PRICE_LIST_FIELDS = ["code", "name", "currency", "prices_include_tax", "customer_id", "group_id", "valid_from",
                     "valid_to", "priority", "active"]
PRICE_LIST_SNAPSHOT = [f.removesuffix("_id") for f in PRICE_LIST_FIELDS]
ITEM_FIELDS = ["product_id", "min_quantity", "method", "price", "percent"]
MAX_ITEMS = 20_000
Method = PriceListItem.Method


def require_change_pricing(actor) -> None:
    """Raise Forbidden unless the actor may edit pricing rules."""
    if not has_capability(actor, Capability.CHANGE_PRICING):
        raise Forbidden()


def _apply_price_list(price_list: PriceList, data: dict[str, Any]) -> None:
    """Set the given fields and check the whole list. Raises ValidationFailed naming every bad field."""
    reject_unknown_fields(data, PRICE_LIST_FIELDS)
    errors: v.Errors = {}
    for name, value in data.items():
        if name == "customer_id":
            if value is not None and not (v.is_id(value) and Customer.objects.filter(pk=value).exists()):
                v.add(errors, name, _("This customer does not exist."))
            price_list.customer_id = value if v.is_id(value) else None
        elif name == "group_id":
            if value is not None and not (v.is_id(value) and CustomerGroup.objects.filter(pk=value).exists()):
                v.add(errors, name, _("This customer group does not exist."))
            price_list.group_id = value if v.is_id(value) else None
        elif name in ("valid_from", "valid_to"):
            setattr(price_list, name, v.date(errors, name, value))
        elif name == "currency":
            price_list.currency = v.currency(errors, value) or ""
        else:
            setattr(price_list, name, value.strip() if isinstance(value, str) else value)
    if price_list.customer_id and price_list.group_id:
        message = _("A price list is for one customer or one customer group, not both.")
        v.add(errors, "customer_id", message)
        v.add(errors, "group_id", message)
    v.dates_ordered(errors, price_list.valid_from, price_list.valid_to)
    try:
        full_clean_or_raise(price_list, exclude=["version", "customer", "group", "currency", "valid_from",
                                                 "valid_to"])
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                v.add(errors, field, message)
    if errors:
        raise ValidationFailed(errors)


def _save_price_list(price_list: PriceList) -> None:
    """Save; a code taken by a concurrent request becomes a field error, not a 500."""
    try:
        with transaction.atomic():
            price_list.save()
    except IntegrityError:
        raise ValidationFailed.for_field("code", _("This code was just taken; choose another one.")) from None


def _locked_price_list(price_list_id: int) -> PriceList:
    price_list = locks.lock_price_list(price_list_id)
    if price_list is None:
        raise NotFound()
    return price_list


def _bump(price_list: PriceList) -> None:
    price_list.version += 1
    price_list.save(update_fields=["version", "updated_at"])


@transaction.atomic
def create_price_list(*, actor, data: dict[str, Any]) -> PriceList:
    """Create a price list. Raises Forbidden, ValidationFailed."""
    require_change_pricing(actor)
    price_list = PriceList()
    _apply_price_list(price_list, dict(data))
    _save_price_list(price_list)
    audit.record(price_list, "created", actor=actor, after=audit.snapshot(price_list, PRICE_LIST_SNAPSHOT))
    return price_list


@transaction.atomic
def update_price_list(*, actor, price_list_id: int, version: int, data: dict[str, Any]) -> PriceList:
    """Edit a price list's header as it was at ``version`` (fields not given keep their value).
    Raises Forbidden, NotFound, StaleEdit, ValidationFailed."""
    require_change_pricing(actor)
    price_list = _locked_price_list(price_list_id)
    before = audit.snapshot(price_list, PRICE_LIST_SNAPSHOT)
    if price_list.version != version:
        raise StaleEdit(current_version=price_list.version, current=before)
    _apply_price_list(price_list, dict(data))
    after = audit.snapshot(price_list, PRICE_LIST_SNAPSHOT)
    if after == before:
        return price_list  # nothing changed: no new version, no history noise
    price_list.version += 1
    _save_price_list(price_list)
    audit.record(price_list, "updated", actor=actor, before=before, after=after)
    return price_list


@transaction.atomic
def deactivate_price_list(*, actor, price_list_id: int) -> PriceList:
    """Stop a price list from applying to new prices (idempotent). Raises Forbidden, NotFound."""
    require_change_pricing(actor)
    price_list = _locked_price_list(price_list_id)
    if price_list.active:
        price_list.active = False
        price_list.version += 1
        price_list.save(update_fields=["active", "version", "updated_at"])
        audit.record(price_list, "deactivated", actor=actor, before={"active": True}, after={"active": False})
    return price_list


def describe_item(item: PriceListItem, sku: str) -> str:
    """How the audit log shows an item: "NB-1 ≥ 10: 4999.0000" or "NB-1 ≥ 0: -5.00%"."""
    value = item.price if item.method == Method.FIXED else f"-{item.percent}%"
    return f"{sku} ≥ {item.min_quantity}: {value}"


def _checked_item(errors: v.Errors, prefix: str, data: dict[str, Any], skus: dict[int, str]) -> PriceListItem:
    """An unsaved item from the input; its problems go to ``errors`` under ``prefix`` + field name."""
    for name in sorted(set(data) - set(ITEM_FIELDS)):
        v.add(errors, prefix + name, _("Unknown field."))
    product_id = data.get("product_id")
    if product_id is None:
        v.add(errors, prefix + "product_id", _("This field is required."))
    elif not (v.is_id(product_id) and product_id in skus):
        v.add(errors, prefix + "product_id", _("This product does not exist."))
    min_quantity = v.decimal(errors, prefix + "min_quantity", data.get("min_quantity", Decimal("0")), places=4)
    method = data.get("method") or Method.FIXED
    price = percent = None
    if method == Method.FIXED:
        price = v.decimal(errors, prefix + "price", data.get("price"), places=4)
    elif method == Method.PERCENT_OFF:
        percent = v.percent(errors, prefix + "percent", data.get("percent"))
    else:
        v.add(errors, prefix + "method", _("Choose a fixed price or a percent off the list price."))
    return PriceListItem(product_id=product_id if v.is_id(product_id) else None, min_quantity=min_quantity,
                         method=method, price=price, percent=percent)


def _skus(product_ids) -> dict[int, str]:
    wanted = {pk for pk in product_ids if v.is_id(pk)}
    return dict(Product.objects.filter(pk__in=wanted).values_list("pk", "sku")) if wanted else {}


def _duplicate_break() -> str:
    return _("This product already has a price from this quantity on the list.")


@transaction.atomic
def replace_price_list_items(*, actor, price_list_id: int, items: list[dict[str, Any]],
                             version: int | None = None) -> list[PriceListItem]:
    """Replace all items of a price list (checked as a whole: errors are named "items.<n>.<field>").
    With ``version`` the list must still be at that version. Raises Forbidden, NotFound, StaleEdit,
    ValidationFailed."""
    require_change_pricing(actor)
    price_list = _locked_price_list(price_list_id)
    if version is not None and price_list.version != version:
        raise StaleEdit(current_version=price_list.version)
    if len(items) > MAX_ITEMS:
        raise ValidationFailed.for_field("items", _("List at most %(n)d entries.") % {"n": MAX_ITEMS})
    skus = _skus(item.get("product_id") for item in items)
    errors: v.Errors = {}
    new, seen = [], set()
    for index, data in enumerate(items):
        item = _checked_item(errors, f"items.{index}.", data, skus)
        key = (item.product_id, item.min_quantity)
        if item.product_id and item.min_quantity is not None:
            if key in seen:
                v.add(errors, f"items.{index}.min_quantity", _duplicate_break())
            seen.add(key)
        item.price_list = price_list
        new.append(item)
    if errors:
        raise ValidationFailed(errors)
    old = locks.lock_price_list_items(price_list.pk)
    before = {describe_item(item, item.product.sku) for item in old}
    after = {describe_item(item, skus[item.product_id]) for item in new}
    if before == after:
        return old
    PriceListItem.objects.filter(price_list=price_list).delete()
    PriceListItem.objects.bulk_create(new, batch_size=1000)
    _bump(price_list)
    audit.record(price_list, "items_replaced", actor=actor, before={"items": sorted(before - after)},
                 after={"items": sorted(after - before)})
    return list(price_list.items.select_related("product").order_by("product__sku", "min_quantity"))


@transaction.atomic
def add_price_list_item(*, actor, price_list_id: int, data: dict[str, Any]) -> PriceListItem:
    """Add one quantity break of one product to a list. Raises Forbidden, NotFound, ValidationFailed."""
    require_change_pricing(actor)
    price_list = _locked_price_list(price_list_id)
    skus = _skus([data.get("product_id")])
    errors: v.Errors = {}
    item = _checked_item(errors, "", data, skus)
    if not errors and price_list.items.filter(product_id=item.product_id, min_quantity=item.min_quantity).exists():
        v.add(errors, "min_quantity", _duplicate_break())
    if errors:
        raise ValidationFailed(errors)
    item.price_list = price_list
    item.save()
    _bump(price_list)
    audit.record(price_list, "item_added", actor=actor, after={"items": [describe_item(item, skus[item.product_id])]})
    return item


@transaction.atomic
def remove_price_list_item(*, actor, price_list_id: int, item_id: int) -> None:
    """Remove one item of a list. Raises Forbidden, NotFound (also for an item of another list)."""
    require_change_pricing(actor)
    price_list = _locked_price_list(price_list_id)
    item = locks.lock_price_list_item(price_list.pk, item_id) if v.is_id(item_id) else None
    if item is None:
        raise NotFound()
    description = describe_item(item, item.product.sku)
    item.delete()
    _bump(price_list)
    audit.record(price_list, "item_removed", actor=actor, before={"items": [description]})


@transaction.atomic
def set_discount_limit(*, actor, role: str, max_percent: Any) -> DiscountLimit:
    """Set the highest manual discount % (0–100, 2 decimals) a role may give without approval.
    Raises Forbidden, ValidationFailed."""
    require_change_pricing(actor)
    errors: v.Errors = {}
    if role not in Role.values:
        v.add(errors, "role", _("Choose one of the roles."))
    value = v.percent(errors, "max_percent", max_percent)
    if errors:
        raise ValidationFailed(errors)
    limit = locks.lock_discount_limit(role)
    if limit is None:
        try:
            with transaction.atomic():
                limit = DiscountLimit.objects.create(role=role, max_percent=value)
        except IntegrityError:  # created meanwhile by a concurrent request: update that one
            limit = locks.lock_discount_limit(role)
        else:
            audit.record(limit, "created", actor=actor, after={"role": role, "max_percent": str(value)})
            return limit
    before = str(limit.max_percent)
    if limit.max_percent != value:
        limit.max_percent = value
        limit.save(update_fields=["max_percent"])
        audit.record(limit, "updated", actor=actor, before={"max_percent": before}, after={"max_percent": str(value)})
    return limit
