"""Customer forms: they shape input for the services, which do the validating."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kaidan.core.forms import ServiceValidatedForm
from kaidan.core.roles import Capability, Role, has_capability
from kaidan.parties.models import Address, Contact, Customer, CustomerGroup, PaymentTerm

CUSTOMER_FIELDS = ["code", "name", "short_name", "kind", "uscc", "group", "owner", "payment_term", "credit_limit",
                   "credit_control", "currency", "allow_partial_shipment", "notes", "invoice_title", "tax_address",
                   "tax_phone", "bank_name", "bank_account"]


class CustomerForm(ServiceValidatedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave empty to number it automatically.")
        self.fields["group"].queryset = CustomerGroup.objects.filter(active=True)
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(active=True)
        self.fields["owner"].queryset = get_user_model().objects.filter(
            is_active=True, groups__name__in=[Role.SALES, Role.SALES_MANAGER]).distinct().order_by("username")
        if not has_capability(user, Capability.SET_CREDIT_LIMIT):
            self.fields["credit_limit"].disabled = True
            self.fields["credit_control"].disabled = True
        if not has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
            self.fields["owner"].disabled = True

    def service_data(self) -> dict:
        """cleaned_data in the services' terms: foreign keys as *_id; disabled fields left out."""
        data = {}
        for name in CUSTOMER_FIELDS:
            if self.fields[name].disabled:
                continue
            value = self.cleaned_data.get(name)
            if name in ("group", "owner", "payment_term"):
                data[f"{name}_id"] = value.pk if value else None
            else:
                data[name] = value if value is not None else ""
        return data


class AddressForm(ServiceValidatedForm):
    class Meta:
        model = Address
        fields = ["kind", "is_default", "province", "city", "district", "street", "postcode", "recipient", "phone"]


class ContactForm(ServiceValidatedForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "mobile", "phone", "email", "is_primary"]


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for blocking"), max_length=200)


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(Customer.Status.choices))
    group = forms.ModelChoiceField(label=_("Customer group"), required=False,
                                   queryset=CustomerGroup.objects.filter(active=True))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("", _("Code")), ("name", _("Name")), ("-created_at", _("Newest")), ("-credit_limit", _("Credit limit"))])
