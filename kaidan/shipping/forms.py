"""Forms of the shipping pages. They only shape input for the services, which do the validating (so
the pages and the API give the same messages: even a pick list is a plain field here, and an unknown
choice is the service's to refuse); ``SERVICE_NAMES`` maps a service's field names to the form's.
Filters ignore a value they cannot read instead of complaining about it."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaidan.inventory import selectors as inventory_selectors
from kaidan.shipping import tracking
from kaidan.shipping.models import Carrier, DeliveryNote, TrackingEvent
from kaidan.shipping.selectors import QueueState
from kaidan.shipping.states import ExceptionReason, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "size": 10}
ALL = _("All")

QUEUE_STATES = [
    ("", _("All")),
    (QueueState.READY, _("Ready to ship")),
    (QueueState.PARTLY, _("Partly available")),
    (QueueState.WAITING, _("Waiting for stock")),
    (QueueState.ON_NOTES, _("On delivery notes")),
]
NOTE_STATUSES = [
    ("", _("All")),
    ("open", _("In the warehouse")),
    ("on_the_way", _("On the way")),
    *Status.choices,
]


def _id(value) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 1 <= number < 2**63 else None


def _day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def _text(form, name: str) -> str:
    return (form.cleaned_data.get(name) or "").strip()


def warehouse_choices() -> list[tuple[str, str]]:
    return [("", _("All warehouses"))] + [(str(w.pk), str(w)) for w in inventory_selectors.warehouses()]


# -- filters ------------------------------------------------------------------------------------------

class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=QUEUE_STATES, widget=forms.HiddenInput)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    requested_by = forms.CharField(label=_("Requested by"), required=False, widget=DATE,
                                   help_text=_("Orders wanted on or before this day"))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices()

    def wanted(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"state": data.get("state") or None, "warehouse_id": _id(data.get("warehouse")),
                "requested_by": _day(data.get("requested_by")), "q": (data.get("q") or "").strip() or None}


class NoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=NOTE_STATUSES)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)
    date_from = forms.CharField(label=_("From"), required=False, widget=DATE)
    date_to = forms.CharField(label=_("to"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices()
        self.fields["carrier"].choices = [("", ALL)] + [(str(c.pk), str(c)) for c in Carrier.objects.order_by("code")]

    def wanted(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"status": data.get("status") or None, "warehouse_id": _id(data.get("warehouse")),
                "carrier_id": _id(data.get("carrier")), "q": (data.get("q") or "").strip() or None,
                "date_from": _day(data.get("date_from")), "date_to": _day(data.get("date_to"))}


# -- a note and its actions ----------------------------------------------------------------------------

class NewNoteForm(forms.Form):
    """The note's remark; the quantities are inputs of the lines table (``qty-<order line id>``)."""

    notes = forms.CharField(label=_("Notes for the warehouse"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class PackForm(VersionForm):
    SERVICE_NAMES = {"carrier_id": "carrier"}

    parcel_count = forms.CharField(label=_("Parcels"), required=False,
                                   widget=forms.TextInput(attrs={**NUMBER_ATTRS, "inputmode": "numeric", "size": 5}))
    weight_kg = forms.CharField(label=_("Weight (kg)"), required=False, widget=forms.TextInput(attrs=NUMBER_ATTRS))
    carrier = forms.CharField(label=_("Carrier"), required=False, widget=forms.Select)
    service = forms.CharField(label=_("Service"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": _("e.g. standard, next day")}))
    tracking_numbers = forms.CharField(label=_("Tracking numbers"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
                                       help_text=_("One per line (one per parcel, or one waybill for all)."))
    freight_charge = forms.CharField(label=_("Freight charge"), required=False,
                                     widget=forms.TextInput(attrs=NUMBER_ATTRS))

    def __init__(self, *args, note: DeliveryNote, carriers=(), numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].widget.choices = [("", "—")] + [(str(c.pk), str(c)) for c in carriers]
        self.fields["parcel_count"].marked = True
        if not self.is_bound:
            self.initial.update({
                "version": note.version, "parcel_count": note.parcel_count or 1,
                "weight_kg": "" if note.weight_kg is None else note.weight_kg.normalize(),
                "carrier": note.carrier_id or "", "service": note.service, "tracking_numbers": "\n".join(numbers),
                "freight_charge": note.freight_charge if note.freight_charge else ""})

    def service_data(self) -> dict:
        return {"parcel_count": _text(self, "parcel_count"), "weight_kg": _text(self, "weight_kg"),
                "carrier_id": _text(self, "carrier"), "service": _text(self, "service"),
                "tracking_numbers": self.cleaned_data.get("tracking_numbers") or "",
                "freight_charge": _text(self, "freight_charge")}


class ShipForm(VersionForm):
    ship_date = forms.CharField(label=_("Ship date"), required=False, widget=DATE)
    tracking_numbers = forms.CharField(label=_("More tracking numbers"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                                       help_text=_("Added to those given when packing; one per line."))

    def __init__(self, *args, note: DeliveryNote, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"version": note.version, "ship_date": timezone.localdate().isoformat()})

    def service_data(self) -> dict:
        return {"ship_date": _text(self, "ship_date"),
                "tracking_numbers": self.cleaned_data.get("tracking_numbers") or ""}


class CancelForm(VersionForm):
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=400)

    def __init__(self, *args, note: DeliveryNote, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = note.version


EVENT_KINDS = [(str(kind), kind.label) for kind in tracking.INPUT_KINDS]


class EventForm(VersionForm):
    kind = forms.CharField(label=pgettext_lazy("tracking event", "Status"), required=False,
                           widget=forms.Select(choices=[("", "—")] + EVENT_KINDS))
    occurred_at = forms.CharField(label=_("Time"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text=_("Leave empty for now."))
    location = forms.CharField(label=_("Location"), required=False, max_length=400)
    description = forms.CharField(label=_("Note"), required=False, max_length=1000)
    signed_by = forms.CharField(label=_("Signed by"), required=False, max_length=200)
    exception_reason = forms.CharField(label=_("Exception"), required=False,
                                       widget=forms.Select(choices=[("", "—")] + list(ExceptionReason.choices)))

    def __init__(self, *args, note: DeliveryNote, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].marked = True
        self.fields["signed_by"].kinds = TrackingEvent.Kind.DELIVERED
        self.fields["exception_reason"].kinds = TrackingEvent.Kind.EXCEPTION
        if not self.is_bound:
            self.initial.update({"version": note.version, "kind": TrackingEvent.Kind.IN_TRANSIT})

    def service_data(self) -> dict:
        data = {name: _text(self, name) for name in ("kind", "occurred_at", "location", "description")}
        kind = data["kind"]
        if kind == TrackingEvent.Kind.DELIVERED:
            data["signed_by"] = _text(self, "signed_by")
        if kind == TrackingEvent.Kind.EXCEPTION:
            data["exception_reason"] = _text(self, "exception_reason")
        return data


# -- carriers -----------------------------------------------------------------------------------------

class CarrierForm(VersionForm):
    code = forms.CharField(label=_("Code"), required=False, max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. SF"), "autocomplete": "off"}))
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    tracking_url = forms.CharField(
        label=_("Tracking URL pattern"), required=False, max_length=600,
        widget=forms.TextInput(attrs={"placeholder": "https://www.example.com/track?no={number}"}),
        help_text=_("The carrier's tracking page with {number} where the tracking number goes."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, carrier: Carrier | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "name"):
            self.fields[name].marked = True
        if carrier is not None and not self.is_bound:
            self.initial.update({"version": carrier.version, "code": carrier.code, "name": carrier.name,
                                 "tracking_url": carrier.tracking_url, "active": carrier.active})

    def service_data(self) -> dict:
        return {"code": _text(self, "code"), "name": _text(self, "name"),
                "tracking_url": _text(self, "tracking_url"), "active": bool(self.cleaned_data.get("active"))}
