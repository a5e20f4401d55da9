from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panels (delivery notes, orders, carriers) name what the shipping services record.
ACTION_LABELS = {
    "picking": pgettext_lazy("audit action", "Picking started"),
    "packed": pgettext_lazy("audit action", "Packed"),
    "packing_reopened": pgettext_lazy("audit action", "Packing re-opened"),
    "shipped": pgettext_lazy("audit action", "Shipped"),
    "in_transit": pgettext_lazy("audit action", "In transit"),
    "delivered": pgettext_lazy("audit action", "Delivered"),
    "exception": pgettext_lazy("audit action", "Shipping exception"),
    "delivery_note_created": pgettext_lazy("audit action", "Delivery note created"),
    "delivery_note_shipped": pgettext_lazy("audit action", "Delivery note shipped"),
    "delivery_note_cancelled": pgettext_lazy("audit action", "Delivery note cancelled"),
    "fulfilment_changed": pgettext_lazy("audit action", "Shipping progress changed"),
    "api_key_created": pgettext_lazy("audit action", "Integration key made"),
}

HISTORY_LABELS = {
    "delivery_note": _("Delivery note"),
    "parcel_count": _("Parcels"),
    "weight_kg": _("Weight (kg)"),
    "carrier": _("Carrier"),
    "service": _("Service"),
    "freight_charge": _("Freight charge"),
    "tracking_numbers": _("Tracking numbers"),
    "ship_date": _("Ship date"),
    "fulfilment_status": _("Shipping"),
    "exception_reason": _("Exception"),
    "received_by": _("Signed by"),
    "location": _("Location"),
    "delivery_lines": _("Lines"),
    "order_number": _("Sales order"),
}
# Of a long note's lines the history shows the first ones.
HISTORY_LINES_SHOWN = 20


def delivery_lines_in_words(value) -> str:
    """The [position, SKU, quantity] rows the services record, as "#1 NB-01 × 3; …"."""
    rows = [row for row in value if isinstance(row, list) and len(row) == 3]
    text = "; ".join(f"#{position} {sku} × {quantity}" for position, sku, quantity in rows[:HISTORY_LINES_SHOWN])
    if len(rows) > HISTORY_LINES_SHOWN:
        text += " " + str(_("and %(n)s more") % {"n": len(rows) - HISTORY_LINES_SHOWN})
    return text


class ShippingConfig(AppConfig):
    name = "kaidan.shipping"
    label = "shipping"
    verbose_name = _("Shipping")

    def ready(self):
        from kaidan.core.audit import register_action_labels, register_key_labels
        from kaidan.sales import fulfilment, panels
        from kaidan.shipping.fulfilment import open_note_numbers
        from kaidan.shipping.views import order_panel

        register_action_labels(ACTION_LABELS)
        register_key_labels(HISTORY_LABELS, {"delivery_lines": delivery_lines_in_words})
        fulfilment.register_open_shipments(open_note_numbers)
        panels.register("bottom", "shipping/_order_shipping.html", order_panel)
