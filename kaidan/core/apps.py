from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs):
    from kaidan.core.numbering import ensure_default_series
    from kaidan.core.roles import sync_roles

    sync_roles()
    ensure_default_series()


class CoreConfig(AppConfig):
    name = "kaidan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # After every migrate (and every test flush): permissions added by any app reach the roles
        # the matrix names, and the default numbering series exist.
        post_migrate.connect(_after_migrate, dispatch_uid="kaidan_after_migrate")
