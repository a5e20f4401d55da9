"""Pricing rules, edited by sales managers; the price engine (engine.py) reads them as plain facts.

* ``PriceList`` — prices for a customer, a customer group or everyone, valid between two dates,
  in one currency, tax-inclusive or not; ``PriceListItem`` — a fixed price or a % off the list
  price per product, from a minimum quantity (quantity breaks).
* ``Promotion`` — % off, amount off per unit, buy X get Y free, or an order threshold discount
  (满减), for products and/or categories, customer groups, dates, with a priority and a stacking mode.
* ``DiscountLimit`` — the highest manual discount % a role may give without approval.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.models import UNIT_PRICE, Category, Product
from kaidan.catalog.validators import validate_code
from kaidan.core.roles import Role
from kaidan.parties.models import Customer, CustomerGroup

ZERO = Decimal("0")
PERCENT = {"max_digits": 5, "decimal_places": 2,
           "validators": [MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))]}
QUANTITY = {"max_digits": 14, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2}
PROMOTION_KINDS = ["percent_off", "amount_off", "buy_x_get_y", "order_threshold"]


class PriceList(models.Model):
    """Prices for a customer, a customer group or everyone, valid between two dates."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="price_lists")
    group = models.ForeignKey(CustomerGroup, verbose_name=_("customer group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="price_lists")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100,
                                                help_text=_("Lower numbers are tried first."))
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(condition=Q(customer__isnull=True) | Q(group__isnull=True),
                                   name="pricelist_customer_or_group"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")), name="pricelist_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """One product's price on a list from a minimum quantity: a fixed price or a % off list price."""

    class Method(models.TextChoices):
        FIXED = "fixed", _("Fixed price")
        PERCENT_OFF = "percent_off", _("Percent off list price")

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="price_list_items")
    min_quantity = models.DecimalField(_("from quantity"), **QUANTITY, default=ZERO,
                                       validators=[MinValueValidator(ZERO)])
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.FIXED)
    price = models.DecimalField(_("unit price"), **UNIT_PRICE, null=True, blank=True,
                                validators=[MinValueValidator(ZERO)])
    percent = models.DecimalField(_("percent off"), **PERCENT, null=True, blank=True)

    class Meta:
        ordering = ["product_id", "min_quantity"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                    name="pricelistitem_unique_break"),
            models.CheckConstraint(condition=Q(method="fixed", price__isnull=False)
                                   | Q(method="percent_off", percent__isnull=False), name="pricelistitem_value_set"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id}≥{self.min_quantity}"


class Promotion(models.Model):
    """A promotion the engine applies by itself when its dates, products and customers match."""

    class Kind(models.TextChoices):
        PERCENT_OFF = "percent_off", _("Percent off")
        AMOUNT_OFF = "amount_off", _("Amount off per unit")
        BUY_X_GET_Y = "buy_x_get_y", _("Buy X get Y free")
        ORDER_THRESHOLD = "order_threshold", _("Spend and save (满减)")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100,
                                                help_text=_("Lower numbers are applied first."))
    exclusive = models.BooleanField(_("exclusive"), default=False,
                                    help_text=_("An exclusive promotion is never combined with another one."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="promotions")
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True,
                                        related_name="promotions")
    customer_groups = models.ManyToManyField(CustomerGroup, verbose_name=_("customer groups"), blank=True,
                                             related_name="promotions")
    percent = models.DecimalField(_("percent off"), **PERCENT, null=True, blank=True)
    amount = models.DecimalField(_("amount off"), **MONEY, null=True, blank=True,
                                 validators=[MinValueValidator(ZERO)])
    threshold = models.DecimalField(_("spend at least"), **MONEY, null=True, blank=True,
                                    validators=[MinValueValidator(ZERO)])
    buy_quantity = models.DecimalField(_("buy"), **QUANTITY, null=True, blank=True,
                                       validators=[MinValueValidator(Decimal("0.0001"))])
    free_quantity = models.DecimalField(_("get free"), **QUANTITY, null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0.0001"))])
    free_product = models.ForeignKey(Product, verbose_name=_("free product"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Empty: the same product."))
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PROMOTION_KINDS), name="promotion_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="percent_off") | Q(percent__isnull=False),
                                   name="promotion_percent_set"),
            models.CheckConstraint(condition=~Q(kind="amount_off") | Q(amount__isnull=False),
                                   name="promotion_amount_set"),
            models.CheckConstraint(condition=~Q(kind="order_threshold")
                                   | Q(amount__isnull=False, threshold__isnull=False), name="promotion_threshold_set"),
            models.CheckConstraint(condition=~Q(kind="buy_x_get_y") | Q(buy_quantity__isnull=False,
                                                                         free_quantity__isnull=False),
                                   name="promotion_buy_get_set"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")), name="promotion_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class DiscountLimit(models.Model):
    """The highest manual discount a role may give; beyond it the order needs approval."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_percent = models.DecimalField(_("highest discount %"), **PERCENT)

    class Meta:
        ordering = ["max_percent"]
        verbose_name = _("discount limit")
        verbose_name_plural = _("discount limits")
        permissions = [("view_cost", _("Can see costs and margins"))]

    def __str__(self) -> str:
        return f"{self.role} ≤ {self.max_percent}%"
