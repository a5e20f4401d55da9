"""Forms of the approval pages. They only shape input for the services and the decision flow, which do
the validating (so the pages and the API give the same messages); ``SERVICE_NAMES`` maps a service's
field names to the form's."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaidan.approvals.conditions import NEEDS, Kind
from kaidan.approvals.services import MAX_STEPS
from kaidan.approvals.states import Mode
from kaidan.core.display import display_name
from kaidan.core.money import plain_number
from kaidan.core.roles import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "size": 14}
SHORT_ATTRS = {**MONEY_ATTRS, "size": 6}
STEP_ROWS = 3  # a new rule starts with this many step rows; "More steps" adds as many again


def people_choices(*, excluding=None) -> list[tuple[str, str]]:
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if excluding is not None:
        users = users.exclude(pk=excluding.pk)
    return [(str(u.pk), f"{display_name(u)} ({u.username})" if display_name(u) != u.username else u.username)
            for u in users]


def _text(form, name: str) -> str:
    return (form.cleaned_data.get(name) or "").strip()


# -- deciding ----------------------------------------------------------------------------------------

class DecisionForm(forms.Form):
    """Approve or reject the current step, with a comment (required to reject, the flow says so), for
    oneself or for a person one stands in for."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on_behalf_of = forms.CharField(label=_("Decide for"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = list(choices)
        others = [c for c in self.choices if not c["is_self"]]
        if len(self.choices) > 1:
            self.fields["on_behalf_of"].widget = forms.Select(choices=[
                ("" if c["is_self"] else str(c["user_id"]),
                 _("Myself") if c["is_self"] else _("For %(name)s") % {"name": c["name"]}) for c in self.choices])
        elif others and not self.is_bound:
            self.initial["on_behalf_of"] = str(others[0]["user_id"])
        self.for_names = [c["name"] for c in others] if not any(c["is_self"] for c in self.choices) else []

    def behalf_id(self) -> int | None:
        value = _text(self, "on_behalf_of")
        return int(value) if value.isdigit() and len(value) < 19 else None


# -- rules -------------------------------------------------------------------------------------------

def _kinds_using(name: str) -> str:
    """The condition kinds that need a threshold field (the editor shows it only for those)."""
    if name == "max_amount":
        name = "min_amount"  # the upper edge of a band is optional, shown with its lower edge
    return " ".join(str(kind) for kind, needs in NEEDS.items() if name in needs)


class RuleForm(forms.Form):
    """A rule's condition and thresholds. Only the thresholds its kind needs are shown and read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(label=_("Condition"), required=False, choices=[("", "—")] + list(Kind.choices))
    min_amount = forms.CharField(label=_("Order total from"), required=False, widget=forms.TextInput(attrs=MONEY_ATTRS),
                                 help_text=_("Included: an order of exactly this amount needs approval."))
    max_amount = forms.CharField(label=_("Up to (not included)"), required=False,
                                 widget=forms.TextInput(attrs=MONEY_ATTRS),
                                 help_text=_("Leave empty for no upper limit."))
    percent = forms.CharField(label=_("Percent"), required=False, widget=forms.TextInput(attrs=SHORT_ATTRS),
                              help_text=_("A discount above this, or a margin below this, needs approval."))
    days = forms.CharField(label=_("Days overdue"), required=False, widget=forms.TextInput(attrs=SHORT_ATTRS),
                           help_text=_("An invoice overdue by more than this many days needs approval."))
    position = forms.CharField(label=_("Order of evaluation"), required=False,
                               widget=forms.TextInput(attrs=SHORT_ATTRS))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    THRESHOLDS = ("min_amount", "max_amount", "percent", "days")

    def __init__(self, *args, rule=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if rule is not None:
            initial = {"version": rule.version, "name": rule.name, "kind": rule.kind, "position": rule.position,
                       "active": rule.active, **initial}
            for name in self.THRESHOLDS:
                value = getattr(rule, name)
                initial[name] = "" if value is None else plain_number(Decimal(value))  # 50000, not 5E+4
        super().__init__(*args, initial=initial, **kwargs)
        for name in ("name", "kind"):
            self.fields[name].marked = True
        for name in self.THRESHOLDS:
            self.fields[name].kinds = _kinds_using(name)
            self.fields[name].marked = name != "max_amount"

    def threshold_fields(self):
        return [self[name] for name in self.THRESHOLDS]

    def service_data(self, steps: list[dict]) -> dict:
        data = {name: _text(self, name) for name in ("name", "kind", *self.THRESHOLDS, "position")}
        return {**data, "active": bool(self.cleaned_data.get("active")), "steps": steps}


class StepForm(forms.Form):
    """One step of a rule's route: a role, or named people; any one of them or all of them."""

    SERVICE_NAMES = {"user_ids": "users"}

    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—")] + list(Role.choices))
    users = forms.MultipleChoiceField(label=_("Or these people"), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 3}))
    mode = forms.ChoiceField(label=_("Who must approve"), required=False, choices=Mode.choices, initial=Mode.ANY)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = people

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("role") and not data.get("users")

    def service_step(self) -> dict:
        data = self.cleaned_data
        return {"role": data.get("role") or "", "user_ids": [int(pk) for pk in data.get("users") or []],
                "mode": data.get("mode") or Mode.ANY}


class StepFormSet(forms.BaseFormSet):
    def service_steps(self) -> tuple[list[dict], list[int]]:
        """The filled rows as the service wants them, and for each the index of its row on the page
        (to put the service's "steps.N.role" errors beside the right row)."""
        steps, rows = [], []
        for index, form in enumerate(self.forms):
            if form.is_valid() and not form.is_blank():
                steps.append(form.service_step())
                rows.append(index)
        return steps, rows


def step_formset(data=None, *, rule=None, more: bool = False):
    """The rows of a rule's route: its steps plus blank rows (at most MAX_STEPS in all); ``more``
    adds blank rows to what was posted."""
    initial = None
    if rule is not None and data is None:
        initial = [{"role": s.role, "users": [str(u.pk) for u in s.users.all()], "mode": s.mode}
                   for s in rule.steps.all()]
    extra = STEP_ROWS if not initial else max(1, STEP_ROWS - len(initial))
    factory = forms.formset_factory(StepForm, formset=StepFormSet, extra=extra, max_num=MAX_STEPS,
                                    absolute_max=MAX_STEPS)
    if data is not None and more:
        data = data.copy()
        try:
            total = int(data.get("steps-TOTAL_FORMS") or 0)
        except ValueError:
            total = 0
        data["steps-TOTAL_FORMS"] = str(min(total + STEP_ROWS, MAX_STEPS))
    return factory(data, prefix="steps", initial=initial, form_kwargs={"people": people_choices()})


class PreviewForm(forms.Form):
    order = forms.CharField(label=_("Order number"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. SO202603-00012"), "size": 20}))


# -- delegations and credit overrides ----------------------------------------------------------------

class DelegationForm(forms.Form):
    SERVICE_NAMES = {"delegate_id": "delegate"}

    delegate = forms.ChoiceField(label=_("Stand-in"), required=False)
    starts_on = forms.CharField(label=_("From"), required=False, widget=DATE)
    ends_on = forms.CharField(label=_("Until (included)"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = [("", "—")] + people_choices(excluding=actor)
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate().isoformat())
        for name in ("delegate", "starts_on", "ends_on"):
            self.fields[name].marked = True

    def service_data(self) -> dict:
        return {"delegate_id": _text(self, "delegate"), "starts_on": _text(self, "starts_on"),
                "ends_on": _text(self, "ends_on"), "note": _text(self, "note")}


class OverrideForm(forms.Form):
    amount = forms.CharField(label=_("Extra credit"), required=False, widget=forms.TextInput(attrs=MONEY_ATTRS),
                             help_text=_("Leave empty to lift the limit altogether until the date."))
    expires_on = forms.CharField(label=_("Valid until (included)"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("expires_on", "reason"):
            self.fields[name].marked = True

    def service_data(self) -> dict:
        return {name: _text(self, name) for name in ("amount", "expires_on", "reason")}
