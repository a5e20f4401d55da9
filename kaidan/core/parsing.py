"""Reading numbers and dates that users send (forms, JSON, or Python values from in-process calls).
Problems are collected by field in ``Errors`` so one answer lists them all and nothing is saved."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kaidan.core.errors import ValidationFailed


class Errors:
    """Collects field errors; ``raise_if_any`` raises them together as one ValidationFailed."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)


def parse_decimal(value: Any, *, places: int, errors: Errors, field: str, minimum: Decimal | None = None,
                  maximum: Decimal | None = None, above: Decimal | None = None) -> Decimal | None:
    """A decimal with at most ``places`` decimals within the bounds; None (with an error) otherwise."""
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip()) if value is not None and str(value).strip() != "" else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.add(field, _("Enter a number, e.g. \"12.50\"."))
        return None
    if number.as_tuple().exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        errors.add(field, _("Enter at most %(places)d decimals.") % {"places": places})
        return None
    if above is not None and number <= above:
        errors.add(field, _("Enter a number greater than %(value)s.") % {"value": above})
        return None
    if minimum is not None and number < minimum:
        errors.add(field, _("Enter a number of at least %(value)s.") % {"value": minimum})
        return None
    if maximum is not None and number > maximum:
        errors.add(field, _("Enter a number of at most %(value)s.") % {"value": maximum})
        return None
    return number


def parse_date(value: Any, *, errors: Errors, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def parse_id(value: Any, errors: Errors, field: str, *, required: bool = False) -> int | None:
    """A database id (1 … 2⁶³−1) from a form or JSON value. Empty → None (an error only when
    ``required``); anything else that is not such a number → None and "Choose a valid entry."."""
    if value in (None, "") and not required:
        return None
    try:
        number = None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number < 2**63:
        errors.add(field, _("Choose a valid entry."))
        return None
    return number
