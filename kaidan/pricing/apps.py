from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panel names what the pricing services record.
ACTION_LABELS = {
    "items_replaced": pgettext_lazy("audit action", "Prices replaced"),
    "item_added": pgettext_lazy("audit action", "Price added"),
    "item_removed": pgettext_lazy("audit action", "Price removed"),
}


class PricingConfig(AppConfig):
    name = "kaidan.pricing"
    label = "pricing"
    verbose_name = _("Pricing")

    def ready(self):
        from kaidan.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
