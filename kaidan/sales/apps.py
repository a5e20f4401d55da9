from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panel names what the sales services record.
ACTION_LABELS = {
    "lines_changed": pgettext_lazy("audit action", "Lines changed"),
    "submitted": pgettext_lazy("audit action", "Submitted"),
    "confirmed": pgettext_lazy("audit action", "Confirmed"),
    "sent": pgettext_lazy("audit action", "Sent"),
    "cancelled": pgettext_lazy("audit action", "Cancelled"),
    "revised": pgettext_lazy("audit action", "Revised"),
    "converted": pgettext_lazy("audit action", "Converted to order"),
    "copied": pgettext_lazy("audit action", "Copied"),
    "repriced": pgettext_lazy("audit action", "Re-priced"),
    "backordered": pgettext_lazy("audit action", "Confirmed with backorder"),
}


class SalesConfig(AppConfig):
    name = "kaidan.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from kaidan.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
