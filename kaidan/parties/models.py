"""Customers: the master record a salesperson picks from, with addresses, contacts, invoice
details for VAT special invoices, payment terms and a credit limit.

Record rule: a salesperson sees and edits only the customers they own; roles holding
`parties.view_all_customers` see all. It is enforced in selectors.customers_visible_to, which
every list, page, search, export and API endpoint goes through.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import EmailValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaidan.core.validators import validate_uscc

MOBILE = RegexValidator(r"^1[3-9][0-9]{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678."))
PHONE = RegexValidator(r"^[0-9+()\- ]{5,30}$", _("Enter a phone number: digits, spaces, + ( ) and -."))
POSTCODE = RegexValidator(r"^[0-9]{6}$", _("A postcode has 6 digits."))
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. CNY."))
BANK_ACCOUNT = RegexValidator(r"^[0-9 \-]*$", _("Digits only."))


class CustomerGroup(models.Model):
    """A group of customers that share terms and, later, a price list (e.g. 经销商, 大客户)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PaymentTerm(models.Model):
    """When a customer pays: in advance, on delivery, N days net, or N days after month end."""

    class Kind(models.TextChoices):
        PREPAID = "prepaid", _("Payment before shipping")
        ON_DELIVERY = "on_delivery", _("Payment on delivery")
        NET = "net", _("Net days after invoice")
        MONTH_END = "month_end", _("Days after month end")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["kind", "days", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["prepaid", "on_delivery", "net", "month_end"]),
                                   name="payment_term_kind_valid"),
            models.CheckConstraint(condition=Q(days__lte=365), name="payment_term_days_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A company or person the company sells to."""

    class Kind(models.TextChoices):
        COMPANY = "company", pgettext_lazy("customer type", "Company")
        INDIVIDUAL = "individual", pgettext_lazy("customer type", "Individual")

    class CreditControl(models.TextChoices):
        WARN = "warn", _("Warn: over the limit needs approval")
        BLOCK = "block", _("Block: over the limit cannot be submitted")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        BLOCKED = "blocked", _("Blocked")
        INACTIVE = "inactive", _("Inactive")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    group = models.ForeignKey(CustomerGroup, verbose_name=_("customer group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="customers")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="customers")
    payment_term = models.ForeignKey(PaymentTerm, verbose_name=_("payment terms"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="customers")
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0"))])
    # What happens when an order would take the customer over its limit (0 = no limit set).
    credit_control = models.CharField(_("credit control"), max_length=5, choices=CreditControl.choices,
                                      default=CreditControl.WARN)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[CURRENCY])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)
    allow_partial_shipment = models.BooleanField(
        _("partial shipment allowed"), default=False,
        help_text=_("Confirm orders with what is in stock and ship the rest when it arrives."))
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    # 增值税专用发票 details
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_address = models.CharField(_("registered address"), max_length=300, blank=True)
    tax_phone = models.CharField(_("registered phone"), max_length=40, blank=True, validators=[PHONE])
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True, validators=[BANK_ACCOUNT])
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        permissions = [
            ("view_all_customers", _("Can see every salesperson's customers")),
            ("set_credit_limit", _("Can set credit limits and block customers")),
            ("import_customers", _("Can import customers")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="customer_credit_limit_not_negative"),
            models.CheckConstraint(condition=Q(status__in=["active", "blocked", "inactive"]),
                                   name="customer_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=["company", "individual"]), name="customer_kind_valid"),
            models.CheckConstraint(condition=Q(credit_control__in=["warn", "block"]),
                                   name="customer_credit_control_valid"),
            models.CheckConstraint(condition=~Q(status="blocked") | ~Q(blocked_reason=""),
                                   name="customer_blocked_has_reason"),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="customer_uscc_unique"),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="customer_owner_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name or self.name}"

    def missing_special_invoice_details(self) -> list[str]:
        """The fields a VAT special invoice (增值税专用发票) needs that are still empty."""
        needed = ["uscc", "tax_address", "tax_phone", "bank_name", "bank_account"]
        return [name for name in needed if not getattr(self, name)]


class Address(models.Model):
    """A billing or shipping address of a customer; one default per kind."""

    class Kind(models.TextChoices):
        BILLING = "billing", pgettext_lazy("address kind", "Billing")
        SHIPPING = "shipping", pgettext_lazy("address kind", "Shipping")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SHIPPING)
    is_default = models.BooleanField(_("default"), default=False)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True, validators=[POSTCODE])
    recipient = models.CharField(_("recipient"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[PHONE])

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["kind", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind"], condition=Q(is_default=True),
                                    name="address_one_default_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=["billing", "shipping"]), name="address_kind_valid"),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district, self.street) if p)


class Contact(models.Model):
    """A person at the customer: who to call, who receives invoices."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, validators=[MOBILE])
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[PHONE])
    email = models.CharField(_("email"), max_length=254, blank=True, validators=[EmailValidator()])
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True), name="contact_one_primary"),
        ]

    def __str__(self) -> str:
        return self.name
