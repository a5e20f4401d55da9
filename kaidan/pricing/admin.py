"""Django admin: pricing rules read-only, for looking things up. They are changed in the app, through
the audited services that check them and keep the versions."""

from django.contrib import admin

from kaidan.pricing.models import DiscountLimit, PriceList, PriceListItem, Promotion


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PriceListItemInline(ReadOnly, admin.TabularInline):
    model = PriceListItem
    fields = ["product", "min_quantity", "method", "price", "percent"]
    readonly_fields = fields
    raw_id_fields = ["product"]
    extra = 0


@admin.register(PriceList)
class PriceListAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "customer", "group", "currency", "prices_include_tax", "valid_from", "valid_to",
                    "priority", "active"]
    list_filter = ["active", "currency", "prices_include_tax"]
    search_fields = ["code", "name"]
    list_select_related = ["customer", "group"]
    inlines = [PriceListItemInline]


@admin.register(Promotion)
class PromotionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "priority", "exclusive", "valid_from", "valid_to", "active"]
    list_filter = ["active", "kind", "exclusive"]
    search_fields = ["code", "name"]
    raw_id_fields = ["products", "free_product"]


@admin.register(DiscountLimit)
class DiscountLimitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["role", "max_percent"]
