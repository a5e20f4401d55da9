"""Forms of the quotation and order pages: they shape input for the services, which do the validating
(the line inputs are passed to services.save_line as typed, so the UI and the API give the same errors)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaidan.core.forms import ServiceValidatedForm
from kaidan.core.roles import Capability, Role, has_capability
from kaidan.inventory.models import Warehouse
from kaidan.parties.models import Address, Contact, PaymentTerm
from kaidan.pricing.models import PriceList
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import FulfilmentStatus, Kind, Status
from kaidan.sales.transitions import CANCEL_REASON_MAX

MAX_ID = 2**63 - 1
PRICE_MODES = [("1", _("Prices include VAT (含税)")), ("0", _("Prices exclude VAT"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def salespeople():
    """Active users in a role that writes orders, for the salesperson choices."""
    return (get_user_model().objects.filter(is_active=True, groups__name__in=[Role.SALES, Role.SALES_MANAGER])
            .distinct().order_by("username"))


def _to_bool(value) -> bool:
    return value in (True, "1", "true", "True")


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + list(Kind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(Status.choices))
    fulfilment = forms.ChoiceField(label=_("Shipping"), required=False,
                                   choices=[("", _("All"))] + list(FulfilmentStatus.choices))
    customer = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), required=False, queryset=salespeople())
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def wanted(self) -> dict:
        """The selector's keyword arguments; a filter that does not parse is left out."""
        if not self.is_valid():
            data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        else:
            data = self.cleaned_data
        salesperson = data.get("salesperson")
        return {"q": (data.get("q") or "").replace("\x00", ""), "kind": data.get("kind") or None,
                "status": data.get("status") or None, "fulfilment": data.get("fulfilment") or None,
                "customer_id": data.get("customer"),
                "salesperson_id": salesperson.pk if salesperson else None,
                "date_from": data.get("date_from"), "date_to": data.get("date_to")}


class NewDocumentForm(forms.Form):
    """The few facts a new draft needs; everything else comes from the customer."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.ORDER, widget=forms.RadioSelect)
    customer_id = forms.IntegerField(label=_("Customer"), min_value=1, max_value=MAX_ID,
                                     error_messages={"required": _("Pick a customer.")})
    order_date = forms.DateField(label=_("Order date"), widget=DateInput)
    requested_date = forms.DateField(label=_("Requested delivery date"), required=False, widget=DateInput)
    prices_include_tax = forms.TypedChoiceField(label=_("Prices"), choices=PRICE_MODES, coerce=_to_bool,
                                                initial="1")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("order_date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"customer_id": data["customer_id"], "order_date": data["order_date"],
                "requested_date": data.get("requested_date"), "prices_include_tax": data["prices_include_tax"]}


HEADER_FIELDS = ["contact", "billing_address", "shipping_address", "order_date", "requested_date", "valid_until",
                 "salesperson", "warehouse", "allow_partial_shipment", "currency", "payment_term", "price_list",
                 "customer_po", "notes"]
FOREIGN_KEYS = {"contact", "billing_address", "shipping_address", "salesperson", "warehouse", "payment_term",
                "price_list"}


class HeaderForm(ServiceValidatedForm):
    """The header of a draft; the customer stays (copy the document to change it)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)
    prices_include_tax = forms.TypedChoiceField(label=_("Prices"), choices=PRICE_MODES, coerce=_to_bool)

    class Meta:
        model = SalesOrder
        fields = HEADER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "order_date": DateInput,
                   "requested_date": DateInput, "valid_until": DateInput}

    def __init__(self, *args, order: SalesOrder, user, **kwargs):
        kwargs.setdefault("initial", {}).update(version=order.version, prices_include_tax="1" if
                                                order.prices_include_tax else "0")
        super().__init__(*args, instance=order, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=order.customer_id)
        addresses = Address.objects.filter(customer_id=order.customer_id)
        self.fields["billing_address"].queryset = addresses
        self.fields["shipping_address"].queryset = addresses
        self.fields["salesperson"].queryset = salespeople()
        self.fields["salesperson"].label_from_instance = _person_label
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True)
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(active=True)
        self.fields["price_list"].queryset = PriceList.objects.filter(active=True)
        self.fields["allow_partial_shipment"].help_text = _(
            "Confirm with what is in stock and ship the rest when it arrives; otherwise every line must be in stock.")
        if not order.is_quotation:
            del self.fields["valid_until"]
        if not has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
            self.fields["salesperson"].disabled = True

    def service_data(self) -> dict:
        """cleaned_data in the service's terms: foreign keys as *_id; disabled fields left out."""
        data = {}
        for name, field in self.fields.items():
            if name == "version" or field.disabled:
                continue
            value = self.cleaned_data.get(name)
            if name in FOREIGN_KEYS:
                data[f"{name}_id"] = value.pk if value else None
            else:
                data[name] = value if value is not None else ("" if name in ("currency", "customer_po", "notes")
                                                              else None)
        return data


def _person_label(user) -> str:
    from kaidan.core.display import display_name

    return display_name(user)


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=CANCEL_REASON_MAX)
