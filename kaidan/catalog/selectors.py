"""Reads of the catalog: product lists and search, a product with its pictures and substitutes,
the fast picker search, the category tree, units."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.models import Category, Product, ProductImage, ProductSubstitute, Unit
from kaidan.core.search import apply_search, normalize
from kaidan.core.selectors import history_panel

PICKER_LIMIT = 20
PRODUCT_SORTS = {"sku", "name", "brand", "list_price", "updated_at"}
# Audit keys that are not fields of Product, as the history panel should name them.
HISTORY_LABELS = {"substitutes": _("Substitutes"), "images": _("Pictures"), "primary_image": _("Primary picture")}


def image_url(image_id: int | None) -> str | None:
    return reverse("product_image_file", args=[image_id]) if image_id else None


def thumbnail_url(image_id: int | None) -> str | None:
    return reverse("product_image_thumb", args=[image_id]) if image_id else None


def _primary_image_id():
    return Subquery(ProductImage.objects.filter(product=OuterRef("pk"), is_primary=True).values("pk")[:1])


@dataclass
class CategoryNode:
    """A category in tree order, with its depth and its path of names from the top."""

    category: Category
    depth: int
    path: str
    children: list[int] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.category.pk


def category_tree(*, with_counts: bool = False) -> list[CategoryNode]:
    """Every category once, parents before children, siblings by code; one query."""
    qs = Category.objects.order_by("code")
    if with_counts:
        qs = qs.annotate(product_count=Count("products"))
    rows = list(qs)
    by_parent: dict[int | None, list[Category]] = {}
    known = {c.pk for c in rows}
    for c in rows:
        by_parent.setdefault(c.parent_id if c.parent_id in known else None, []).append(c)
    nodes: list[CategoryNode] = []

    def walk(parent_id, depth, prefix):
        for c in by_parent.get(parent_id, []):
            path = f"{prefix} / {c.name}" if prefix else c.name
            node = CategoryNode(c, depth, path, [child.pk for child in by_parent.get(c.pk, [])])
            nodes.append(node)
            walk(c.pk, depth + 1, path)

    walk(None, 0, "")
    return nodes


def category_path(category_id: int | None) -> str:
    """电脑整机 / 笔记本电脑: the names from the top down to the category; "" for none."""
    if category_id is None:
        return ""
    return next((node.path for node in category_tree() if node.pk == category_id), "")


def descendant_ids(category_id: int) -> set[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), [category_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def products(*, q: str | None = None, category_id: int | None = None, brand: str | None = None,
             active: bool | None = None) -> QuerySet[Product]:
    """Products matching the search words, category (with its subcategories), brand and state;
    with category, unit and the primary picture's id (``primary_image_id``), in SKU order."""
    qs = (Product.objects.select_related("category", "unit")
          .annotate(primary_image_id=_primary_image_id()).order_by("sku"))
    qs = apply_search(qs, q)
    if category_id is not None:
        qs = qs.filter(category_id__in=descendant_ids(category_id))
    if brand:
        qs = qs.filter(brand__iexact=brand.strip())
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def product_detail(product_id: int) -> Product | None:
    """A product with its category, unit, pictures (primary first) and substitutes (in order)."""
    images = ProductImage.objects.order_by("-is_primary", "position", "id")
    links = ProductSubstitute.objects.select_related("substitute__unit").order_by("position")
    return (Product.objects.select_related("category", "unit")
            .prefetch_related(Prefetch("images", queryset=images), Prefetch("substitute_links", queryset=links))
            .filter(pk=product_id).first())


def product_images(product_id: int) -> QuerySet[ProductImage]:
    return ProductImage.objects.filter(product_id=product_id).order_by("-is_primary", "position", "id")


def product_image(image_id: int) -> ProductImage | None:
    return ProductImage.objects.filter(pk=image_id).first()


def product_by_sku(sku: str) -> Product | None:
    return Product.objects.filter(sku=sku.strip()).first()


def picker(q: str | None, *, limit: int = PICKER_LIMIT, exclude_ids: set[int] | None = None) -> list[dict]:
    """The fast search of order lines and substitute lists: active products only, an exact SKU or
    barcode first, then by SKU; one query, a small dict per product."""
    qs = apply_search(Product.objects.filter(active=True), q)
    if exclude_ids:
        qs = qs.exclude(pk__in=exclude_ids)
    exact = normalize(q or "")
    qs = qs.annotate(
        exact=Case(When(Q(sku__iexact=exact) | Q(barcode=exact), then=Value(0)), default=Value(1),
                   output_field=IntegerField()) if exact else Value(1),
        primary_image_id=_primary_image_id(),
    ).order_by("exact", "sku")
    rows = qs.values("id", "sku", "name", "spec", "model", "unit__code", "unit__name", "unit__allow_fraction",
                     "list_price", "price_includes_tax", "vat_rate", "primary_image_id")[:limit]
    return [
        {"id": r["id"], "sku": r["sku"], "name": r["name"], "spec": r["spec"], "model": r["model"],
         "unit": r["unit__code"], "unit_name": r["unit__name"], "unit_allows_fraction": r["unit__allow_fraction"],
         "list_price": r["list_price"], "price_includes_tax": r["price_includes_tax"], "vat_rate": r["vat_rate"],
         "thumbnail_url": thumbnail_url(r["primary_image_id"])}
        for r in rows
    ]


def product_history(product: Product) -> list[dict]:
    """The history panel of a product, with the substitute and picture changes named too."""
    panel = history_panel(product)
    for event in panel:
        event["changes"] = [(str(HISTORY_LABELS.get(label, label)), before, after)
                            for label, before, after in event["changes"]]
    return panel


def category(category_id: int) -> Category | None:
    return Category.objects.select_related("parent").filter(pk=category_id).first()


def units() -> QuerySet[Unit]:
    return Unit.objects.order_by("code")


def brands() -> list[str]:
    return list(Product.objects.exclude(brand="").order_by("brand").values_list("brand", flat=True).distinct())
