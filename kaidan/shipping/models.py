"""Shipping: delivery notes (送货单) made from confirmed orders, the parcels and carriers that take
them, and the tracking timeline that says where the goods are.

* ``Carrier`` — master data: name, code, a tracking URL pattern (``{number}`` is replaced by the
  tracking number) and a key its integration uses to post tracking events to the API (stored hashed).
* ``DeliveryNote`` — one shipment of (part of) one order from the order's warehouse. States in
  states.py. Shipping it posts the stock moves (on hand down, the order's reservation consumed) and
  records the cost of the goods, in one transaction.
* ``DeliveryLine`` — a quantity of one order line. Σ over the order's notes that are not cancelled
  never exceeds the line's ordered quantity; the open (unshipped) ones never exceed what the line
  holds reserved, so whatever is on a note can be shipped.
* ``TrackingNumber`` — one or more per note (one per parcel, or one waybill for all).
* ``TrackingEvent`` — the timeline: time, status, location, note; typed in or posted by a carrier.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.models import UNIT_PRICE, Product
from kaidan.catalog.validators import validate_code
from kaidan.inventory.models import Warehouse
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.shipping.states import ExceptionReason, Status

ZERO = Decimal("0")
MONEY = {"max_digits": 14, "decimal_places": 2, "default": ZERO}
QUANTITY = {"max_digits": 14, "decimal_places": 4}
TRACKING_PLACEHOLDER = "{number}"


class Carrier(models.Model):
    """A logistics company (顺丰, 德邦, 中通…) or the company's own van."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    tracking_url = models.CharField(_("tracking URL pattern"), max_length=300, blank=True,
                                    help_text=_("Address of the carrier's tracking page with {number} where the "
                                                "tracking number goes."))
    active = models.BooleanField(_("active"), default=True)
    # The integration's key, hashed; the key itself is shown once when it is made.
    api_key_digest = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def tracking_link(self, number: str) -> str:
        if not self.tracking_url or TRACKING_PLACEHOLDER not in self.tracking_url:
            return ""
        from urllib.parse import quote

        return self.tracking_url.replace(TRACKING_PLACEHOLDER, quote(number, safe=""))


class DeliveryNote(models.Model):
    """One shipment of goods of one order."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    order = models.ForeignKey(SalesOrder, verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="delivery_notes")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="delivery_notes")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="delivery_notes")
    shipping_address_text = models.CharField(_("ship to"), max_length=400, blank=True)
    contact_text = models.CharField(_("contact"), max_length=200, blank=True)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    # packing
    parcel_count = models.PositiveIntegerField(_("parcels"), default=0)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=3, null=True, blank=True)
    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="delivery_notes")
    service = models.CharField(_("service"), max_length=60, blank=True)
    ship_date = models.DateField(_("ship date"), null=True, blank=True)
    freight_charge = models.DecimalField(_("freight charge"), **MONEY)
    # what the goods cost (standard cost when shipped), for the cost-of-goods posting
    cost_amount = models.DecimalField(_("cost of goods"), **MONEY)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    # delivery and exceptions
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    received_by = models.CharField(_("signed by"), max_length=100, blank=True)
    exception_reason = models.CharField(_("exception"), max_length=12, choices=ExceptionReason.choices, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("picked by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shipped by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    picking_at = models.DateTimeField(_("picking started"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery note")
        verbose_name_plural = _("delivery notes")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="deliverynote_status_valid"),
            models.CheckConstraint(condition=Q(freight_charge__gte=0), name="deliverynote_freight_not_negative"),
            models.CheckConstraint(condition=~Q(status="exception") | ~Q(exception_reason=""),
                                   name="deliverynote_exception_has_reason"),
            models.CheckConstraint(condition=Q(status__in=["draft", "picking", "packed", "cancelled"])
                                   | Q(shipped_at__isnull=False, ship_date__isnull=False),
                                   name="deliverynote_shipped_has_date"),
        ]
        indexes = [
            models.Index(fields=["order", "status"], name="deliverynote_order_idx"),
            models.Index(fields=["status", "warehouse", "-created_at"], name="deliverynote_queue_idx"),
            models.Index(fields=["customer", "-created_at"], name="deliverynote_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(models.Model):
    """A quantity of one order line on a delivery note."""

    note = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    order_line = models.ForeignKey(SalesOrderLine, verbose_name=_("order line"), on_delete=models.PROTECT,
                                   related_name="delivery_lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="delivery_lines")
    description = models.CharField(_("description"), max_length=400, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.0001"))])
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_PRICE, default=ZERO)
    cost_amount = models.DecimalField(_("cost"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        constraints = [
            models.UniqueConstraint(fields=["note", "order_line"], name="deliveryline_one_per_order_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deliveryline_quantity_positive"),
        ]
        indexes = [models.Index(fields=["order_line"], name="deliveryline_order_line_idx")]

    def __str__(self) -> str:
        return f"{self.note_id}#{self.position}"


class TrackingNumber(models.Model):
    note = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="tracking_numbers")
    number = models.CharField(_("tracking number"), max_length=60)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tracking number")
        verbose_name_plural = _("tracking numbers")
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="trackingnumber_once_per_note")]
        indexes = [models.Index(fields=["number"], name="trackingnumber_number_idx")]

    def __str__(self) -> str:
        return self.number


class TrackingEvent(models.Model):
    """One step of the parcel's journey."""

    class Kind(models.TextChoices):
        SHIPPED = "shipped", _("Handed to the carrier")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Exception")
        NOTE = "note", _("Note")

    class Source(models.TextChoices):
        USER = "user", _("Entered by hand")
        CARRIER = "carrier", _("Carrier")
        SYSTEM = "system", _("Kaidan")

    note = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="tracking_events")
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(_("status"), max_length=20, choices=Kind.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.CharField(_("note"), max_length=500, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True)
    exception_reason = models.CharField(_("exception"), max_length=12, choices=ExceptionReason.choices, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.USER)
    carrier = models.ForeignKey(Carrier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A carrier's own id for the event: a re-sent event is recorded once.
    external_id = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(fields=["note", "carrier", "external_id"], condition=~Q(external_id=""),
                                    name="trackingevent_external_once"),
            models.CheckConstraint(condition=~Q(kind="exception") | ~Q(exception_reason=""),
                                   name="trackingevent_exception_has_reason"),
        ]
        indexes = [models.Index(fields=["note", "occurred_at"], name="trackingevent_note_idx")]

    def __str__(self) -> str:
        return f"{self.note_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"
