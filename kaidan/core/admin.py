"""Django admin: users and groups for administrators. Company settings and numbering are edited in
the app, through the audited services; the audit log and tokens are read-only here."""

from django.contrib import admin

from kaidan.core.models import ApiToken, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "object_type", "object_repr", "action", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]

    # Tokens are created and revoked by their owner in the app (audited); here they are read-only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
