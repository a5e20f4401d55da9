"""Django admin: the catalog read-only, for looking things up. Products, categories and pictures
are changed in the app, through the audited services that keep the search text and versions."""

from django.contrib import admin

from kaidan.catalog.models import Category, Product, Unit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "spec", "model", "brand", "category", "unit", "list_price", "active"]
    list_filter = ["active", "category"]
    search_fields = ["sku", "name", "barcode"]
    list_select_related = ["category", "unit"]


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "parent", "active"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "allow_fraction"]
