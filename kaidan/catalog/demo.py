"""Demo data of the catalog app for `make run`: categories, ~180 products with barcodes, prices and
costs, some pictures (drawn with Pillow) and substitutes. Everything goes through the services, by
the demo admin, so the history panels have something to show. Idempotent: a re-run creates nothing."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from kaidan.catalog import image_services, services
from kaidan.catalog.demo_data import (
    BRAND_CODES,
    CATEGORIES,
    DISCONTINUED_MODELS,
    FAMILIES,
    PREFIXES,
    SUBSTITUTE_FAMILIES,
    V13,
)
from kaidan.catalog.models import Category, Product
from kaidan.catalog.validators import gtin_check_digit

PICTURE_EVERY = 4  # one product in four gets a picture: fast, and the lists still show some


def demo_barcode(n: int) -> str:
    """An EAN-13 with the Chinese GS1 prefix 69 and a correct check digit."""
    body = f"69{2024000000 + n * 7919:010d}"[:12]
    return body + gtin_check_digit(body)


def demo_picture(sku: str, brand_code: str, colour: str, second: bool = False) -> SimpleUploadedFile:
    """A coloured card with the SKU: enough to see pictures in lists, pickers and the gallery."""
    picture = Image.new("RGB", (480, 360), "#f0f2f4" if second else colour)
    draw = ImageDraw.Draw(picture)
    ink = colour if second else "white"
    draw.rectangle((16, 16, 463, 343), outline=ink, width=4)
    draw.text((240, 150), sku, fill=ink, anchor="mm", font=ImageFont.load_default(size=44))
    draw.text((240, 220), brand_code + (" · 2" if second else ""), fill=ink, anchor="mm",
              font=ImageFont.load_default(size=28))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{sku.lower()}{'-2' if second else ''}.jpg", out.getvalue(), "image/jpeg")


def _cost(price: Decimal, n: int) -> Decimal:
    ratio = Decimal("0.78") + Decimal(n % 9) / 100  # 78 % … 86 % of the list price
    return (price * ratio).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _categories(actor) -> tuple[dict[str, Category], int]:
    existing = {c.code: c for c in Category.objects.all()}
    created = 0
    for code, name, parent in CATEGORIES:
        if code not in existing:
            parent_id = existing[parent].pk if parent else None
            existing[code] = services.create_category(actor=actor, data={"name": name, "code": code,
                                                                         "parent_id": parent_id})
            created += 1
    return existing, created


@transaction.atomic
def load_demo() -> list[str]:
    """Create what is missing; return a line per kind of thing created (empty on a second run)."""
    actor = get_user_model().objects.filter(username="admin").first()
    categories, new_categories = _categories(actor)
    existing = set(Product.objects.values_list("sku", flat=True))
    counters: dict[tuple[str, str], int] = {}
    new_products, pictures, by_model = [], 0, {}
    n = 0
    for category, brand, name, model, unit, weight, volume, vat, variants in FAMILIES:
        prefix, colour = PREFIXES[category]
        brand_code = BRAND_CODES[brand]
        for spec, price in variants:
            n += 1
            counters[(prefix, brand_code)] = counters.get((prefix, brand_code), 0) + 1
            sku = f"{prefix}-{brand_code}-{counters[(prefix, brand_code)]:03d}"
            if sku in existing:
                continue
            product = services.create_product(actor=actor, data={
                "sku": sku, "name": name, "spec": spec, "model": model, "brand": brand,
                "category_id": categories[category].pk, "unit": unit,
                "barcode": demo_barcode(n) if category != "services" else "",
                "list_price": Decimal(price), "standard_cost": _cost(Decimal(price), n),
                "vat_rate": Decimal(vat or V13), "weight_kg": Decimal(weight) if weight else None,
                "volume_m3": Decimal(volume) if volume else None,
                "description": f"{brand} {name}，{spec}。" if category != "services" else f"{name}：{spec}。",
                "track_stock": category != "services",
            })
            new_products.append(product)
            by_model.setdefault(model, []).append(product)
            if n % PICTURE_EVERY == 1:
                image_services.add_product_image(actor=actor, product_id=product.pk,
                                                 upload=demo_picture(sku, brand_code, colour))
                pictures += 1
                if n % (PICTURE_EVERY * 5) == 1:
                    image_services.add_product_image(actor=actor, product_id=product.pk,
                                                     upload=demo_picture(sku, brand_code, colour, second=True))
                    pictures += 1
            if model in DISCONTINUED_MODELS:
                services.deactivate_product(actor=actor, product_id=product.pk)
    substitute_lists = 0
    for model in SUBSTITUTE_FAMILIES:
        family = by_model.get(model, [])
        for product in family if len(family) > 1 else []:
            services.set_substitutes(actor=actor, product_id=product.pk,
                                     substitute_ids=[other.pk for other in family if other.pk != product.pk])
            substitute_lists += 1
    lines = [f"{new_categories} product categories"] if new_categories else []
    if new_products:
        lines += [f"{len(new_products)} products", f"{pictures} product pictures",
                  f"{substitute_lists} substitute lists"]
    return lines
