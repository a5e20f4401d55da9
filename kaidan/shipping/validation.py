"""Checks of what the warehouse and carriers send: every problem reported by field
("lines.2.quantity", "tracking_numbers.1"), nothing saved. Pure apart from loading carriers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kaidan.core.parsing import Errors, parse_date, parse_decimal, parse_id
from kaidan.shipping.models import TRACKING_PLACEHOLDER, Carrier

MAX_LINES = 2000
MAX_QUANTITY = Decimal("1000000000")
MAX_TRACKING_NUMBERS = 50
MAX_PARCELS = 10000
MAX_WEIGHT = Decimal("1000000")
MAX_FREIGHT = Decimal("100000000")
TEXT_LIMITS = {"notes": 2000, "service": 60, "reason": 200, "location": 200, "description": 500,
               "signed_by": 100, "event_id": 80, "tracking_number": 60, "name": 100, "code": 20, "tracking_url": 300}


@dataclass(frozen=True)
class LineChoice:
    order_line_id: int
    quantity: Decimal


def check_fields(data: dict[str, Any], allowed: set[str], errors: Errors) -> None:
    for name in sorted(set(data) - allowed):
        errors.add(name, _("Unknown field."))


def check_text(data: dict[str, Any], name: str, errors: Errors, *, required: bool = False,
               field: str | None = None) -> str:
    field = field or name
    raw = data.get(name)
    if raw is not None and not isinstance(raw, str):
        errors.add(field, _("Enter text."))
        return ""
    value = (raw or "").strip()
    limit = TEXT_LIMITS[name]
    if "\x00" in value:
        errors.add(field, _("Remove the NUL character."))
    elif len(value) > limit:
        errors.add(field, _("Enter at most %(max)d characters.") % {"max": limit})
    elif required and not value:
        errors.add(field, _("This field is required."))
    return value[:limit]


def check_line_choices(raw: Any, errors: Errors) -> list[LineChoice] | None:
    """``[{order_line_id, quantity}, …]``; None means "everything that is reserved"."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        errors.add("lines", _("Choose at least one line."))
        return []
    if len(raw) > MAX_LINES:
        errors.add("lines", _("A delivery note has at most %(max)d lines.") % {"max": MAX_LINES})
        return []
    choices, seen = [], set()
    for index, item in enumerate(raw):
        where = f"lines.{index}"
        if not isinstance(item, dict):
            errors.add(where, _("Enter a line as {\"order_line_id\": …, \"quantity\": …}."))
            continue
        check_fields(item, {"order_line_id", "quantity"}, _Prefixed(errors, where))
        line_id = parse_id(item.get("order_line_id"), errors, f"{where}.order_line_id", required=True)
        quantity = parse_decimal(item.get("quantity"), places=4, errors=errors, field=f"{where}.quantity",
                                 above=Decimal(0), maximum=MAX_QUANTITY)
        if line_id is not None and line_id in seen:
            errors.add(f"{where}.order_line_id", _("This order line is already on the note."))
        elif line_id is not None and quantity is not None:
            seen.add(line_id)
            choices.append(LineChoice(line_id, quantity))
    return choices


class _Prefixed:
    """Errors of a nested object, named "<prefix>.<field>"."""

    def __init__(self, errors: Errors, prefix: str) -> None:
        self.errors, self.prefix = errors, prefix

    def add(self, field: str, message: str) -> None:
        self.errors.add(f"{self.prefix}.{field}", message)


def check_tracking_numbers(raw: Any, errors: Errors) -> list[str]:
    """A list of tracking numbers, or text with one per line / separated by commas."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [part for chunk in raw.splitlines() for part in chunk.replace("，", ",").split(",")]
    if not isinstance(raw, list):
        errors.add("tracking_numbers", _("Enter a list of tracking numbers."))
        return []
    numbers: list[str] = []
    for index, value in enumerate(raw):
        if not isinstance(value, str):
            errors.add(f"tracking_numbers.{index}", _("Enter text."))
            continue
        value = value.strip()
        if not value:
            continue
        if len(value) > 60 or any(ch.isspace() or ch == "\x00" or not ch.isprintable() for ch in value):
            errors.add(f"tracking_numbers.{index}",
                       _("A tracking number has at most 60 characters, without spaces."))
        elif value not in numbers:
            numbers.append(value)
    if len(numbers) > MAX_TRACKING_NUMBERS:
        errors.add("tracking_numbers", _("Enter at most %(max)d tracking numbers.") % {"max": MAX_TRACKING_NUMBERS})
    return numbers


def check_carrier(data: dict[str, Any], errors: Errors, *, required: bool = False) -> Carrier | None:
    pk = parse_id(data.get("carrier_id"), errors, "carrier_id", required=required)
    if pk is None:
        return None
    carrier = Carrier.objects.filter(pk=pk, active=True).first()
    if carrier is None:
        errors.add("carrier_id", _("Choose an active carrier."))
    return carrier


def check_packing(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Parcels, weight, carrier, service, tracking numbers and freight of a note being packed."""
    count = data.get("parcel_count")
    parcels = None
    if isinstance(count, bool) or count in (None, ""):
        errors.add("parcel_count", _("Enter how many parcels there are."))
    else:
        try:
            parcels = int(str(count).strip())
        except ValueError:
            errors.add("parcel_count", _("Enter a whole number."))
        else:
            if not 1 <= parcels <= MAX_PARCELS:
                errors.add("parcel_count", _("Enter a number from 1 to %(max)d.") % {"max": MAX_PARCELS})
    weight = None
    if data.get("weight_kg") not in (None, ""):
        weight = parse_decimal(data.get("weight_kg"), places=3, errors=errors, field="weight_kg",
                               above=Decimal(0), maximum=MAX_WEIGHT)
    freight = Decimal(0)
    if data.get("freight_charge") not in (None, ""):
        freight = parse_decimal(data.get("freight_charge"), places=2, errors=errors, field="freight_charge",
                                minimum=Decimal(0), maximum=MAX_FREIGHT)
    return {"parcel_count": parcels, "weight_kg": weight, "freight_charge": freight,
            "carrier": check_carrier(data, errors), "service": check_text(data, "service", errors),
            "tracking_numbers": check_tracking_numbers(data.get("tracking_numbers"), errors)}


def check_ship_date(value: Any, errors: Errors, *, today: datetime.date) -> datetime.date:
    day = parse_date(value, errors=errors, field="ship_date")
    if day is None:
        return today
    if day > today:
        errors.add("ship_date", _("A note cannot ship on a day still to come."))
    elif (today - day).days > 366:
        errors.add("ship_date", _("Enter a date within the last year."))
    return day


def check_moment(value: Any, errors: Errors, field: str = "occurred_at") -> datetime.datetime:
    """An ISO date-time (without a zone: the company's zone); empty means now. Not in the future."""
    now = timezone.now()
    if value in (None, ""):
        return now
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            errors.add(field, _("Enter a date and time as YYYY-MM-DD HH:MM."))
            return now
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + datetime.timedelta(minutes=5):
        errors.add(field, _("This time is still to come."))
    elif moment.year < 2000:
        errors.add(field, _("Enter a date and time as YYYY-MM-DD HH:MM."))
    return moment


def check_tracking_url(value: str, errors: Errors) -> str:
    if value and (TRACKING_PLACEHOLDER not in value or not value.startswith(("https://", "http://"))):
        errors.add("tracking_url", _("Enter an address starting with https:// or http:// that contains {number}."))
    return value


def parse_reason(value: Any, errors: Errors, choices: list[str], field: str = "exception_reason") -> str:
    if value not in choices:
        errors.add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
        return ""
    return value
