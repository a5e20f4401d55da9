"""Turning cell values into field values, with a translated message when a value is not usable.
Pure functions: an importer calls them column by column and reports ``CellError`` on that column.

Excel gives numbers as int or float, text as str, TRUE/FALSE as bool. People also type numbers as
text ("1,200.50", "１２", "¥80"): those are accepted. A number with more decimals than the field
keeps is refused rather than rounded.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kaidan.transfer.excel import ErrorValue, Formula, is_blank

TRUE_WORDS = {"是", "对", "有", "y", "yes", "true", "1", "√", "✓", "含税"}
FALSE_WORDS = {"否", "不", "无", "n", "no", "false", "0", "×", "不含税"}
NUMBER_NOISE = str.maketrans("", "", ", _¥$")


class CellError(Exception):
    """A cell value that cannot be used; the message names what is expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_plain(value: Any) -> Any:
    """Refuse formulas and Excel error values; return the value otherwise."""
    if isinstance(value, Formula):
        raise CellError(_("Formulas are not imported: copy the column and paste it back as values."))
    if isinstance(value, ErrorValue):
        raise CellError(_("The cell holds the Excel error %(code)s.") % {"code": value.code})
    return value


def text(value: Any) -> str:
    """The cell as text, trimmed; whole numbers without ".0" (a code typed as 1001 stays "1001")."""
    value = check_plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.time)):
        raise CellError(_("Enter a number, e.g. 12.50."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_("Enter a number, e.g. 12.50."))
        return Decimal(repr(value))
    cleaned = unicodedata.normalize("NFKC", str(value)).strip().translate(NUMBER_NOISE)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("Enter a number, e.g. 12.50.")) from None
    if not number.is_finite():
        raise CellError(_("Enter a number, e.g. 12.50."))
    return number


def decimal(value: Any, *, places: int, max_digits: int, minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    """A number with at most ``places`` decimals and ``max_digits`` digits in all; None when blank."""
    value = check_plain(value)
    if is_blank(value):
        return None
    number = _number(value).normalize()
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise CellError(_("Enter at most %(places)d decimal places.") % {"places": places}
                        if places else _("Enter a whole number."))
    if minimum is not None and number < minimum:
        raise CellError(_("Enter a number of at least %(min)s.") % {"min": minimum})
    whole_digits = number.adjusted() + 1 if abs(number) >= 1 else 0
    if whole_digits > max_digits - places:
        raise CellError(_("The number is too large: at most %(n)d digits before the decimal point.")
                        % {"n": max_digits - places})
    return number.quantize(Decimal(1).scaleb(-places))


def percent(value: Any, *, allowed: list[Decimal]) -> Decimal | None:
    """A rate given as 13%, "13%", 0.13 or 13; it must be one of ``allowed`` (fractions); None when blank."""
    value = check_plain(value)
    if is_blank(value):
        return None
    raw = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else value
    if isinstance(raw, str) and raw.endswith("%"):
        rate = _number(raw[:-1]) / 100
    else:
        rate = _number(raw)
        if rate >= 1:
            rate = rate / 100
    for choice in allowed:
        if rate == choice:
            return choice
    shown = ", ".join(f"{(c * 100).normalize():f}%" for c in allowed)
    raise CellError(_("Enter one of the rates %(rates)s.") % {"rates": shown})


def boolean(value: Any) -> bool | None:
    """是/否, yes/no, true/false, 1/0 or an Excel TRUE/FALSE; None when blank."""
    value = check_plain(value)
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Enter 是 (yes) or 否 (no)."))


def yes_no(value: bool) -> str:
    """How a boolean is written to a workbook (and read back by ``boolean``)."""
    return "是" if value else "否"
