"""Input checks shared by the pricing services. Each collects its message into an ``errors`` dict
(field name → messages) so a service reports every bad field of a request at once, in the same
words as the API's schema validation (kaidan.core.validation_messages)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kaidan.core.api_types import MAX_DB_ID

Errors = dict[str, list[str]]
CURRENCY = re.compile(r"[A-Z]{3}")


def is_id(value: Any) -> bool:
    """A whole number the database can hold as a primary key."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DB_ID


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(str(message))


def decimal(errors: Errors, field: str, value: Any, *, places: int, max_digits: int = 14,
            minimum: Decimal | None = Decimal("0"), maximum: Decimal | None = None,
            required: bool = True) -> Decimal | None:
    """The value as a Decimal with at most ``places`` decimals (trailing zeros beyond them are fine),
    within [minimum, maximum]; None and an error on ``field`` when it is not."""
    if value is None or value == "":
        if required:
            add(errors, field, _("This field is required."))
        return None
    if isinstance(value, bool):
        add(errors, field, _("Enter a number, e.g. \"12.50\"."))
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        add(errors, field, _("Enter a number, e.g. \"12.50\"."))
        return None
    scaled = number.quantize(Decimal(1).scaleb(-places)) if abs(number) < Decimal(10) ** max_digits else number
    if scaled != number:
        add(errors, field, _("Use at most %(n)s decimal places.") % {"n": places})
        return None
    if abs(scaled) >= Decimal(10) ** (max_digits - places):
        add(errors, field, _("Use at most %(n)s digits before the decimal point.") % {"n": max_digits - places})
        return None
    if minimum is not None and scaled < minimum:
        add(errors, field, _("Must be at least %(n)s.") % {"n": minimum})
        return None
    if maximum is not None and scaled > maximum:
        add(errors, field, _("Must be at most %(n)s.") % {"n": maximum})
        return None
    return scaled


def percent(errors: Errors, field: str, value: Any, *, required: bool = True) -> Decimal | None:
    """A percentage from 0 to 100 with at most 2 decimals."""
    return decimal(errors, field, value, places=2, max_digits=5, maximum=Decimal("100"), required=required)


def date(errors: Errors, field: str, value: Any) -> datetime.date | None:
    """A date, or None for an empty value; "2026-01-31" strings are accepted."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        add(errors, field, _("Enter a date like 2026-11-25."))
        return None


def dates_ordered(errors: Errors, valid_from: datetime.date | None, valid_to: datetime.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        add(errors, "valid_to", _("The end date cannot be before the start date."))


def currency(errors: Errors, value: Any) -> str | None:
    if not isinstance(value, str) or not CURRENCY.fullmatch(value):
        add(errors, "currency", _("Enter a currency code of three capital letters, e.g. CNY."))
        return None
    return value


def ids(errors: Errors, field: str, value: Any, *, limit: int) -> list[int]:
    """A list of distinct positive ids (order kept)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        add(errors, field, _("Send a list."))
        return []
    result: list[int] = []
    for item in value:
        if not is_id(item):
            add(errors, field, _("Each entry must be an id (a whole number of at least 1)."))
            return []
        if item not in result:
            result.append(item)
    if len(result) > limit:
        add(errors, field, _("List at most %(n)d entries.") % {"n": limit})
        return []
    return result
