from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from kaidan.core.roles import sync_roles

    sync_roles()


class CoreConfig(AppConfig):
    name = "kaidan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # After every migrate: permissions added by any app reach the roles the matrix names.
        post_migrate.connect(_sync_roles, dispatch_uid="kaidan_sync_roles")
