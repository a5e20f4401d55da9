"""The header of a quotation or order: checking what the user sent and filling the defaults from
the customer (addresses, contact, payment terms, currency, price list, salesperson)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.parsing import parse_id
from kaidan.core.roles import Capability, has_capability
from kaidan.inventory import selectors as inventory_selectors
from kaidan.inventory.models import Warehouse
from kaidan.parties.models import Address, Contact, Customer, PaymentTerm
from kaidan.parties.selectors import customers_visible_to
from kaidan.pricing import selectors as pricing_selectors
from kaidan.pricing.models import PriceList
from kaidan.sales.models import SalesOrder
from kaidan.sales.validation import Errors, parse_date

HEADER_FIELDS = ["customer_id", "contact_id", "billing_address_id", "shipping_address_id", "order_date",
                 "requested_date", "valid_until", "salesperson_id", "warehouse_id", "currency", "payment_term_id",
                 "price_list_id", "customer_po", "prices_include_tax", "allow_partial_shipment", "notes"]
SNAPSHOT_FIELDS = [f.removesuffix("_id") for f in HEADER_FIELDS] + [
    "status", "net_amount", "tax_amount", "gross_amount", "discount_amount", "line_count", "revision", "version",
    "billing_address_text", "shipping_address_text", "price_date"]
QUOTATION_DAYS = 30  # a quotation is valid this long unless the user says otherwise
TEXT_LIMITS = {"customer_po": 60, "notes": 4000}
CURRENCY = re.compile(r"^[A-Z]{3}$")


def address_text(address: Address | None) -> str:
    if address is None:
        return ""
    city = "" if address.city == address.province else address.city  # 上海市上海市 → 上海市
    parts = [address.province, city, address.district, address.street]
    who = " ".join(p for p in [address.recipient, address.phone] if p)
    return ("".join(p for p in parts if p) + (f" ({who})" if who else ""))[:400]


def snapshot(order: SalesOrder) -> dict:
    return audit.snapshot(order, SNAPSHOT_FIELDS)


def apply_header(order: SalesOrder, data: dict[str, Any], *, actor, errors: Errors, creating: bool) -> None:
    """Check ``data`` and write it onto ``order``; a new customer brings its defaults for every field
    the request leaves out. Problems go to ``errors``."""
    for name in sorted(set(data) - set(HEADER_FIELDS)):
        errors.add(name, _("Unknown field."))
    data = {k: v for k, v in data.items() if k in HEADER_FIELDS}
    customer_changed = "customer_id" in data and (
        creating or parse_id(data["customer_id"], Errors(), "customer_id") != order.customer_id)
    if "customer_id" in data or creating:
        customer_id = parse_id(data.get("customer_id"), errors, "customer_id")
        customer = customers_visible_to(actor).filter(pk=customer_id).first() if customer_id else None
        if customer is None:
            errors.add("customer_id", _("Choose a customer you can see."))
            return
        if customer.status == Customer.Status.INACTIVE:
            errors.add("customer_id", _("This customer is inactive; reactivate it first."))
            return
        order.customer = customer
    customer = order.customer
    if customer_changed:
        _fill_defaults(order, customer, data)
    for name in ("order_date", "requested_date", "valid_until"):
        if name in data:
            setattr(order, name, parse_date(data[name], errors=errors, field=name))
    if order.order_date is None:
        if "order_date" in data and "order_date" not in errors.fields:
            errors.add("order_date", _("Enter the order date."))
        order.order_date = order.order_date or timezone.localdate()
    if order.is_quotation and order.valid_until is None and not errors.fields.get("valid_until"):
        order.valid_until = order.order_date + datetime.timedelta(days=QUOTATION_DAYS)
    for name in ("requested_date", "valid_until"):
        value = getattr(order, name)
        if value and order.order_date and value < order.order_date:
            errors.add(name, _("This date cannot be before the order date."))
    _apply_links(order, customer, data, errors)
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            value = str(data[name] or "").strip()
            if len(value) > limit:
                errors.add(name, _("Enter at most %(max)d characters.") % {"max": limit})
            setattr(order, name, value[:limit])
    if "currency" in data:
        currency = str(data["currency"] or "").strip().upper()
        if not CURRENCY.match(currency):
            errors.add("currency", _("Enter a three-letter currency code such as CNY."))
        order.currency = currency
    for name in ("prices_include_tax", "allow_partial_shipment"):
        if name in data:
            if not isinstance(data[name], bool):
                errors.add(name, _("Say yes or no."))
            else:
                setattr(order, name, data[name])
    if creating and order.warehouse_id is None and "warehouse_id" not in data:
        order.warehouse = inventory_selectors.default_warehouse()
    if order.price_list_id and order.price_list.currency != order.currency:
        errors.add("price_list_id", _("This price list is in %(currency)s, the order in %(order)s.")
                   % {"currency": order.price_list.currency, "order": order.currency})
    order.billing_address_text = address_text(order.billing_address)
    order.shipping_address_text = address_text(order.shipping_address)


def _fill_defaults(order: SalesOrder, customer: Customer, data: dict[str, Any]) -> None:
    addresses = {a.kind: a for a in customer.addresses.filter(is_default=True)}
    defaults = {
        "billing_address": addresses.get(Address.Kind.BILLING) or addresses.get(Address.Kind.SHIPPING),
        "shipping_address": addresses.get(Address.Kind.SHIPPING) or addresses.get(Address.Kind.BILLING),
        "contact": customer.contacts.order_by("-is_primary", "id").first(),
    }
    for name, value in defaults.items():
        if f"{name}_id" not in data:
            setattr(order, name, value)
    if "payment_term_id" not in data:
        order.payment_term_id = customer.payment_term_id
    if "currency" not in data:
        order.currency = customer.currency
    if "allow_partial_shipment" not in data:
        order.allow_partial_shipment = customer.allow_partial_shipment
    if "salesperson_id" not in data and customer.owner_id:
        order.salesperson_id = customer.owner_id
    if "price_list_id" not in data:
        order.price_list = pricing_selectors.default_price_list(
            customer, order.order_date or timezone.localdate(), data.get("currency") or customer.currency)


def _apply_links(order: SalesOrder, customer: Customer, data: dict[str, Any], errors: Errors) -> None:
    """The header's links: each must exist and, where it belongs to a customer, to this one."""
    checks = {
        "contact_id": (Contact.objects.filter(customer=customer), "contact"),
        "billing_address_id": (Address.objects.filter(customer=customer), "billing_address"),
        "shipping_address_id": (Address.objects.filter(customer=customer), "shipping_address"),
        "warehouse_id": (Warehouse.objects.filter(active=True), "warehouse"),
        "payment_term_id": (PaymentTerm.objects.filter(active=True), "payment_term"),
        "price_list_id": (PriceList.objects.filter(active=True), "price_list"),
    }
    for field, (queryset, attr) in checks.items():
        if field not in data:
            current = getattr(order, f"{attr}_id")
            if current and attr in ("contact", "billing_address", "shipping_address") \
                    and getattr(order, attr).customer_id != customer.pk:
                setattr(order, attr, None)  # the customer changed: its old contact/addresses do not apply
            continue
        pk = parse_id(data[field], errors, field)
        obj = queryset.filter(pk=pk).first() if pk else None
        if pk and obj is None:
            errors.add(field, _("Choose one that belongs to this customer.") if attr in
                       ("contact", "billing_address", "shipping_address") else _("Choose a valid entry."))
            continue
        setattr(order, attr, obj)
    if "salesperson_id" in data:
        pk = parse_id(data["salesperson_id"], errors, "salesperson_id")
        user = get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None
        if user is None or not has_capability(user, Capability.CHANGE_ORDERS):
            errors.add("salesperson_id", _("Choose an active user who writes orders."))
        else:
            order.salesperson = user
