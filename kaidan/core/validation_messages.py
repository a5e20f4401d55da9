"""Pydantic's validation errors in the user's language: one message per error type, with the
limits from the error's context. Types not listed fall back to pydantic's English message."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _messages() -> dict[str, Any]:
    # Built per call so each message is translated into the language active for this request.
    return {
        "missing": lambda c: _("This field is required."),
        "extra_forbidden": lambda c: _("Unknown field."),
        "string_type": lambda c: _("Enter text."),
        "string_too_short": lambda c: ngettext("Enter at least %(n)d character.", "Enter at least %(n)d characters.",
                                               c["min_length"]) % {"n": c["min_length"]},
        "string_too_long": lambda c: ngettext("Enter at most %(n)d character.", "Enter at most %(n)d characters.",
                                              c["max_length"]) % {"n": c["max_length"]},
        "string_pattern_mismatch": lambda c: _("The format is not valid."),
        "int_type": lambda c: _("Enter a whole number."),
        "int_parsing": lambda c: _("Enter a whole number."),
        "int_from_float": lambda c: _("Enter a whole number."),
        "bool_type": lambda c: _("Enter true or false."),
        "bool_parsing": lambda c: _("Enter true or false."),
        "decimal_type": lambda c: _("Enter a number as a string, e.g. \"12.50\"."),
        "decimal_parsing": lambda c: _("Enter a number, e.g. \"12.50\"."),
        "decimal_max_places": lambda c: _("Use at most %(n)s decimal places.") % {"n": c["decimal_places"]},
        "decimal_max_digits": lambda c: _("Use at most %(n)s digits in total.") % {"n": c["max_digits"]},
        "decimal_whole_digits": lambda c: _("Use at most %(n)s digits before the decimal point.")
        % {"n": c["whole_digits"]},
        "greater_than": lambda c: _("Must be greater than %(n)s.") % {"n": c["gt"]},
        "greater_than_equal": lambda c: _("Must be at least %(n)s.") % {"n": c["ge"]},
        "less_than": lambda c: _("Must be less than %(n)s.") % {"n": c["lt"]},
        "less_than_equal": lambda c: _("Must be at most %(n)s.") % {"n": c["le"]},
        "json_invalid": lambda c: _("The request body is not valid JSON."),
        "model_attributes_type": lambda c: _("Send a JSON object."),
        "dict_type": lambda c: _("Send a JSON object."),
        "list_type": lambda c: _("Send a list."),
        "datetime_parsing": lambda c: _("Enter a date and time like 2026-11-25T09:30:00+08:00."),
        "date_parsing": lambda c: _("Enter a date like 2026-11-25."),
    }


def message_for(error: dict[str, Any]) -> str:
    """The translated message for one pydantic error dict (type, ctx, msg)."""
    make = _messages().get(error.get("type", ""))
    if make is not None:
        try:
            return str(make(error.get("ctx") or {}))
        except (KeyError, TypeError):
            pass
    return str(error.get("msg", ""))
