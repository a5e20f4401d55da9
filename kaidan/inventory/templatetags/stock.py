"""Template filters of the stock pages: {{ level.on_hand|qty }} → 12, 2.5 (no trailing zeros)."""

from decimal import Decimal

from django import template

from kaidan.core.money import plain_number

register = template.Library()


@register.filter
def qty(value):
    """A quantity as people write it; empty for None."""
    if value is None or value == "":
        return ""
    return plain_number(Decimal(value))


@register.filter
def signed_qty(value):
    """A change of stock with its sign: +5, −2."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return ("+" if value > 0 else "−" if value < 0 else "") + plain_number(abs(value))
