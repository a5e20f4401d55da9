"""Quotations and sales orders.

One model, ``SalesOrder``, with a ``kind`` (quotation or order): both have the same header and
lines and are priced by the same engine; they differ in their numbering series, their transition
table (states.py) and what they lead to (a quotation converts into an order that keeps the link).

Money: unit prices 4 decimals, amounts 2, in the order's price mode (``prices_include_tax``:
含税 by default). Each line stores its net, tax and gross as priced by ``kaidan.pricing.engine``
and the explanation of every step (``breakdown``); the header stores the sums. While a document is
a draft every edit re-prices it; once submitted the lines and totals are frozen, so the screen,
the PDF, the API and later the invoice show the same numbers. ``version`` guards concurrent edits
(a stale edit is refused with 409).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.models import UNIT_PRICE, Product, Unit
from kaidan.inventory.models import Warehouse
from kaidan.parties.models import Address, Contact, Customer, PaymentTerm
from kaidan.pricing.models import PriceList
from kaidan.sales.states import STATUSES, BillingStatus, FulfilmentStatus, Kind, Status

ZERO = Decimal("0")
MONEY = {"max_digits": 14, "decimal_places": 2, "default": ZERO}
QUANTITY = {"max_digits": 14, "decimal_places": 4}
HALF_CENT = Value(Decimal("0.005"))


def net_plus_tax_is_gross() -> Q:
    """net + tax = gross. Amounts have 2 decimals, so "within half a cent" means exactly; the margin
    is there because SQLite compares with floating point (PostgreSQL's numeric is exact anyway)."""
    total = F("net_amount") + F("tax_amount")
    return Q(gross_amount__gt=total - HALF_CENT) & Q(gross_amount__lt=total + HALF_CENT)


class SalesOrder(models.Model):
    """A quotation or a sales order: header, totals and state."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ORDER)
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    fulfilment_status = models.CharField(_("shipping"), max_length=20, choices=FulfilmentStatus.choices,
                                         default=FulfilmentStatus.NOT_SHIPPED)
    billing_status = models.CharField(_("billing"), max_length=20, choices=BillingStatus.choices,
                                      default=BillingStatus.NOT_INVOICED)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sales_orders")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    billing_address = models.ForeignKey(Address, verbose_name=_("billing address"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    shipping_address = models.ForeignKey(Address, verbose_name=_("shipping address"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    # What the addresses said when the document was written: later edits of the customer do not move it.
    billing_address_text = models.CharField(_("bill to"), max_length=400, blank=True)
    shipping_address_text = models.CharField(_("ship to"), max_length=400, blank=True)
    order_date = models.DateField(_("order date"))
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # The date price lists and promotions are evaluated on: the order date, or the quotation's date for
    # an order made from a quotation, so the customer gets what was quoted.
    price_date = models.DateField(_("prices as of"), null=True, blank=True)
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"),
                                    on_delete=models.PROTECT, related_name="sales_orders")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="sales_orders")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payment_term = models.ForeignKey(PaymentTerm, verbose_name=_("payment terms"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="sales_orders")
    customer_po = models.CharField(_("customer PO number"), max_length=60, blank=True)
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)
    # Confirm with what is in stock and keep the rest as a backorder (else all lines or nothing).
    allow_partial_shipment = models.BooleanField(_("partial shipment allowed"), default=False)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    quotation = models.ForeignKey("self", verbose_name=_("from quotation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="orders")
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")
    net_amount = models.DecimalField(_("net amount"), **MONEY)
    tax_amount = models.DecimalField(_("VAT"), **MONEY)
    gross_amount = models.DecimalField(_("total"), **MONEY)
    discount_amount = models.DecimalField(_("discounts"), **MONEY)
    cost_amount = models.DecimalField(_("cost"), **MONEY)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("sales document")
        verbose_name_plural = _("sales documents")
        constraints = [
            models.CheckConstraint(condition=Q(kind="order", status__in=sorted(STATUSES[Kind.ORDER]))
                                   | Q(kind="quotation", status__in=sorted(STATUSES[Kind.QUOTATION])),
                                   name="salesorder_status_valid_for_kind"),
            models.CheckConstraint(condition=net_plus_tax_is_gross(), name="salesorder_net_plus_tax_is_gross"),
            models.CheckConstraint(condition=Q(quotation__isnull=True) | Q(kind="order"),
                                   name="salesorder_only_orders_come_from_quotations"),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-order_date"], name="salesorder_kind_status_idx"),
            models.Index(fields=["customer", "-order_date"], name="salesorder_customer_idx"),
            models.Index(fields=["salesperson", "-order_date"], name="salesorder_salesperson_idx"),
            models.Index(fields=["customer_po"], name="salesorder_customer_po_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_quotation(self) -> bool:
        return self.kind == Kind.QUOTATION


class SalesOrderLine(models.Model):
    """One product on a quotation or order, priced by the engine, with the steps that explain it."""

    class PriceSource(models.TextChoices):
        LIST = "list", _("List price")
        PRICE_LIST = "price_list", _("Price list")
        MANUAL = "manual", _("Entered by hand")

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="sales_lines")
    description = models.CharField(_("description"), max_length=400, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.0001"))])
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    list_price = models.DecimalField(_("list price"), **UNIT_PRICE, default=ZERO)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE, default=ZERO)
    manual_unit_price = models.DecimalField(_("price entered"), **UNIT_PRICE, null=True, blank=True)
    price_source = models.CharField(_("price from"), max_length=12, choices=PriceSource.choices,
                                    default=PriceSource.LIST)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=ZERO)
    promotion_discount = models.DecimalField(_("promotion discount"), **MONEY)
    manual_discount = models.DecimalField(_("manual discount"), **MONEY)
    allocated_discount = models.DecimalField(_("order discount share"), **MONEY)
    net_amount = models.DecimalField(_("net amount"), **MONEY)
    tax_amount = models.DecimalField(_("VAT"), **MONEY)
    gross_amount = models.DecimalField(_("gross amount"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    cost_amount = models.DecimalField(_("cost"), **MONEY)
    # Σ of this line on shipped delivery notes, kept by shipping's one recompute function.
    shipped_quantity = models.DecimalField(_("shipped"), **QUANTITY, default=ZERO)
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    is_free = models.BooleanField(_("free item"), default=False)
    free_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="free_lines")
    promotion_key = models.CharField(max_length=40, blank=True)  # the promotion that gave a free line
    breakdown = models.JSONField(_("price breakdown"), default=list, blank=True)

    class Meta:
        # Positions are kept 1..n by the services; not unique in the database, so lines can be reordered
        # in one UPDATE.
        ordering = ["position", "is_free", "id"]
        indexes = [models.Index(fields=["order", "position"], name="salesorderline_position_idx")]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="salesorderline_quantity_positive"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                                   name="salesorderline_discount_range"),
            models.CheckConstraint(condition=net_plus_tax_is_gross(), name="salesorderline_net_plus_tax_is_gross"),
            models.CheckConstraint(condition=Q(is_free=False) | Q(free_for__isnull=False),
                                   name="salesorderline_free_line_has_parent"),
            models.CheckConstraint(condition=Q(shipped_quantity__gte=0) & Q(shipped_quantity__lte=F("quantity")),
                                   name="salesorderline_shipped_within_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position}"
