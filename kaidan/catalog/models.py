"""The product catalog: what a trading company sells.

* ``Category`` is a tree (parent → children); services refuse cycles.
* ``Unit`` is how a product is counted (个, 台, 箱, kg…) and whether fractions are allowed.
* ``Product`` carries the SKU, name, spec (规格), model (型号), brand, barcode (GTIN, check digit
  validated), a tax-inclusive list price by default, a standard cost and the VAT rate. Unit prices
  have 4 decimals (``kaidan.core.money``). ``search_text`` is written by the services (text, pinyin
  and initials, see ``kaidan.core.search``); ``version`` guards concurrent edits.
* ``ProductImage`` rows hold the stored original and its thumbnail; at most one is primary.
* ``ProductSubstitute`` is the ordered list of products that can replace a product.

Products are deactivated rather than deleted once anything refers to them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.validators import validate_barcode, validate_code, validate_sku

UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}
ZERO = Decimal("0")


# The VAT rates of mainland China (增值税税率), stored as Decimal fractions.
VAT_RATE_CHOICES = [
    (Decimal("0.1300"), _("13%")),
    (Decimal("0.0900"), _("9%")),
    (Decimal("0.0600"), _("6%")),
    (Decimal("0.0000"), _("0%")),
]
DEFAULT_VAT_RATE = Decimal("0.1300")


class Category(models.Model):
    """A product category; categories form a tree through ``parent``."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code],
                            error_messages={"unique": _("Another category already has this code.")})
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="catalog_category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of measure products are counted in; ``allow_fraction`` permits 1.5 kg but not 1.5 台."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=20)
    allow_fraction = models.BooleanField(_("fractions allowed"), default=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the company sells, identified by its SKU."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True, validators=[validate_sku],
                           error_messages={"unique": _("Another product already has this SKU.")})
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="products")
    barcode = models.CharField(_("barcode"), max_length=13, blank=True, default="", validators=[validate_barcode],
                               help_text=_("EAN-13, UPC-A or EAN-8, with its check digit."))
    list_price = models.DecimalField(_("list price"), **UNIT_PRICE, default=ZERO,
                                     validators=[MinValueValidator(ZERO)])
    price_includes_tax = models.BooleanField(_("price includes VAT"), default=True)
    standard_cost = models.DecimalField(_("standard cost"), **UNIT_PRICE, default=ZERO,
                                        validators=[MinValueValidator(ZERO)])
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, choices=VAT_RATE_CHOICES,
                                   default=DEFAULT_VAT_RATE,
                                   error_messages={"invalid_choice": _("Choose a VAT rate of 13%%, 9%%, 6%% or 0%%.")})
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True,
                                    validators=[MinValueValidator(ZERO)])
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(ZERO)])
    # Goods are counted in the warehouses and reserved by orders; a service (warranty, installation) is not.
    track_stock = models.BooleanField(_("kept in stock"), default=True,
                                      help_text=_("Off for services: orders then reserve and ship no stock of it."))
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    search_text = models.TextField(default="", blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        permissions = [("import_products", _("Can import products"))]
        constraints = [
            models.UniqueConstraint(fields=["barcode"], condition=~models.Q(barcode=""),
                                    name="catalog_product_barcode_unique", violation_error_code="unique",
                                    violation_error_message=_("Another product already has this barcode.")),
            models.CheckConstraint(condition=models.Q(list_price__gte=0), name="catalog_product_list_price_gte_0"),
            models.CheckConstraint(condition=models.Q(standard_cost__gte=0),
                                   name="catalog_product_standard_cost_gte_0"),
            models.CheckConstraint(condition=models.Q(weight_kg__isnull=True) | models.Q(weight_kg__gte=0),
                                   name="catalog_product_weight_gte_0"),
            models.CheckConstraint(condition=models.Q(volume_m3__isnull=True) | models.Q(volume_m3__gte=0),
                                   name="catalog_product_volume_gte_0"),
            models.CheckConstraint(condition=models.Q(vat_rate__gte=0, vat_rate__lt=1),
                                   name="catalog_product_vat_rate_range"),
        ]
        indexes = [models.Index(fields=["brand"], name="catalog_product_brand_idx")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductImage(models.Model):
    """A picture of a product: the stored original, its thumbnail, and whether it is the primary one."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="images")
    file = models.FileField(_("file"), max_length=255)
    thumbnail = models.FileField(_("thumbnail"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product", "-is_primary", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=models.Q(is_primary=True),
                                    name="catalog_one_primary_image_per_product"),
        ]

    def __str__(self) -> str:
        return self.original_name or f"#{self.pk}"


class ProductSubstitute(models.Model):
    """One product that can replace another, at a position in that product's ordered list."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="substitute_links")
    substitute = models.ForeignKey(Product, verbose_name=_("substitute"), on_delete=models.PROTECT,
                                   related_name="substitute_for_links")
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("substitute")
        verbose_name_plural = _("substitutes")
        ordering = ["product", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "substitute"], name="catalog_substitute_unique_pair"),
            models.CheckConstraint(condition=~models.Q(product=models.F("substitute")),
                                   name="catalog_substitute_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.substitute_id}"
