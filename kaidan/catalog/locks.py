"""The only place the catalog takes row locks (see the lock order in docs/architecture.md).

Within the catalog: categories before products, products in ascending primary key. A product's
images and substitute rows are changed only under its product's lock."""

from __future__ import annotations

from collections.abc import Iterable

from kaidan.catalog.models import Category, Product


def lock_product(product_id: int) -> Product | None:
    return Product.objects.select_for_update().filter(pk=product_id).first()


def lock_products(product_ids: Iterable[int]) -> dict[int, Product]:
    """Lock several products in ascending id; missing ids are simply absent from the result."""
    rows = Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("pk")
    return {product.pk: product for product in rows}


def lock_category(category_id: int) -> Category | None:
    return Category.objects.select_for_update().filter(pk=category_id).first()


def lock_category_tree() -> dict[int, Category]:
    """Lock every category (a small table), so two concurrent moves cannot build a cycle together."""
    return {category.pk: category for category in Category.objects.select_for_update().order_by("pk")}


def lock_products_in_category(category_id: int) -> list[Product]:
    return list(Product.objects.select_for_update().filter(category_id=category_id).order_by("pk"))
