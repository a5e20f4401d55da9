"""Writes of promotions: create, edit (optimistic locking on ``version``), deactivate.

Each kind needs its own values, checked with field-level errors:

* ``percent_off`` — ``percent`` (0–100, 2 decimals);
* ``amount_off`` — ``amount`` off per unit (≥ 0, 2 decimals);
* ``order_threshold`` (满减) — ``threshold`` and ``amount``, the amount no more than the threshold;
* ``buy_x_get_y`` — ``buy_quantity`` and ``free_quantity`` (> 0, 4 decimals), optionally a
  ``free_product_id`` (empty: the same product).

Values a kind does not use are cleared, so a promotion never carries a stale value of another kind.
Products, categories and customer groups are given as lists of ids (empty: all of them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaidan.catalog.models import Category, Product
from kaidan.core import audit
from kaidan.core.errors import NotFound, StaleEdit, ValidationFailed
from kaidan.core.services import full_clean_or_raise, reject_unknown_fields
from kaidan.parties.models import CustomerGroup
from kaidan.pricing import locks
from kaidan.pricing import validation as v
from kaidan.pricing.models import Promotion
from kaidan.pricing.services import require_change_pricing

Kind = Promotion.Kind
HEADER_FIELDS = ["code", "name", "kind", "priority", "exclusive", "valid_from", "valid_to", "active"]
VALUE_FIELDS = ["percent", "amount", "threshold", "buy_quantity", "free_quantity", "free_product_id"]
SCOPE_FIELDS = {"product_ids": (Product, "sku", 20_000), "category_ids": (Category, "code", 2_000),
                "customer_group_ids": (CustomerGroup, "code", 2_000)}
PROMOTION_FIELDS = HEADER_FIELDS + VALUE_FIELDS + list(SCOPE_FIELDS)
SNAPSHOT_FIELDS = HEADER_FIELDS + [f.removesuffix("_id") for f in VALUE_FIELDS]
KIND_VALUES = {
    Kind.PERCENT_OFF: {"percent"},
    Kind.AMOUNT_OFF: {"amount"},
    Kind.ORDER_THRESHOLD: {"threshold", "amount"},
    Kind.BUY_X_GET_Y: {"buy_quantity", "free_quantity", "free_product_id"},
}
MIN_QUANTITY = Decimal("0.0001")


def _relation(name: str) -> str:
    return {"product_ids": "products", "category_ids": "categories", "customer_group_ids": "customer_groups"}[name]


def scope_codes(promotion: Promotion) -> dict[str, list[str]]:
    """The stored scope: "product_ids" → the SKUs, "category_ids" / "customer_group_ids" → codes."""
    if promotion.pk is None:
        return {name: [] for name in SCOPE_FIELDS}
    return {name: sorted(getattr(promotion, _relation(name)).values_list(attr, flat=True))
            for name, (_model, attr, _limit) in SCOPE_FIELDS.items()}


def promotion_snapshot(promotion: Promotion, scope: dict[str, list[str]]) -> dict[str, Any]:
    """The audited fields, with products / categories / groups as SKUs / codes joined by commas."""
    snapshot = audit.snapshot(promotion, SNAPSHOT_FIELDS)
    for name, codes in scope.items():
        snapshot[_relation(name)] = ", ".join(codes)
    return snapshot


def _values(errors: v.Errors, kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """The kind's values, checked; the others None."""
    values: dict[str, Any] = dict.fromkeys(VALUE_FIELDS)
    if kind == Kind.PERCENT_OFF:
        values["percent"] = v.percent(errors, "percent", given.get("percent"))
    elif kind == Kind.AMOUNT_OFF:
        values["amount"] = v.decimal(errors, "amount", given.get("amount"), places=2)
    elif kind == Kind.ORDER_THRESHOLD:
        values["threshold"] = v.decimal(errors, "threshold", given.get("threshold"), places=2)
        values["amount"] = v.decimal(errors, "amount", given.get("amount"), places=2)
        if values["threshold"] is not None and values["amount"] is not None and values["amount"] > values["threshold"]:
            v.add(errors, "amount", _("The discount cannot be more than the amount to spend."))
    elif kind == Kind.BUY_X_GET_Y:
        for name in ("buy_quantity", "free_quantity"):
            values[name] = v.decimal(errors, name, given.get(name), places=4, minimum=MIN_QUANTITY)
        free_product_id = given.get("free_product_id")
        if free_product_id is not None:
            if not (v.is_id(free_product_id) and Product.objects.filter(pk=free_product_id).exists()):
                v.add(errors, "free_product_id", _("This product does not exist."))
            else:
                values["free_product_id"] = free_product_id
    else:
        v.add(errors, "kind", _("Choose one of the kinds of promotion."))
    return values


def _scope(errors: v.Errors, data: dict[str, Any]) -> dict[str, tuple[list[int], list[str]]]:
    """The given scope lists, checked: name → (ids, their SKUs / codes)."""
    result = {}
    for name, (model, attr, limit) in SCOPE_FIELDS.items():
        if name not in data:
            continue
        wanted = v.ids(errors, name, data[name], limit=limit)
        found = dict(model.objects.filter(pk__in=[pk for pk in wanted if v.is_id(pk)]).values_list("pk", attr)) \
            if wanted else {}
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            v.add(errors, name, _("These do not exist: %(ids)s.") % {"ids": ", ".join(missing[:20])})
        result[name] = (wanted, sorted(found.values()))
    return result


def _apply(promotion: Promotion, data: dict[str, Any]) -> dict[str, tuple[list[int], list[str]]]:
    """Set the given fields (the rest keep their value) and check the whole promotion.
    Returns the scope lists to set. Raises ValidationFailed naming every bad field."""
    reject_unknown_fields(data, PROMOTION_FIELDS)
    errors: v.Errors = {}
    for name in HEADER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("valid_from", "valid_to"):
            value = v.date(errors, name, value)
        setattr(promotion, name, value.strip() if isinstance(value, str) else value)
    given = {name: getattr(promotion, name) for name in VALUE_FIELDS}
    given.update({name: data[name] for name in VALUE_FIELDS if name in data})
    if promotion.kind not in Kind.values:
        v.add(errors, "kind", _("Choose one of the kinds of promotion."))
    else:
        for name, value in _values(errors, promotion.kind, given).items():
            setattr(promotion, name, value)
    v.dates_ordered(errors, promotion.valid_from, promotion.valid_to)
    scope = _scope(errors, data)
    try:
        full_clean_or_raise(promotion, exclude=["version", "free_product", "kind", "valid_from", "valid_to",
                                                *KIND_VALUES[Kind.BUY_X_GET_Y], "percent", "amount", "threshold"])
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                v.add(errors, field, message)
    if errors:
        raise ValidationFailed(errors)
    return scope


def _save(promotion: Promotion) -> None:
    try:
        with transaction.atomic():
            promotion.save()
    except IntegrityError:
        raise ValidationFailed.for_field("code", _("This code was just taken; choose another one.")) from None


def _set_scope(promotion: Promotion, scope: dict[str, tuple[list[int], list[str]]]) -> None:
    for name, (ids, _codes) in scope.items():
        getattr(promotion, _relation(name)).set(ids)


@transaction.atomic
def create_promotion(*, actor, data: dict[str, Any]) -> Promotion:
    """Create a promotion. Raises Forbidden, ValidationFailed."""
    require_change_pricing(actor)
    promotion = Promotion()
    data = dict(data)
    for name in SCOPE_FIELDS:
        data.setdefault(name, [])
    scope = _apply(promotion, data)
    _save(promotion)
    _set_scope(promotion, scope)
    after = promotion_snapshot(promotion, {name: codes for name, (_ids, codes) in scope.items()})
    audit.record(promotion, "created", actor=actor, after=after)
    return promotion


@transaction.atomic
def update_promotion(*, actor, promotion_id: int, version: int, data: dict[str, Any]) -> Promotion:
    """Edit a promotion as it was at ``version`` (fields not given keep their value).
    Raises Forbidden, NotFound, StaleEdit, ValidationFailed."""
    require_change_pricing(actor)
    promotion = locks.lock_promotion(promotion_id)
    if promotion is None:
        raise NotFound()
    current = scope_codes(promotion)
    before = promotion_snapshot(promotion, current)
    if promotion.version != version:
        raise StaleEdit(current_version=promotion.version, current=before)
    scope = _apply(promotion, dict(data))
    after = promotion_snapshot(promotion, {**current, **{name: codes for name, (_ids, codes) in scope.items()}})
    if after == before:
        return promotion  # nothing changed: no new version, no history noise
    promotion.version += 1
    _save(promotion)
    _set_scope(promotion, scope)
    audit.record(promotion, "updated", actor=actor, before=before, after=after)
    return promotion


@transaction.atomic
def deactivate_promotion(*, actor, promotion_id: int) -> Promotion:
    """Stop a promotion from applying (idempotent). Raises Forbidden, NotFound."""
    require_change_pricing(actor)
    promotion = locks.lock_promotion(promotion_id)
    if promotion is None:
        raise NotFound()
    if promotion.active:
        promotion.active = False
        promotion.version += 1
        promotion.save(update_fields=["active", "version", "updated_at"])
        audit.record(promotion, "deactivated", actor=actor, before={"active": True}, after={"active": False})
    return promotion
