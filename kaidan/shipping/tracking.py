"""The tracking timeline: events typed in by the warehouse or posted by a carrier's integration.
An event can move a shipped note on: in transit, delivered (the date and who signed), or exception
(lost, damaged, refused, delayed). Carriers send late and repeated events: an event a carrier already
sent (same event id) is recorded once, and a late one that would move the note backwards is kept in
the timeline without moving it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.errors import Conflict, NotFound, StaleEdit
from kaidan.core.parsing import Errors
from kaidan.shipping import states
from kaidan.shipping.locks import lock_note, lock_note_for_carrier
from kaidan.shipping.models import Carrier, DeliveryNote, TrackingEvent, TrackingNumber
from kaidan.shipping.services import require_ship
from kaidan.shipping.states import ExceptionReason, Status
from kaidan.shipping.validation import check_fields, check_moment, check_text, parse_reason

Kind = TrackingEvent.Kind
# What people and carriers may post; "shipped" is written by shipping itself.
INPUT_KINDS = [Kind.IN_TRANSIT, Kind.OUT_FOR_DELIVERY, Kind.DELIVERED, Kind.EXCEPTION, Kind.NOTE]
TARGET = {Kind.IN_TRANSIT: Status.IN_TRANSIT, Kind.OUT_FOR_DELIVERY: Status.IN_TRANSIT,
          Kind.DELIVERED: Status.DELIVERED, Kind.EXCEPTION: Status.EXCEPTION}
EVENT_FIELDS = {"kind", "occurred_at", "location", "description", "signed_by", "exception_reason", "version"}
CARRIER_FIELDS = {"tracking_number", "event_id", *EVENT_FIELDS} - {"version"}


class NotShippedYet(Conflict):
    code = "not_shipped"


def check_event(data: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    errors = Errors()
    check_fields(data, allowed, errors)
    kind = data.get("kind")
    if kind not in INPUT_KINDS:
        errors.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(INPUT_KINDS)})
    event = {"kind": kind, "occurred_at": check_moment(data.get("occurred_at"), errors),
             "location": check_text(data, "location", errors), "description": check_text(data, "description", errors),
             "signed_by": check_text(data, "signed_by", errors, required=kind == Kind.DELIVERED),
             "exception_reason": ""}
    if kind == Kind.EXCEPTION:
        event["exception_reason"] = parse_reason(data.get("exception_reason"), errors, ExceptionReason.values)
    errors.raise_if_any()
    return event


def _apply(note: DeliveryNote, event: TrackingEvent, *, actor, strict: bool) -> bool:
    """Move the note as the event says. ``strict`` (a person): a move the table does not allow is
    refused (409); a carrier's late event is recorded without moving. Returns True if it moved."""
    if note.status not in states.SHIPPED:
        raise NotShippedYet(_("%(number)s has not shipped yet; tracking starts when it ships.")
                            % {"number": note.number}, status=note.status)
    target = TARGET.get(event.kind)
    if target is None or (target == note.status and target != Status.EXCEPTION):
        return False
    if not states.can_transition(note.status, target) and target != note.status:
        if strict:
            states.check_transition(note.status, target)
        return False
    before = {"status": note.status, "exception_reason": note.exception_reason}
    note.status = target
    if target == Status.DELIVERED:
        note.delivered_at, note.received_by = event.occurred_at, event.signed_by
    # The note's reason is its current exception: cleared when it is on its way again (the timeline
    # and the audit trail keep what happened); otherwise a delivered note would still show "damaged".
    note.exception_reason = event.exception_reason if target == Status.EXCEPTION else ""
    note.version += 1
    note.save()
    after = {"status": note.status, "exception_reason": note.exception_reason}
    if event.location:
        after["location"] = event.location
    if target == Status.DELIVERED:
        after["received_by"] = event.signed_by
    audit.record(note, {Status.DELIVERED: "delivered", Status.EXCEPTION: "exception"}.get(target, "in_transit"),
                 actor=actor, before=before, after=after)
    return True


@transaction.atomic
def add_event(*, actor, note_id: int, data: dict[str, Any], version: int | None = None) -> TrackingEvent:
    """The warehouse records a tracking event. Raises Forbidden, NotFound, ValidationFailed,
    Conflict (not shipped yet), InvalidTransition, StaleEdit."""
    require_ship(actor)
    event_data = check_event(data, EVENT_FIELDS)
    _order, note = lock_note(actor, note_id)
    if version is not None and version != note.version:
        raise StaleEdit(current_version=note.version)
    event = TrackingEvent(note=note, source=TrackingEvent.Source.USER, created_by=actor, carrier=note.carrier,
                          **event_data)
    _apply(note, event, actor=actor, strict=True)
    event.save()
    return event


@transaction.atomic
def add_carrier_event(*, carrier: Carrier, data: dict[str, Any]) -> tuple[TrackingEvent, bool]:
    """A carrier's integration posts an event for one of its tracking numbers. Returns the event and
    whether it is new (a re-sent event id returns the first). Raises ValidationFailed, NotFound (no
    shipped note of this carrier has the number), Conflict (not shipped yet)."""
    errors = Errors()
    number = check_text(data, "tracking_number", errors, required=True) if "tracking_number" in data else ""
    if not number:
        errors.add("tracking_number", _("This field is required."))
    external_id = check_text(data, "event_id", errors, field="event_id") if data.get("event_id") else ""
    errors.raise_if_any()
    event_data = check_event(data, CARRIER_FIELDS)
    note_id = (TrackingNumber.objects.filter(number=number, note__carrier=carrier)
               .exclude(note__status=Status.CANCELLED).order_by("-note_id").values_list("note_id", flat=True).first())
    if note_id is None:
        raise NotFound(_("No delivery note of this carrier has tracking number %(number)s.") % {"number": number})
    _order, note = lock_note_for_carrier(note_id)
    if external_id:
        first = TrackingEvent.objects.filter(note=note, carrier=carrier, external_id=external_id).first()
        if first is not None:
            return first, False
    event = TrackingEvent(note=note, source=TrackingEvent.Source.CARRIER, carrier=carrier, external_id=external_id,
                          **event_data)
    _apply(note, event, actor=None, strict=False)
    event.save()
    return event, True
