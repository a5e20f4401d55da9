"""The navigation: the order-to-cash flow, greyed until its app is built, plus the settings area."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from kaidan.core import notifications
from kaidan.core.roles import Capability, has_capability, roles_of

# (label, url name once the app exists). Later issues fill in the url names.
FLOW = [
    (_("Orders"), "order_list"),
    (_("Customers"), "customer_list"),
    (_("Products"), "product_list"),
    (_("Stock"), "stock_overview"),
    (_("Approvals"), "approval_inbox"),
    (_("Shipping"), "shipping_queue"),
    (_("Invoices"), None),
    (_("Payments"), None),
    (_("Reports"), None),
]

# A flow entry shown only to the users with this capability.
FLOW_NEEDS = {"stock_overview": Capability.VIEW_STOCK, "shipping_queue": Capability.VIEW_DELIVERIES}


# A flow entry with a count beside it (the approvals inbox): apps register ``count(user) -> int`` at
# start; it runs only when a page shows the menu, so it should be one cheap query.
COUNTS: dict = {}


def register_count(url_name: str, count) -> None:
    COUNTS[url_name] = count

SETTINGS = [
    (_("Company"), "company_settings", Capability.MANAGE_COMPANY),
    (_("Numbering"), "series_list", Capability.VIEW_SERIES),
    (_("Pricing"), "price_list_list", Capability.VIEW_PRICING),
    (_("Approval rules"), "approval_rule_list", Capability.VIEW_APPROVAL_RULES),
    (_("Carriers"), "carrier_list", Capability.MANAGE_CARRIERS),
    (_("Audit log"), "audit_log", Capability.VIEW_AUDIT),
    (_("API tokens"), "tokens", None),
]


def _url(name):
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


def _lazy_count(name, user):
    count = COUNTS.get(name)
    return SimpleLazyObject(lambda: count(user)) if count else None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    flow = [{"label": label, "url": _url(name), "name": name, "count": _lazy_count(name, user)}
            for label, name in FLOW if name not in FLOW_NEEDS or has_capability(user, FLOW_NEEDS[name])]
    settings_nav = [
        {"label": label, "url": reverse(name)}
        for label, name, cap in SETTINGS
        if cap is None or has_capability(user, cap)
    ]
    return {"nav_flow": flow, "nav_settings": settings_nav, "nav_roles": [r.label for r in roles_of(user)],
            "nav_unread": SimpleLazyObject(lambda: notifications.unread_count(user))}
