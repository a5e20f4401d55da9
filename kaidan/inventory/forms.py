"""Forms of the stock pages. They only shape input for the services, which do the validating:
warehouses are picked from a list, products typed by SKU (resolved here, in one query per form),
quantities passed on as typed. ``SERVICE_NAMES`` maps a service's field names to the form's."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kaidan.catalog import selectors as catalog_selectors
from kaidan.inventory import selectors
from kaidan.inventory.models import StockOperation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QTY_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "size": 8}
LINE_ROWS = 5  # empty rows a new document starts with; "More rows" adds as many again
MAX_ROWS = 500

STATUSES = [("", _("All")), ("available", _("Available")), ("short", _("Nothing available")),
            ("reserved", _("Has reservations")), ("below_min", _("Below minimum"))]


ALL_WAREHOUSES = _("All warehouses")


def warehouse_choices(blank=ALL_WAREHOUSES) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(w.pk), str(w)) for w in selectors.warehouses()]


def _id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def resolve_skus(skus: set[str]) -> dict[str, int]:
    """{typed SKU: product id}; an exact match first, then one ignoring case. Unknown SKUs are absent."""
    if not skus:
        return {}
    found = dict(catalog_selectors.products().filter(sku__in=skus).values_list("sku", "id"))
    missing = skus - set(found)
    if missing:
        query = Q()
        for sku in missing:
            query |= Q(sku__iexact=sku)
        by_upper = {sku.upper(): pk for sku, pk in catalog_selectors.products().filter(query).values_list("sku", "id")}
        found.update({sku: by_upper[sku.upper()] for sku in missing if sku.upper() in by_upper})
    return found


def sku_widget() -> forms.TextInput:
    """A SKU box that suggests matching products (htmx fills the page's <datalist id="sku-options">)."""
    return forms.TextInput(attrs={
        "list": "sku-options", "autocomplete": "off", "class": "sku", "placeholder": _("SKU, name or pinyin"),
        "hx-get": reverse_lazy("stock_sku_options"), "hx-trigger": "input changed delay:250ms",
        "hx-target": "#sku-options", "hx-swap": "innerHTML", "hx-sync": "this:replace"})


# -- filters ------------------------------------------------------------------------------------------

class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUSES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices()

    def wanted(self) -> dict:
        """The filters to apply; a bad value is ignored rather than shown as an error."""
        self.is_valid()
        data = self.cleaned_data
        return {"q": (data.get("q") or "").strip() or None, "warehouse_id": _id(data.get("warehouse")),
                "status": data.get("status") or None}


class OperationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All"))] + list(StockOperation.Kind.choices))
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices()

    def wanted(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {"kind": data.get("kind") or None, "warehouse_id": _id(data.get("warehouse"))}


class WarehouseFilterForm(forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices()

    def warehouse_id(self) -> int | None:
        self.is_valid()
        return _id(self.cleaned_data.get("warehouse"))


# -- documents: receipt, adjustment, transfer -----------------------------------------------------

class DocumentForm(forms.Form):
    """The header of a stock document. Nothing is required here: the service says what is missing,
    so the page and the API give the same messages; ``marked`` fields show the asterisk."""

    SERVICE_NAMES = {"warehouse_id": "warehouse", "to_warehouse_id": "to_warehouse"}
    marked: tuple[str, ...] = ("warehouse",)

    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.marked = name in self.marked
            if isinstance(field, forms.ChoiceField):
                field.choices = warehouse_choices(blank="—")
        if not self.is_bound and "warehouse" not in self.initial:
            default = selectors.default_warehouse()
            self.initial["warehouse"] = default.pk if default else None

    def service_data(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            service_name = next((k for k, v in self.SERVICE_NAMES.items() if v == name), name)
            data[service_name] = value
        return data


class ReceiptForm(DocumentForm):
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    reference = forms.CharField(label=_("Delivery note or reference"), required=False, max_length=60)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class AdjustmentForm(DocumentForm):
    marked = ("warehouse", "reason")

    reason = forms.CharField(label=_("Reason"), required=False, max_length=200,
                             help_text=_("Why stock is corrected, e.g. “stocktake 2026-03” or “damaged in storage”."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(DocumentForm):
    marked = ("warehouse", "to_warehouse")

    to_warehouse = forms.ChoiceField(label=_("To warehouse"), required=False)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=60)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].label = _("From warehouse")


class LineForm(forms.Form):
    """One line: a product by SKU and a quantity as typed (the service checks it)."""

    SERVICE_NAMES = {"product_id": "sku"}

    sku = forms.CharField(label=_("SKU"), required=False, max_length=64, widget=sku_widget())
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40,
                               widget=forms.TextInput(attrs=QTY_ATTRS))

    def is_blank(self) -> bool:
        return not any(str(self.cleaned_data.get(name) or "").strip() for name in self.fields)


class AdjustmentLineForm(LineForm):
    """An adjustment line: the change (+ to add, − to remove) or the counted quantity."""

    quantity = forms.CharField(label=_("Change (+/−)"), required=False, max_length=40,
                               widget=forms.TextInput(attrs={**QTY_ATTRS, "placeholder": "+5 / −2"}))
    counted = forms.CharField(label=_("Or counted"), required=False, max_length=40,
                              widget=forms.TextInput(attrs=QTY_ATTRS))


class LineFormSet(forms.BaseFormSet):
    """The lines of a document: blank rows are skipped; SKUs are resolved in one query."""

    def clean(self):
        forms_with_sku = [f for f in self.forms if f.is_valid() and (f.cleaned_data.get("sku") or "").strip()]
        found = resolve_skus({f.cleaned_data["sku"].strip() for f in forms_with_sku})
        for form in forms_with_sku:
            sku = form.cleaned_data["sku"].strip()
            form.product_id = found.get(sku)
            if form.product_id is None:
                form.add_error("sku", _("No product has the SKU “%(sku)s”.") % {"sku": sku})

    def service_lines(self) -> tuple[list[dict], list[int]]:
        """The filled rows as the service wants them, and for each the index of its row on the page
        (to put the service's "lines.N.quantity" errors beside the right row)."""
        lines, rows = [], []
        for index, form in enumerate(self.forms):
            if form.is_blank():
                continue
            line = {"product_id": getattr(form, "product_id", None)}
            for name in form.fields:
                if name != "sku":
                    value = (form.cleaned_data.get(name) or "").strip().replace("−", "-")
                    if value or (name == "quantity" and "counted" not in form.fields):
                        line[name] = value
            lines.append(line)
            rows.append(index)
        return lines, rows


def line_formset(kind: str, data=None, *, more: bool = False, sku: str = ""):
    """The formset of a document's lines; ``more`` adds empty rows to what was posted, ``sku``
    fills the first row of a new document (from a product's stock card)."""
    form = AdjustmentLineForm if kind == StockOperation.Kind.ADJUSTMENT else LineForm
    factory = forms.formset_factory(form, formset=LineFormSet, extra=LINE_ROWS, max_num=MAX_ROWS,
                                    absolute_max=MAX_ROWS)
    if data is not None and more:
        data = data.copy()
        total = _id(data.get("lines-TOTAL_FORMS")) or 0
        data["lines-TOTAL_FORMS"] = str(min(total + LINE_ROWS, MAX_ROWS))
    return factory(data, prefix="lines", initial=[{"sku": sku[:64]}] if sku and data is None else None)


# -- replenishment ---------------------------------------------------------------------------------

class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class MarkOrderedForm(VersionForm):
    expected_date = forms.CharField(label=_("Expected"), required=False, widget=DATE)
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    purchase_reference = forms.CharField(label=_("Purchase order"), required=False, max_length=60)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40,
                               widget=forms.TextInput(attrs=QTY_ATTRS))

    def service_data(self) -> dict:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in
                ("expected_date", "supplier", "purchase_reference", "quantity")}


class ReceiveForm(VersionForm):
    quantity = forms.CharField(label=_("Quantity received"), required=False, max_length=40,
                               widget=forms.TextInput(attrs=QTY_ATTRS))
    reference = forms.CharField(label=_("Delivery note"), required=False, max_length=60)

    def service_data(self) -> dict:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in ("quantity", "reference")}


class RequestForm(forms.Form):
    """Ask purchasing for more by hand."""

    SERVICE_NAMES = {"product_id": "sku", "warehouse_id": "warehouse"}

    sku = forms.CharField(label=_("SKU"), required=False, max_length=64, widget=sku_widget())
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40,
                               widget=forms.TextInput(attrs=QTY_ATTRS))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=400)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices(blank="—")
        if not self.is_bound:
            default = selectors.default_warehouse()
            self.initial.setdefault("warehouse", default.pk if default else None)

    def clean_sku(self) -> int | None:
        sku = self.cleaned_data["sku"].strip()
        if not sku:
            return None
        product_id = resolve_skus({sku}).get(sku)
        if product_id is None:
            raise forms.ValidationError(_("No product has the SKU “%(sku)s”."), params={"sku": sku})
        return product_id

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"product_id": data["sku"], "warehouse_id": data["warehouse"], "quantity": data["quantity"].strip(),
                "notes": data["notes"].strip()}


class RuleForm(VersionForm):
    """A min/max reorder rule. Product and warehouse are chosen when the rule is made, then fixed."""

    SERVICE_NAMES = {"product_id": "sku", "warehouse_id": "warehouse"}

    sku = forms.CharField(label=_("SKU"), required=False, max_length=64, widget=sku_widget())
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    min_level = forms.CharField(label=_("Minimum"), required=False, max_length=40,
                                widget=forms.TextInput(attrs=QTY_ATTRS),
                                help_text=_("Below this (available plus incoming) purchasing is asked for more."))
    max_level = forms.CharField(label=_("Maximum"), required=False, max_length=40,
                                widget=forms.TextInput(attrs=QTY_ATTRS),
                                help_text=_("The request tops the stock up to this level."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, rule=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if rule is not None:
            initial = {"version": rule.version, "sku": rule.product.sku, "warehouse": rule.warehouse_id,
                       "min_level": rule.min_level.normalize(), "max_level": rule.max_level.normalize(),
                       "active": rule.active, **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.rule = rule
        self.fields["warehouse"].choices = warehouse_choices(blank="—")
        for name in ("sku", "warehouse", "min_level", "max_level"):
            self.fields[name].marked = True
        if rule is not None:
            for name in ("sku", "warehouse"):
                self.fields[name].disabled = True
        elif not self.is_bound:
            default = selectors.default_warehouse()
            self.initial.setdefault("warehouse", default.pk if default else None)

    def clean_sku(self) -> int | None:
        if self.rule is not None:
            return self.rule.product_id
        sku = self.cleaned_data["sku"].strip()
        if not sku:
            return None
        product_id = resolve_skus({sku}).get(sku)
        if product_id is None:
            raise forms.ValidationError(_("No product has the SKU “%(sku)s”."), params={"sku": sku})
        return product_id

    def service_data(self) -> dict:
        data = self.cleaned_data
        result = {"min_level": data["min_level"].strip(), "max_level": data["max_level"].strip(),
                  "active": data["active"]}
        if self.rule is None:
            result.update(product_id=data["sku"], warehouse_id=data["warehouse"])
        return result
