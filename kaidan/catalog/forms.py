"""Forms of the catalog UI; they only shape input, the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaidan.catalog import selectors
from kaidan.catalog.models import Category, Product, Unit
from kaidan.catalog.services import default_vat_rate
from kaidan.core.forms import ServiceValidatedForm


def category_field(label) -> forms.ModelChoiceField:
    """A category select; its choices (tree order, labelled with the path) are set per form instance."""
    return forms.ModelChoiceField(label=label, queryset=Category.objects.all(), required=False)


def category_choices() -> list[tuple]:
    """Categories in tree order, labelled with their path (电脑整机 / 笔记本电脑)."""
    return [("", "—")] + [(node.pk, node.path) for node in selectors.category_tree()]


class ProductForm(ServiceValidatedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    category_id = category_field(_("Category"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.order_by("code"), to_field_name="code")

    class Meta:
        model = Product
        fields = ["sku", "name", "spec", "model", "brand", "barcode", "category_id", "unit", "list_price",
                  "price_includes_tax", "standard_cost", "vat_rate", "weight_kg", "volume_m3", "description",
                  "track_stock", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, instance: Product | None = None, **kwargs):
        initial = kwargs.pop("initial", {})
        if instance is not None and instance.pk:
            initial = {"version": instance.version, "category_id": instance.category_id,
                       "unit": instance.unit.code, **initial}
        else:
            initial = {"vat_rate": default_vat_rate(), "unit": "pcs", **initial}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.fields["category_id"].choices = category_choices()
        for name in ("list_price", "standard_cost", "weight_kg", "volume_m3"):
            # The form only reads the number; digits and decimal places are checked by the service,
            # so every wrong field is reported at once, in the same words as the API.
            self.fields[name].validators = []
        self.fields["version"].required = bool(instance is not None and instance.pk)

    def service_data(self) -> dict:
        """The cleaned input in the shape the services take (category by id, unit by code)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["category_id"] = data["category_id"].pk if data["category_id"] else None
        data["unit"] = data["unit"].code
        return data


class CategoryForm(ServiceValidatedForm):
    parent_id = category_field(_("Parent category"))

    class Meta:
        model = Category
        fields = ["name", "code", "parent_id", "active"]

    def __init__(self, *args, instance: Category | None = None, **kwargs):
        initial = kwargs.pop("initial", {})
        if instance is not None and instance.pk:
            initial = {"parent_id": instance.parent_id, **initial}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.fields["parent_id"].choices = category_choices()

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["parent_id"] = data["parent_id"].pk if data["parent_id"] else None
        return data


ACTIVE_CHOICES = [("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))]


class ProductFilterForm(forms.Form):
    """The product list's search box and filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(label=_("State"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (node.pk, "\u00a0\u00a0" * node.depth + node.category.name) for node in selectors.category_tree()]

    def wanted(self) -> dict:
        """The filters to apply; a bad value is ignored rather than shown as an error."""
        self.is_valid()
        data = self.cleaned_data  # the fields that are valid
        state = data.get("active") or "active"
        return {"q": data.get("q") or None, "category_id": data.get("category"),
                "active": {"active": True, "inactive": False}.get(state)}


class ImageUploadForm(forms.Form):
    file = forms.FileField(label=_("Picture"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp"}))


class SubstitutesForm(forms.Form):
    """The whole ordered list of substitute ids, comma separated (what each button of the list posts)."""

    ids = forms.CharField(required=False, max_length=2000)

    def clean_ids(self) -> list[int]:
        text = self.cleaned_data["ids"].strip()
        try:
            return [int(part) for part in text.split(",") if part.strip()] if text else []
        except ValueError:
            raise forms.ValidationError(_("The list of substitutes is not valid.")) from None
