"""Reads of customers. Every read goes through customers_visible_to, which applies the record rule."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability, has_capability
from kaidan.core.search import apply_search
from kaidan.parties.models import Address, Contact, Customer, CustomerGroup, PaymentTerm

CUSTOMER_SORT_FIELDS = {"code", "name", "created_at", "credit_limit", "status"}
PICKER_LIMIT = 20


def customers_visible_to(user) -> QuerySet[Customer]:
    """The record rule: all customers for roles that see all, a salesperson's own otherwise, else none."""
    if has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
        return Customer.objects.all()
    if has_capability(user, Capability.VIEW_CUSTOMERS):
        return Customer.objects.filter(owner=user)
    return Customer.objects.none()


def customer_list(user, *, q: str | None = None, status: str | None = None, group_id: int | None = None,
                  owner_id: int | None = None, sort: str | None = None) -> QuerySet[Customer]:
    qs = customers_visible_to(user).select_related("group", "owner", "payment_term")
    qs = apply_search(qs, q)
    if status:
        qs = qs.filter(status=status)
    if group_id:
        qs = qs.filter(group_id=group_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return apply_sort(qs, sort, allowed=CUSTOMER_SORT_FIELDS, default=["code"])


def customer_detail(user, customer_id: int) -> Customer | None:
    """One visible customer with its addresses and contacts; None when missing or not visible."""
    return (customers_visible_to(user).select_related("group", "owner", "payment_term")
            .prefetch_related(Prefetch("addresses", queryset=Address.objects.order_by("kind", "-is_default", "id")),
                              Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "id")))
            .filter(pk=customer_id).first())


def customer_picker(user, q: str | None) -> list[dict]:
    """What order entry's customer picker needs, for the first matches of a search."""
    qs = apply_search(customers_visible_to(user).filter(status=Customer.Status.ACTIVE), q).order_by("code")
    return list(qs.values("id", "code", "name", "short_name", "currency", "payment_term_id")[:PICKER_LIMIT])


def default_address(customer: Customer, kind: str) -> Address | None:
    return customer.addresses.filter(kind=kind, is_default=True).first()


def active_groups() -> QuerySet[CustomerGroup]:
    return CustomerGroup.objects.filter(active=True).order_by("code")


def active_payment_terms() -> QuerySet[PaymentTerm]:
    return PaymentTerm.objects.filter(active=True)
