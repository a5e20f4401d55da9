"""Writes of the catalog: products, their substitutes, categories. (Pictures: image_services.py.)

Each service is one transaction: lock (locks.py), re-check, write, audit. They take keyword-only
arguments including ``actor`` and raise DomainError subclasses. The search column is written here,
on every change of what it is made of (never in save() or a signal)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from kaidan.catalog import locks
from kaidan.catalog.image_services import delete_stored_files
from kaidan.catalog.models import DEFAULT_VAT_RATE, VAT_RATE_CHOICES, Category, Product, ProductSubstitute, Unit
from kaidan.core import audit
from kaidan.core.api_types import MAX_DB_ID
from kaidan.core.errors import Conflict, NotFound, StaleEdit, ValidationFailed
from kaidan.core.search import search_text
from kaidan.core.selectors import company_settings
from kaidan.core.services import full_clean_or_raise, reject_unknown_fields

PRODUCT_FIELDS = ["sku", "name", "spec", "model", "brand", "category_id", "unit", "barcode", "list_price",
                  "price_includes_tax", "standard_cost", "vat_rate", "weight_kg", "volume_m3", "description",
                  "track_stock", "active"]
PRODUCT_AUDIT_FIELDS = ["sku", "name", "spec", "model", "brand", "category", "unit", "barcode", "list_price",
                        "price_includes_tax", "standard_cost", "vat_rate", "weight_kg", "volume_m3", "description",
                        "track_stock", "active"]
CATEGORY_FIELDS = ["name", "code", "parent_id", "active"]
MAX_SUBSTITUTES = 20


def product_search_text(product: Product) -> str:
    """What the search box matches a product by: SKU, name, spec, model, brand, barcode, category."""
    category = product.category.name if product.category_id else ""
    return search_text(product.sku, product.name, product.spec, product.model, product.brand, product.barcode,
                       category)


def product_snapshot(product: Product) -> dict[str, Any]:
    """The audited fields (category and unit by id; the history panel shows their names)."""
    return audit.snapshot(product, PRODUCT_AUDIT_FIELDS)


def default_vat_rate() -> Decimal:
    """The company's default VAT rate when it is one of the product rates, else 13%."""
    rate = company_settings().default_vat_rate
    try:
        rate = Decimal(rate).quantize(Decimal("0.0001"))
    except (InvalidOperation, TypeError):
        return DEFAULT_VAT_RATE
    return rate if rate in {value for value, _label in VAT_RATE_CHOICES} else DEFAULT_VAT_RATE


def _same_decimal_at_scale(value: Any, places: int) -> Any:
    """"12.5" → Decimal("12.5000") for a 4-place field, so an unchanged price is not audited as a
    change; a value that is no number or has more places is left alone for validation to refuse."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    if not isinstance(value, Decimal) or not value.is_finite():
        return value
    try:
        scaled = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return value
    return scaled if scaled == value else value


def _clean_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _apply_product(product: Product, data: dict[str, Any]) -> dict[str, list[str]]:
    """Set the given fields on the product; returns the errors of the references (category, unit)."""
    reject_unknown_fields(data, PRODUCT_FIELDS)
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name == "unit":
            unit = Unit.objects.filter(code=value).first() if isinstance(value, str) else None
            if unit is None:
                errors["unit"] = [_("Choose one of the units.")]
            else:
                product.unit = unit
        elif name == "category_id":
            category = Category.objects.filter(pk=value).first() if value is not None else None
            if value is not None and category is None:
                errors["category_id"] = [_("This category does not exist.")]
            else:
                product.category = category
        else:
            field = Product._meta.get_field(name)
            if isinstance(field, DecimalField):
                value = _same_decimal_at_scale(value, field.decimal_places)
            setattr(product, name, _clean_text(value))
    if isinstance(product.barcode, str):
        product.barcode = product.barcode.replace(" ", "")
    if not product.unit_id and "unit" not in errors:
        errors["unit"] = [_("This field is required.")]
    return errors


def _validate(instance, reference_errors: dict[str, list[str]], exclude: list[str]) -> None:
    """Model validation plus the reference errors, all reported in one ValidationFailed. A product's
    CheckConstraints all mirror its field validators (prices ≥ 0, VAT from the choices), so they are
    left to the database; a violation that still reaches it is re-validated in full by _save."""
    try:
        full_clean_or_raise(instance, exclude=exclude, check_constraints=not isinstance(instance, Product))
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.fields, **reference_errors}) from None
    if reference_errors:
        raise ValidationFailed(reference_errors)


def _save(instance, exclude: list[str]) -> None:
    """Save; when a concurrent writer took the same unique value first, name the field like validation does."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        full_clean_or_raise(instance, exclude=exclude)  # now sees the committed duplicate
        raise Conflict() from None


PRODUCT_CLEAN_EXCLUDE = ["category", "unit", "search_text", "version"]


@transaction.atomic
def create_product(*, actor, data: dict[str, Any]) -> Product:
    """Create a product; without a VAT rate it gets the company's default. Raises ValidationFailed."""
    data = dict(data)
    if data.get("vat_rate") is None:
        data["vat_rate"] = default_vat_rate()
    product = Product()
    _validate(product, _apply_product(product, data), PRODUCT_CLEAN_EXCLUDE)
    product.search_text = product_search_text(product)
    _save(product, PRODUCT_CLEAN_EXCLUDE)
    audit.record(product, "created", actor=actor, after=product_snapshot(product))
    return product


@transaction.atomic
def update_product(*, actor, product_id: int, version: int, data: dict[str, Any]) -> Product:
    """Edit a product as it was at ``version``; a missing VAT rate keeps the current one.
    Raises NotFound, StaleEdit, ValidationFailed."""
    product = locks.lock_product(product_id)
    if product is None:
        raise NotFound()
    if product.version != version:
        raise StaleEdit(current_version=product.version, current=product_snapshot(product))
    data = {k: v for k, v in data.items() if not (k == "vat_rate" and v is None)}
    before = product_snapshot(product)
    _validate(product, _apply_product(product, data), PRODUCT_CLEAN_EXCLUDE)
    after = product_snapshot(product)
    if after == before:
        return product  # nothing changed: no new version, no history noise
    product.version += 1
    product.search_text = product_search_text(product)
    _save(product, PRODUCT_CLEAN_EXCLUDE)
    audit.record(product, "updated", actor=actor, before=before, after=after)
    return product


@transaction.atomic
def deactivate_product(*, actor, product_id: int) -> Product:
    """Take a product out of use (it stays on the documents that have it). Raises NotFound."""
    product = locks.lock_product(product_id)
    if product is None:
        raise NotFound()
    if product.active:
        product.active = False
        product.version += 1
        product.save(update_fields=["active", "version", "updated_at"])
        audit.record(product, "deactivated", actor=actor, before={"active": True}, after={"active": False})
    return product


@transaction.atomic
def delete_product(*, actor, product_id: int) -> None:
    """Delete a product nothing refers to, with its pictures. Raises NotFound, and Conflict naming
    what still refers to it (a document line, a product listing it as substitute…)."""
    product = locks.lock_product(product_id)
    if product is None:
        raise NotFound()
    files = [name for image in product.images.all() for name in (image.file.name, image.thumbnail.name)]
    audit.record(product, "deleted", actor=actor, before=product_snapshot(product))  # rolled back on refusal
    try:
        product.delete()
    except ProtectedError as exc:
        raise _in_use(product, exc.protected_objects) from None
    except RestrictedError as exc:
        raise _in_use(product, exc.restricted_objects) from None
    transaction.on_commit(lambda: delete_stored_files(files))


def _in_use(product: Product, objects) -> Conflict:
    by_type: dict[str, list] = defaultdict(list)
    for obj in objects:
        by_type[obj._meta.label_lower].append(obj)
    uses, references = [], []
    for label, rows in sorted(by_type.items()):
        if label == ProductSubstitute._meta.label_lower:
            skus = sorted(Product.objects.filter(substitute_links__substitute=product).values_list("sku", flat=True))
            uses.append(_("substitute of %(skus)s") % {"skus": ", ".join(skus)})
            references.append({"type": label, "count": len(skus), "products": skus})
        else:
            uses.append(f"{rows[0]._meta.verbose_name_plural} ({len(rows)})")
            references.append({"type": label, "count": len(rows)})
    message = _("This product is in use and cannot be deleted: %(uses)s. Deactivate it instead.") % {
        "uses": "; ".join(uses)}
    return Conflict(message, references=references)


@transaction.atomic
def set_substitutes(*, actor, product_id: int, substitute_ids: list[int]) -> list[ProductSubstitute]:
    """Replace the ordered list of products that can replace this one.
    Raises NotFound, ValidationFailed (itself, twice, unknown products, too many)."""
    field = "substitute_ids"
    if len(substitute_ids) > MAX_SUBSTITUTES:
        raise ValidationFailed.for_field(field, _("List at most %(n)d substitutes.") % {"n": MAX_SUBSTITUTES})
    if product_id in substitute_ids:
        raise ValidationFailed.for_field(field, _("A product cannot be its own substitute."))
    if len(set(substitute_ids)) != len(substitute_ids):
        raise ValidationFailed.for_field(field, _("Each substitute can be listed only once."))
    products = locks.lock_products([pk for pk in [product_id, *substitute_ids] if 0 < pk <= MAX_DB_ID])
    product = products.get(product_id)
    if product is None:
        raise NotFound()
    missing = [str(pk) for pk in substitute_ids if pk not in products]
    if missing:
        raise ValidationFailed.for_field(
            field, _("These products do not exist: %(ids)s.") % {"ids": ", ".join(missing)})
    before = list(product.substitute_links.order_by("position").values_list("substitute__sku", flat=True))
    after = [products[pk].sku for pk in substitute_ids]
    if before != after:
        product.substitute_links.all().delete()
        ProductSubstitute.objects.bulk_create(
            ProductSubstitute(product=product, substitute_id=pk, position=i) for i, pk in enumerate(substitute_ids, 1))
        audit.record(product, "substitutes_set", actor=actor, before={"substitutes": ", ".join(before)},
                     after={"substitutes": ", ".join(after)})
    return list(product.substitute_links.select_related("substitute").order_by("position"))


def _apply_category(category: Category, data: dict[str, Any]) -> dict[str, list[str]]:
    reject_unknown_fields(data, CATEGORY_FIELDS)
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name == "parent_id" and value is not None and not Category.objects.filter(pk=value).exists():
            errors["parent_id"] = [_("This category does not exist.")]
        else:
            setattr(category, name, _clean_text(value))
    return errors


def _check_no_cycle(category: Category, tree: dict[int, Category]) -> None:
    parent_id = category.parent_id
    seen: set[int] = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == category.pk:
            raise ValidationFailed.for_field(
                "parent_id", _("A category cannot be placed under itself or one of its subcategories."))
        seen.add(parent_id)
        parent_id = tree[parent_id].parent_id if parent_id in tree else None


@transaction.atomic
def create_category(*, actor, data: dict[str, Any]) -> Category:
    """Create a category, at the top or under a parent. Raises ValidationFailed."""
    category = Category()
    _validate(category, _apply_category(category, data), ["parent"])
    _save(category, ["parent"])
    audit.record(category, "created", actor=actor, after=audit.snapshot(category, ["name", "code", "parent", "active"]))
    return category


@transaction.atomic
def update_category(*, actor, category_id: int, data: dict[str, Any]) -> Category:
    """Rename, recode, move or (de)activate a category; its products' search text follows its name.
    Raises NotFound, ValidationFailed (including a move under itself or its subcategories)."""
    moving = "parent_id" in data
    tree = locks.lock_category_tree() if moving else {}
    category = tree.get(category_id) if moving else locks.lock_category(category_id)
    if category is None:
        raise NotFound()
    fields = ["name", "code", "parent", "active"]
    before = audit.snapshot(category, fields)
    _validate(category, _apply_category(category, data), ["parent"])
    _check_no_cycle(category, tree)
    after = audit.snapshot(category, fields)
    if after == before:
        return category
    _save(category, ["parent"])
    if after["name"] != before["name"]:
        products = locks.lock_products_in_category(category.pk)
        for product in products:
            product.category = category
            product.search_text = product_search_text(product)
        Product.objects.bulk_update(products, ["search_text"], batch_size=500)
    audit.record(category, "updated", actor=actor, before=before, after=after)
    return category
