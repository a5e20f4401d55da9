"""Stock: where it is kept, how much is there, what moved and who is waiting for it.

* ``Warehouse`` — a place stock is kept and shipped from.
* ``StockLevel`` — one row per product × warehouse: ``on_hand`` and ``reserved``; available is the
  difference. A CHECK keeps ``0 <= reserved <= on_hand`` and the services change both with
  conditional UPDATEs, so no interleaving of requests can oversell, on SQLite as on PostgreSQL.
* ``StockMove`` — the immutable ledger: every change of ``on_hand`` is one signed move, so on hand
  always equals the sum of the moves (``kaidan check_stock`` verifies it).
* ``StockOperation`` — the document a person posts: a goods receipt, an adjustment/stocktake or a
  transfer; its moves point back to it.
* ``Reservation`` — what an order line holds (``reserved``) of what it wants (``quantity``); the
  rest is a backorder, filled oldest order first when stock arrives. ``StockLevel.reserved`` always
  equals the sum of ``reserved`` over the product × warehouse's reservations. Inventory never imports
  sales: a reservation names its order and line by id and number.
* ``ReorderRule`` and ``ReplenishmentRequest`` — min/max levels, and the purchasing board
  (open → ordered with an expected date → received, which posts the receipt).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.models import Product
from kaidan.catalog.validators import validate_code

ZERO = Decimal("0")
QUANTITY = {"max_digits": 14, "decimal_places": 4}


class Warehouse(models.Model):
    """A place stock is kept and shipped from."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    """How much of a product a warehouse holds and how much of that is promised to orders."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="stock_levels")
    on_hand = models.DecimalField(_("on hand"), **QUANTITY, default=ZERO)
    reserved = models.DecimalField(_("reserved"), **QUANTITY, default=ZERO)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["product_id", "warehouse_id"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stocklevel_one_per_product_warehouse"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_within_on_hand"),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="stocklevel_warehouse_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockOperation(models.Model):
    """A receipt, an adjustment (stocktake) or a transfer as posted by a person; its moves follow."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Goods receipt")
        ADJUSTMENT = "adjustment", _("Stock adjustment")
        TRANSFER = "transfer", _("Transfer")

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="operations")
    to_warehouse = models.ForeignKey(Warehouse, verbose_name=_("to warehouse"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="incoming_operations")
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock operation")
        verbose_name_plural = _("stock operations")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="adjustment") | ~Q(reason=""),
                                   name="stockoperation_adjustment_has_reason"),
            models.CheckConstraint(condition=Q(kind="transfer", to_warehouse__isnull=False)
                                   | (~Q(kind="transfer") & Q(to_warehouse__isnull=True)),
                                   name="stockoperation_transfer_has_destination"),
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="stockoperation_kind_idx")]

    def __str__(self) -> str:
        return self.number


class ImmutableError(RuntimeError):
    """A stock move was about to be changed or deleted; the ledger only grows."""


class StockMove(models.Model):
    """One signed change of on-hand stock. Never updated or deleted: a mistake is corrected by an
    adjustment, so the ledger explains every number."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")
        SHIPMENT = "shipment", _("Shipment")
        RETURN = "return", _("Return")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        TRANSFER_OUT = "transfer_out", _("Transfer out")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="stock_moves")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="stock_moves")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # + into the warehouse, − out of it
    on_hand_after = models.DecimalField(_("on hand after"), **QUANTITY)
    operation = models.ForeignKey(StockOperation, verbose_name=_("operation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="moves")
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # e.g. the delivery note's number
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero"),
            models.CheckConstraint(condition=Q(kind__in=["receipt", "transfer_in", "return"], quantity__gt=0)
                                   | Q(kind__in=["shipment", "transfer_out"], quantity__lt=0)
                                   | Q(kind="adjustment"), name="stockmove_sign_matches_kind"),
        ]
        indexes = [
            models.Index(fields=["product", "warehouse", "-id"], name="stockmove_product_idx"),
            models.Index(fields=["warehouse", "-id"], name="stockmove_warehouse_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id}@{self.warehouse_id} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("stock moves are never changed; post an adjustment")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("stock moves are never deleted; post an adjustment")


class Reservation(models.Model):
    """Stock an order line holds. ``quantity`` is what the line wants from this warehouse,
    ``reserved`` what it holds now; the difference is a backorder. A line releases its reservation
    when the order is cancelled (``status`` closed, both quantities zero)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="reservations")
    order_id = models.BigIntegerField(_("order"))
    order_number = models.CharField(_("order number"), max_length=40)
    order_line_id = models.BigIntegerField(_("order line"), unique=True)
    order_date = models.DateField(_("order date"))  # backorders are filled oldest order first
    quantity = models.DecimalField(_("wanted"), **QUANTITY)
    reserved = models.DecimalField(_("reserved"), **QUANTITY, default=ZERO)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order_date", "order_id", "order_line_id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(reserved__lte=F("quantity")),
                                   name="reservation_reserved_within_quantity"),
            models.CheckConstraint(condition=Q(status="open") | Q(reserved=0),
                                   name="reservation_closed_holds_nothing"),
        ]
        indexes = [
            models.Index(fields=["product", "warehouse", "status", "order_date", "order_id"],
                         name="reservation_queue_idx"),
            models.Index(fields=["order_id"], name="reservation_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_number}/{self.order_line_id}: {self.reserved}/{self.quantity}"

    @property
    def backordered(self) -> Decimal:
        return self.quantity - self.reserved if self.status == self.Status.OPEN else ZERO


class ReorderRule(models.Model):
    """Keep a product between min and max in a warehouse: when available plus incoming falls below
    ``min_level`` a replenishment request tops it up to ``max_level``."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="reorder_rules")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="reorder_rules")
    min_level = models.DecimalField(_("minimum"), **QUANTITY)
    max_level = models.DecimalField(_("maximum"), **QUANTITY)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["warehouse_id", "product_id"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="reorderrule_one_per_product_warehouse"),
            models.CheckConstraint(condition=Q(min_level__gte=0) & Q(max_level__gt=0)
                                   & Q(max_level__gte=F("min_level")), name="reorderrule_levels_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.min_level}–{self.max_level}"


class ReplenishmentRequest(models.Model):
    """A request to purchasing for more of a product in a warehouse. At most one is open per
    product × warehouse, so shortages from many orders add up in one request."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ORDERED = "ordered", _("Ordered")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        SHORTAGE = "shortage", _("Order shortage")
        REORDER = "reorder", _("Below minimum")
        MANUAL = "manual", _("By hand")

    number = models.CharField(_("number"), max_length=40, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="replenishment_requests")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="replenishment_requests")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    purchase_reference = models.CharField(_("purchase order"), max_length=60, blank=True)
    expected_date = models.DateField(_("expected"), null=True, blank=True)
    received_quantity = models.DecimalField(_("received"), **QUANTITY, default=ZERO)
    receipt = models.ForeignKey(StockOperation, verbose_name=_("receipt"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="replenishments")
    notes = models.CharField(_("notes"), max_length=400, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # None: created by the system
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("replenishment request")
        verbose_name_plural = _("replenishment requests")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], condition=Q(status="open"),
                                    name="replenishment_one_open_per_product_warehouse"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="replenishment_quantity_positive"),
            models.CheckConstraint(condition=~Q(status="ordered") | Q(expected_date__isnull=False),
                                   name="replenishment_ordered_has_expected_date"),
        ]
        indexes = [
            models.Index(fields=["status", "expected_date"], name="replenishment_status_idx"),
            models.Index(fields=["product", "warehouse", "status"], name="replenishment_product_idx"),
        ]

    def __str__(self) -> str:
        return self.number
