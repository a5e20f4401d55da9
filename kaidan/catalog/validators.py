"""Validators of the catalog: GTIN barcodes (EAN-13, UPC-A, EAN-8) and quantities in a unit."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from kaidan.core.errors import ValidationFailed

GTIN_LENGTHS = (8, 12, 13)  # EAN-8, UPC-A, EAN-13
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$"
CODE_PATTERN = r"^[A-Za-z0-9_\-]+$"

validate_sku = RegexValidator(SKU_PATTERN, _("Use letters, digits and . _ / - only, starting with a letter or digit."))
validate_code = RegexValidator(CODE_PATTERN, _("Use letters, digits, _ and - only."))


def gtin_check_digit(body: str) -> str:
    """The check digit of a GTIN whose other digits are ``body``: weights 3, 1, 3… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def validate_barcode(value: str) -> None:
    """Raise ValidationError unless value is an EAN-13, UPC-A or EAN-8 code with a correct check digit."""
    if not value.isascii() or not value.isdigit():
        raise ValidationError(_("A barcode has digits only."), code="barcode_digits")
    if len(value) not in GTIN_LENGTHS:
        raise ValidationError(_("A barcode has 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13) digits."),
                              code="barcode_length")
    if gtin_check_digit(value[:-1]) != value[-1]:
        raise ValidationError(_("The check digit of the barcode is wrong."), code="barcode_check")


def check_quantity(*, unit, quantity: Decimal, field: str = "quantity") -> None:
    """Refuse a fractional quantity in a unit that does not allow fractions (1.5 台). Raises ValidationFailed.

    For the documents that count products in their unit (order lines, deliveries, stock moves)."""
    if not unit.allow_fraction and quantity != quantity.to_integral_value():
        raise ValidationFailed.for_field(
            field, _("“%(unit)s” is counted in whole numbers.") % {"unit": unit.name})
