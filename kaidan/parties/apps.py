from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panel names what the customer services record.
ACTION_LABELS = {
    "blocked": pgettext_lazy("audit action", "Blocked"),
    "address_saved": pgettext_lazy("audit action", "Address saved"),
    "address_deleted": pgettext_lazy("audit action", "Address removed"),
    "contact_saved": pgettext_lazy("audit action", "Contact saved"),
    "contact_deleted": pgettext_lazy("audit action", "Contact removed"),
}


class PartiesConfig(AppConfig):
    name = "kaidan.parties"
    label = "parties"
    verbose_name = _("Customers")

    def ready(self):
        from kaidan.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
