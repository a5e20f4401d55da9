"""Forms of the core UI; they only shape input, the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kaidan.core.models import CompanySettings, DocumentSeries


class ServiceValidatedForm(forms.ModelForm):
    """A ModelForm that only shapes input: model validation runs once, in the service, so the UI and
    the API give the same errors."""

    def _post_clean(self):
        pass


class CompanySettingsForm(ServiceValidatedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = CompanySettings
        fields = ["name", "uscc", "address", "phone", "bank_name", "bank_account", "base_currency",
                  "default_vat_rate"]


class SeriesForm(ServiceValidatedForm):
    class Meta:
        model = DocumentSeries
        fields = ["name", "pattern", "active"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class AuditFilterForm(forms.Form):
    """The audit log's filters; Django's CharField refuses NUL characters the database cannot take."""

    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    action = forms.CharField(label=_("Action"), required=False, max_length=50)
