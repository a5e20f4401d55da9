"""Roles and the permission matrix, written once: the UI, the API and the tests all read it.

A role is a Django group; a capability is a Django permission ("app_label.codename"). The matrix
below is the only place that says which role may do what. ``sync_roles`` makes the groups hold
exactly these permissions; it runs in a migration and again after every ``migrate`` so a capability
added by a later app reaches its roles without hand work.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES = "sales", _("Sales")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    GENERAL_MANAGER = "general_manager", _("General manager")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")
    AFTERSALES = "aftersales", _("After-sales")
    ADMIN = "admin", _("Administrator")


class Capability(models.TextChoices):
    """Everything a role may be granted; values are Django permission names."""

    MANAGE_COMPANY = "core.manage_company", _("Edit company settings")
    MANAGE_SERIES = "core.change_documentseries", _("Edit document numbering")
    VIEW_SERIES = "core.view_documentseries", _("See document numbering")
    VIEW_AUDIT = "core.view_auditevent", _("See the audit log")
    VIEW_USERS = "auth.view_user", _("See users and their roles")
    # customers (parties)
    VIEW_CUSTOMERS = "parties.view_customer", _("See customers (salespeople: their own)")
    VIEW_ALL_CUSTOMERS = "parties.view_all_customers", _("See every salesperson's customers")
    ADD_CUSTOMER = "parties.add_customer", _("Create customers")
    CHANGE_CUSTOMER = "parties.change_customer", _("Edit customers")
    SET_CREDIT_LIMIT = "parties.set_credit_limit", _("Set credit limits and block customers")
    IMPORT_CUSTOMERS = "parties.import_customers", _("Import customers from Excel")
    # products (catalog)
    VIEW_PRODUCTS = "catalog.view_product", _("See products")
    CHANGE_PRODUCTS = "catalog.change_product", _("Create and edit products, categories and images")
    IMPORT_PRODUCTS = "catalog.import_products", _("Import products from Excel")
    # quotations and orders (sales), prices and promotions (pricing)
    VIEW_ORDERS = "sales.view_salesorder", _("See quotations and orders (salespeople: their customers')")
    CHANGE_ORDERS = "sales.change_salesorder", _("Write, submit, revise and cancel quotations and orders")
    VIEW_PRICING = "pricing.view_pricelist", _("See price lists and promotions")
    CHANGE_PRICING = "pricing.change_pricelist", _("Edit price lists, promotions and discount limits")
    VIEW_COST = "pricing.view_cost", _("See costs and margins")
    # stock (inventory)
    VIEW_STOCK = "inventory.view_stocklevel", _("See stock, moves, reservations and replenishment")
    CHANGE_STOCK = "inventory.change_stocklevel", _("Post goods receipts, stock adjustments and transfers")
    REQUEST_REPLENISHMENT = "inventory.add_replenishmentrequest", _("Ask purchasing for more stock")
    MANAGE_REPLENISHMENT = "inventory.change_replenishmentrequest", _("Work the replenishment board and reorder rules")
    # approvals and credit control
    VIEW_APPROVAL_RULES = "approvals.view_approvalrule", _("See approval rules")
    MANAGE_APPROVAL_RULES = "approvals.change_approvalrule", _("Set up approval rules")
    GRANT_CREDIT_OVERRIDE = "approvals.grant_credit_override", _("Grant and revoke temporary credit overrides")
    # shipping
    VIEW_DELIVERIES = "shipping.view_deliverynote", _("See delivery notes, tracking and the warehouse queue")
    SHIP_GOODS = ("shipping.change_deliverynote",
                  _("Create, pick, pack, ship and cancel delivery notes; record tracking"))
    MANAGE_CARRIERS = "shipping.change_carrier", _("Set up carriers and their integration keys")


R = Role
MATRIX: dict[Capability, frozenset[Role]] = {
    Capability.MANAGE_COMPANY: frozenset({R.ADMIN}),
    Capability.MANAGE_SERIES: frozenset({R.ADMIN}),
    Capability.VIEW_SERIES: frozenset({R.ADMIN, R.FINANCE, R.SALES_MANAGER, R.GENERAL_MANAGER}),
    Capability.VIEW_AUDIT: frozenset({R.ADMIN, R.FINANCE, R.SALES_MANAGER, R.GENERAL_MANAGER}),
    Capability.VIEW_USERS: frozenset({R.ADMIN, R.SALES_MANAGER, R.GENERAL_MANAGER}),
    Capability.VIEW_CUSTOMERS: frozenset(Role),
    Capability.VIEW_ALL_CUSTOMERS: frozenset(Role) - {R.SALES},
    Capability.ADD_CUSTOMER: frozenset({R.SALES, R.SALES_MANAGER, R.ADMIN}),
    Capability.CHANGE_CUSTOMER: frozenset({R.SALES, R.SALES_MANAGER, R.FINANCE, R.ADMIN}),
    Capability.SET_CREDIT_LIMIT: frozenset({R.SALES_MANAGER, R.FINANCE, R.ADMIN}),
    Capability.IMPORT_CUSTOMERS: frozenset({R.SALES_MANAGER, R.ADMIN}),
    Capability.VIEW_PRODUCTS: frozenset(Role),
    Capability.CHANGE_PRODUCTS: frozenset({R.SALES_MANAGER, R.ADMIN}),
    Capability.IMPORT_PRODUCTS: frozenset({R.SALES_MANAGER, R.ADMIN}),
    Capability.VIEW_ORDERS: frozenset(Role),
    Capability.CHANGE_ORDERS: frozenset({R.SALES, R.SALES_MANAGER, R.ADMIN}),
    Capability.VIEW_PRICING: frozenset(Role),
    Capability.CHANGE_PRICING: frozenset({R.SALES_MANAGER, R.ADMIN}),
    Capability.VIEW_COST: frozenset({R.SALES_MANAGER, R.GENERAL_MANAGER, R.FINANCE, R.ADMIN}),
    Capability.VIEW_STOCK: frozenset(Role),
    Capability.CHANGE_STOCK: frozenset({R.WAREHOUSE, R.ADMIN}),
    Capability.REQUEST_REPLENISHMENT: frozenset({R.SALES, R.SALES_MANAGER, R.WAREHOUSE, R.ADMIN}),
    Capability.MANAGE_REPLENISHMENT: frozenset({R.WAREHOUSE, R.ADMIN}),
    Capability.VIEW_APPROVAL_RULES: frozenset(Role),
    Capability.MANAGE_APPROVAL_RULES: frozenset({R.ADMIN}),
    Capability.GRANT_CREDIT_OVERRIDE: frozenset({R.FINANCE, R.ADMIN}),
    Capability.VIEW_DELIVERIES: frozenset(Role),
    Capability.SHIP_GOODS: frozenset({R.WAREHOUSE, R.ADMIN}),
    Capability.MANAGE_CARRIERS: frozenset({R.WAREHOUSE, R.ADMIN}),
}


def capabilities_of(role: Role) -> set[Capability]:
    return {cap for cap, roles in MATRIX.items() if role in roles}


def has_capability(user, capability: Capability | str) -> bool:
    """True if the user is active and one of their roles grants the capability."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(str(capability)))


def roles_of(user) -> list[Role]:
    names = {g.name for g in user.groups.all()} if user.is_authenticated else set()
    return [role for role in Role if role.value in names]


def sync_roles(apps=None) -> None:
    """Create the role groups and give each exactly the permissions the matrix grants."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {role: capabilities_of(role) for role in Role}
    names = {str(cap) for cap in Capability}
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
        if f"{app_label}.{codename}" in names
    }
    for role, caps in wanted.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[str(c)] for c in caps if str(c) in by_name])
