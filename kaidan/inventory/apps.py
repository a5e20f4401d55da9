from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panel names what the inventory services record.
ACTION_LABELS = {
    "posted": pgettext_lazy("audit action", "Posted"),
    "ordered": pgettext_lazy("audit action", "Ordered"),
    "received": pgettext_lazy("audit action", "Received"),
    "quantity_raised": pgettext_lazy("audit action", "Quantity raised"),
    "saved": pgettext_lazy("audit action", "Saved"),
    "backorder_reserved": pgettext_lazy("audit action", "Backorder reserved"),
}


class InventoryConfig(AppConfig):
    name = "kaidan.inventory"
    label = "inventory"
    verbose_name = _("Stock")

    def ready(self):
        from kaidan.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
