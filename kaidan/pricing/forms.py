"""Forms of the pricing pages: they shape input for the services (customers by code, products by
SKU), which do the validating. ``SERVICE_NAMES`` maps a service's field names to the form's."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.forms import category_choices
from kaidan.catalog.models import Category
from kaidan.core.errors import ValidationFailed
from kaidan.core.forms import ServiceValidatedForm
from kaidan.parties.models import CustomerGroup
from kaidan.parties.selectors import customers_visible_to
from kaidan.pricing import selectors
from kaidan.pricing.models import PriceList, PriceListItem, Promotion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SKU_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_SKUS = 20_000


def renamed(exc: ValidationFailed, names: dict[str, str]) -> ValidationFailed:
    """The service's errors under the form's field names (customer_id → customer_code...)."""
    return ValidationFailed({names.get(field, field): msgs for field, msgs in exc.fields.items()})


def _product_id(sku: str) -> int | None:
    sku = sku.strip()
    if not sku:
        return None
    product = selectors.products_by_sku([sku]).get(sku)
    if product is None:
        raise forms.ValidationError(_("No product has the SKU “%(sku)s”."), params={"sku": sku})
    return product.pk


class PriceListForm(ServiceValidatedForm):
    """The price list's header; the customer is typed by code (there may be thousands)."""

    SERVICE_NAMES = {"customer_id": "customer_code", "group_id": "group"}
    field_order = ["code", "name", "customer_code", "group", "currency", "prices_include_tax", "valid_from",
                   "valid_to", "priority", "active"]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    customer_code = forms.CharField(label=_("Customer code"), required=False, max_length=30,
                                    help_text=_("Only for this customer. Leave empty for a group or everyone."))
    group = forms.ModelChoiceField(label=_("Customer group"), required=False,
                                   queryset=CustomerGroup.objects.filter(active=True),
                                   help_text=_("Only for this group. Leave empty for one customer or everyone."))

    class Meta:
        model = PriceList
        fields = ["code", "name", "currency", "prices_include_tax", "valid_from", "valid_to", "priority", "active"]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, user, instance: PriceList | None = None, **kwargs):
        initial = kwargs.pop("initial", {})
        if instance is not None and instance.pk:
            initial = {"version": instance.version, "group": instance.group_id,
                       "customer_code": instance.customer.code if instance.customer_id else "", **initial}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.user = user
        if instance is None or not instance.pk:
            del self.fields["active"]

    def clean_customer_code(self) -> int | None:
        code = self.cleaned_data["customer_code"].strip()
        if not code:
            return None
        customer = customers_visible_to(self.user).filter(code=code).only("pk").first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this code."))
        return customer.pk

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["customer_id"] = self.cleaned_data["customer_code"]
        data["group_id"] = self.cleaned_data["group"].pk if self.cleaned_data["group"] else None
        return data


class PriceListItemForm(forms.Form):
    """One quantity break to add: the product by SKU, from a quantity, a fixed price or a % off."""

    SERVICE_NAMES = {"product_id": "sku", "price": "value", "percent": "value"}

    sku = forms.CharField(label=_("SKU"), max_length=64)
    min_quantity = forms.DecimalField(label=_("From quantity"), required=False, initial=0)
    method = forms.ChoiceField(label=_("Method"), choices=PriceListItem.Method.choices)
    value = forms.DecimalField(label=_("Price or percent off"))

    def clean_sku(self) -> int | None:
        return _product_id(self.cleaned_data["sku"])

    def service_data(self) -> dict:
        data = self.cleaned_data
        value_field = "price" if data["method"] == PriceListItem.Method.FIXED else "percent"
        return {"product_id": data["sku"], "min_quantity": data["min_quantity"] if data["min_quantity"] is not None
                else 0, "method": data["method"], value_field: data["value"]}


def parse_skus(text: str) -> list[str]:
    """SKUs typed separated by commas, spaces or new lines, each once, in the order typed."""
    return list(dict.fromkeys(part for part in SKU_SEPARATORS.split(text or "") if part))


class PromotionForm(ServiceValidatedForm):
    """A promotion; products are typed as SKUs (there may be thousands), categories and customer
    groups picked from lists."""

    SERVICE_NAMES = {"product_ids": "product_skus", "free_product_id": "free_product_sku"}
    DECIMALS = ["percent", "amount", "threshold", "buy_quantity", "free_quantity"]
    field_order = ["code", "name", "kind", "percent", "amount", "threshold", "buy_quantity", "free_quantity",
                   "free_product_sku", "product_skus", "category_ids", "customer_group_ids", "priority", "exclusive",
                   "valid_from", "valid_to", "active"]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    product_skus = forms.CharField(
        label=_("Products (SKUs)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("SKUs separated by commas, spaces or new lines. With no products and no categories the "
                    "promotion applies to every product."))
    category_ids = forms.ModelMultipleChoiceField(label=_("Categories"), required=False,
                                                  queryset=Category.objects.all(),
                                                  help_text=_("Their subcategories are included."))
    customer_group_ids = forms.ModelMultipleChoiceField(label=_("Customer groups"), required=False,
                                                        queryset=CustomerGroup.objects.all(),
                                                        help_text=_("None chosen: every customer."))
    free_product_sku = forms.CharField(label=_("Free product (SKU)"), required=False, max_length=64,
                                       help_text=_("Buy X get Y free: leave empty to give the same product."))

    class Meta:
        model = Promotion
        fields = ["code", "name", "kind", "priority", "exclusive", "valid_from", "valid_to", "percent", "amount",
                  "threshold", "buy_quantity", "free_quantity", "active"]
        widgets = {"valid_from": DATE, "valid_to": DATE}
        help_texts = {
            "percent": _("For “percent off”."),
            "amount": _("For “Amount off per unit” (off each unit) and “Spend and save” (the discount)."),
            "threshold": _("For “Spend and save”: the order amount that earns the discount."),
            "buy_quantity": _("For “Buy X get Y free”: X."),
            "free_quantity": _("For “Buy X get Y free”: Y."),
        }

    def __init__(self, *args, instance: Promotion | None = None, **kwargs):
        initial = kwargs.pop("initial", {})
        if instance is not None and instance.pk:
            initial = {"version": instance.version,
                       "product_skus": " ".join(p.sku for p in instance.products.all()),
                       "category_ids": [c.pk for c in instance.categories.all()],
                       "customer_group_ids": [g.pk for g in instance.customer_groups.all()],
                       "free_product_sku": instance.free_product.sku if instance.free_product_id else "",
                       **initial}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.fields["category_ids"].choices = category_choices()[1:]
        for name in self.DECIMALS:
            self.fields[name].validators = []  # places and ranges are the service's to check
        if instance is None or not instance.pk:
            del self.fields["active"]

    def clean_product_skus(self) -> list[int]:
        skus = parse_skus(self.cleaned_data["product_skus"])
        if len(skus) > MAX_SKUS:
            raise forms.ValidationError(_("List at most %(n)d products."), params={"n": MAX_SKUS})
        found = selectors.products_by_sku(skus)
        unknown = [sku for sku in skus if sku not in found]
        if unknown:
            raise forms.ValidationError(_("No product has these SKUs: %(skus)s."),
                                        params={"skus": ", ".join(unknown[:20])})
        return [found[sku].pk for sku in skus]

    def clean_free_product_sku(self) -> int | None:
        return _product_id(self.cleaned_data["free_product_sku"])

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["product_ids"] = self.cleaned_data["product_skus"]
        data["free_product_id"] = self.cleaned_data["free_product_sku"]
        data["category_ids"] = [c.pk for c in self.cleaned_data["category_ids"]]
        data["customer_group_ids"] = [g.pk for g in self.cleaned_data["customer_group_ids"]]
        return data


class DiscountLimitForm(forms.Form):
    """One role's highest discount %, one form per row of the page (prefixed with the role)."""

    max_percent = forms.DecimalField(label=_("Highest discount %"))
