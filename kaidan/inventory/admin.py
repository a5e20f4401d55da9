from django.contrib import admin

from kaidan.inventory.models import Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "active"]
    search_fields = ["code", "name"]
