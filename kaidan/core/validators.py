"""Validators for Chinese identifiers, shared by company settings and (later) customers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The 18th (check) character of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise ValidationError unless value is a well-formed 统一社会信用代码 with a correct check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="uscc_length")
    if any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(_("The unified social credit code contains characters that are not allowed."),
                              code="uscc_chars")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(_("The check character of the unified social credit code is wrong."),
                              code="uscc_check")
