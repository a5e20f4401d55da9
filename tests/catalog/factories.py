"""Test helpers of the catalog: products and categories made through the services, pictures made
with Pillow. Also used by the permission matrix (tests/core) for objects its URLs need."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kaidan.catalog import image_services, services
from kaidan.catalog.models import Category, Product

_numbers = itertools.count(1)


def picture_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), colour: str = "#2f6db5",
                  mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def upload(name: str = "photo.png", data: bytes | None = None, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture_bytes() if data is None else data, content_type)


def make_category(actor=None, *, code: str | None = None, name: str = "笔记本电脑",
                  parent: Category | None = None) -> Category:
    code = code or f"cat-{next(_numbers)}"
    return services.create_category(actor=actor, data={"name": name, "code": code,
                                                       "parent_id": parent.pk if parent else None})


def make_product(actor=None, **fields) -> Product:
    """A valid product; any field can be given (category as ``category_id``, unit as a code)."""
    data = {"sku": f"T-{next(_numbers):05d}", "name": "测试商品", "unit": "pcs", "list_price": Decimal("100.00"),
            "standard_cost": Decimal("80.00"), **fields}
    return services.create_product(actor=actor, data=data)


def add_picture(product: Product, actor=None, **picture):
    return image_services.add_product_image(actor=actor, product_id=product.pk, upload=upload(**picture))


def catalog_sample_ids(actor=None) -> dict[str, int]:
    """Fresh objects for the catalog's URL parameters: a category, a product in it, and its picture."""
    category = make_category(actor)
    product = make_product(actor, category_id=category.pk)
    image = add_picture(product, actor)
    return {"category_id": category.pk, "product_id": product.pk, "image_id": image.pk}
