"""The upload form of the import pages; the services check the file itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

MODES = [("check", _("Check only: list the problems, change nothing")),
         ("import", _("Import: write everything, or nothing if any row has a problem"))]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"), max_length=200,
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    mode = forms.ChoiceField(label=_("What to do"), choices=MODES, initial="check", widget=forms.RadioSelect)

    @property
    def dry_run(self) -> bool:
        return self.cleaned_data["mode"] == "check"
