"""API schemas of the catalog. Prices, rates, weights and volumes travel as decimal strings."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterSchema, Schema
from pydantic import WithJsonSchema

from kaidan.catalog import selectors
from kaidan.catalog.validators import CODE_PATTERN, SKU_PATTERN
from kaidan.core.api_types import DbId, Text
from kaidan.core.schemas import StrictIn

UnitPrice = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$", "example": "5999.00"}),
]
VatRateIn = Annotated[
    Decimal,
    Field(ge=0, lt=1, max_digits=5, decimal_places=4),
    WithJsonSchema({"type": "string", "enum": ["0.13", "0.09", "0.06", "0"], "example": "0.13",
                    "description": "13%, 9%, 6% or 0%; omitted: the company's default (create) or unchanged (edit)"}),
]
WeightKg = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=3),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,9}(\.[0-9]{1,3})?$", "example": "1.250"}),
]
VolumeM3 = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=6),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,6}(\.[0-9]{1,6})?$", "example": "0.012"}),
]
BARCODE = r"^([0-9]{8}|[0-9]{12}|[0-9]{13})?$"
PRODUCT_SORT = r"^-?(sku|name|brand|list_price|updated_at)(,-?(sku|name|brand|list_price|updated_at))*$"


class ImageOut(Schema):
    id: int
    is_primary: bool
    position: int
    url: str
    thumbnail_url: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    original_name: str
    uploaded_at: datetime

    @staticmethod
    def resolve_url(obj) -> str:
        return selectors.image_url(obj.pk)

    @staticmethod
    def resolve_thumbnail_url(obj) -> str:
        return selectors.thumbnail_url(obj.pk)


class SubstituteOut(Schema):
    id: int = Field(..., alias="substitute.id")
    sku: str = Field(..., alias="substitute.sku")
    name: str = Field(..., alias="substitute.name")
    spec: str = Field(..., alias="substitute.spec")
    model: str = Field(..., alias="substitute.model")
    active: bool = Field(..., alias="substitute.active")
    position: int


class ProductListOut(Schema):
    id: int
    sku: str
    name: str
    spec: str
    model: str
    brand: str
    category_id: int | None
    category_name: str | None = Field(None, alias="category.name")
    unit: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name")
    barcode: str
    list_price: Decimal
    price_includes_tax: bool
    vat_rate: Decimal
    track_stock: bool
    active: bool
    version: int
    thumbnail_url: str | None

    @staticmethod
    def resolve_thumbnail_url(obj) -> str | None:
        return selectors.thumbnail_url(getattr(obj, "primary_image_id", None))


class ProductOut(ProductListOut):
    standard_cost: Decimal
    weight_kg: Decimal | None
    volume_m3: Decimal | None
    description: str
    images: list[ImageOut]
    substitutes: list[SubstituteOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_thumbnail_url(obj) -> str | None:
        primary = next((image for image in obj.images.all() if image.is_primary), None)
        return selectors.thumbnail_url(primary.pk if primary else None)

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.all())

    @staticmethod
    def resolve_substitutes(obj):
        return list(obj.substitute_links.all())


class PickerOut(Schema):
    id: int
    sku: str
    name: str
    spec: str
    model: str
    unit: str
    unit_name: str
    unit_allows_fraction: bool
    list_price: Decimal
    price_includes_tax: bool
    vat_rate: Decimal
    thumbnail_url: str | None


class ProductIn(StrictIn):
    sku: str = Field(..., min_length=1, max_length=64, pattern=SKU_PATTERN, examples=["TP-X1C-G12-01"])
    name: Text = Field(..., min_length=1, max_length=200)
    spec: Text = Field("", max_length=200)
    model: Text = Field("", max_length=100)
    brand: Text = Field("", max_length=100)
    category_id: DbId | None = None
    unit: str = Field(..., pattern=CODE_PATTERN, max_length=20, description="A unit code from GET /units",
                      examples=["pcs"])
    barcode: str = Field("", pattern=BARCODE, description="EAN-13, UPC-A or EAN-8 with its check digit")
    list_price: UnitPrice = Decimal("0")
    price_includes_tax: bool = True
    standard_cost: UnitPrice = Decimal("0")
    vat_rate: VatRateIn | None = None
    weight_kg: WeightKg | None = None
    volume_m3: VolumeM3 | None = None
    description: Text = Field("", max_length=4000)
    track_stock: bool = Field(True, description="False for services: orders reserve and ship no stock of it")
    active: bool = True


class ProductUpdateIn(ProductIn):
    version: int = Field(..., ge=0, le=2**31 - 1, description="The version you read; another → 409 stale_edit")


class SubstitutesIn(StrictIn):
    substitute_ids: list[DbId] = Field(..., max_length=20, description="In order of preference")


class ProductFilter(FilterSchema):
    q: Text | None = Field(None, max_length=200, description="Words of SKU, name, spec, model, brand, barcode, "
                                                              "category; pinyin and initials work")
    category: DbId | None = Field(None, description="A category id; its subcategories are included")
    brand: Text | None = Field(None, max_length=100)
    active: bool | None = None
    sort: str | None = Field(None, pattern=PRODUCT_SORT,
                             description="Comma list of sku, name, brand, list_price, updated_at; - for descending")


class PickerFilter(Schema):
    q: Text | None = Field(None, max_length=200)
    limit: int = Field(selectors.PICKER_LIMIT, ge=1, le=50)


class CategoryOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    active: bool
    path: str = Field("", description="Names from the top category down, separated by ' / '")
    depth: int = 0


class CategoryIn(StrictIn):
    name: Text = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=40, pattern=CODE_PATTERN)
    parent_id: DbId | None = None
    active: bool = True


class UnitOut(Schema):
    code: str
    name: str
    allow_fraction: bool
