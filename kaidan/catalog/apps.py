from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _after_migrate(sender, **kwargs):
    from kaidan.catalog.units import ensure_default_units

    ensure_default_units()


# How the history panel names what the catalog services record.
ACTION_LABELS = {
    "substitutes_set": pgettext_lazy("audit action", "Substitutes changed"),
    "image_added": pgettext_lazy("audit action", "Picture added"),
    "image_removed": pgettext_lazy("audit action", "Picture removed"),
    "primary_image_set": pgettext_lazy("audit action", "Primary picture changed"),
}


class CatalogConfig(AppConfig):
    name = "kaidan.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self):
        from kaidan.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="kaidan_catalog_after_migrate")
