"""The price engine's steps in words: one translated sentence per step (no ORM).

``describe(step)`` turns a ``kaidan.pricing.engine.Step`` into a sentence such as "Price list VIP:
¥90.00"; ``describe_line(line)`` does it for every step of a priced line, in order. The sentences
are English source text through ``gettext``, so they follow the active language once the catalogue
has them. Amounts are shown with ``money.format_money``; unit prices keep their extra decimals
when they have them (¥88.4956), otherwise they look like amounts (¥90.00).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kaidan.core.money import MINOR_UNITS, SYMBOLS, UNIT_PRICE_PLACES, format_money, round_money
from kaidan.pricing.engine import PricedLine, Step


def describe(step: Step, currency: str = "CNY") -> str:
    """One sentence for one step of a line's price."""
    params = step.params

    def money(key: str) -> str:
        return format_money(Decimal(params[key]), currency)

    def minus(key: str) -> str:
        return format_money(-Decimal(params[key]), currency)

    def price(key: str) -> str:
        return format_unit_price(Decimal(params[key]), currency)

    code = step.code
    if code == "list_price":
        return _("List price: %(price)s") % {"price": price("price")}
    if code == "mode_conversion":
        values = {"rate": params["rate"], "from": price("from"), "to": price("to")}
        if params.get("mode") == "inclusive":
            return _("With %(rate)s%% VAT added: %(from)s → %(to)s") % values
        return _("Without its %(rate)s%% VAT: %(from)s → %(to)s") % values
    if code == "price_list":
        values = {"name": params["name"], "min_quantity": params.get("min_quantity", "")}
        if "percent" in params:
            values.update(percent=params["percent"], price=format_unit_price(step.amount, currency))
            if "min_quantity" in params:
                return (
                    _("Price list %(name)s, from %(min_quantity)s: %(percent)s%% off the list price, %(price)s")
                    % values
                )
            return _("Price list %(name)s: %(percent)s%% off the list price, %(price)s") % values
        values["price"] = price("price")
        if "min_quantity" in params:
            return _("Price list %(name)s, from %(min_quantity)s: %(price)s") % values
        return _("Price list %(name)s: %(price)s") % values
    if code == "manual_price":
        if "engine_price" in params:
            return _("Price entered by hand: %(price)s instead of %(engine_price)s") % {
                "price": price("price"),
                "engine_price": price("engine_price"),
            }
        return _("Price entered by hand: %(price)s") % {"price": price("price")}
    if code == "promotion_percent":
        values = {"name": params["name"], "percent": params["percent"], "amount": minus("amount")}
        return _("Promotion %(name)s: %(percent)s%% off, %(amount)s") % values
    if code == "promotion_amount":
        values = {"name": params["name"], "per_unit": money("per_unit"), "amount": minus("amount")}
        return _("Promotion %(name)s: %(per_unit)s off each unit, %(amount)s") % values
    if code == "free_item":
        values = {"name": params["name"], "buy": params["buy"], "free": params["free"]}
        return _("Promotion %(name)s: buy %(buy)s, get %(free)s free") % values
    if code == "manual_discount":
        return _("Discount %(percent)s%%: %(amount)s") % {"percent": params["percent"], "amount": minus("amount")}
    if code == "threshold":
        values = {
            "name": params["name"],
            "discount": money("discount"),
            "threshold": money("threshold"),
            "share": minus("share"),
        }
        return _("Promotion %(name)s: %(discount)s off orders from %(threshold)s, this line's share %(share)s") % values
    if code == "vat":
        values = {"rate": params["rate"], "net": money("net"), "tax": money("tax"), "gross": money("gross")}
        if params.get("mode") == "inclusive":
            return _("VAT %(rate)s%% included: net %(net)s + VAT %(tax)s = %(gross)s") % values
        return _("VAT %(rate)s%% added: net %(net)s + VAT %(tax)s = %(gross)s") % values
    # a step this module does not know yet: say what it is rather than fail
    return _("%(step)s: %(amount)s") % {"step": code, "amount": format_unit_price(step.amount, currency)}


def describe_line(line: PricedLine, currency: str = "CNY") -> list[str]:
    """Every step of a priced line in words, in the order the engine took them."""
    return [describe(step, currency) for step in line.steps]


def format_unit_price(price: Decimal, currency: str = "CNY") -> str:
    """A unit price for display: like an amount (¥90.00) unless it has more decimals than the
    currency, which it keeps, up to the 4 of a unit price (¥88.4956, never ¥88.4950)."""
    if round_money(price, currency) == price:
        return format_money(price, currency)
    code = currency.upper()
    places = min(max(MINOR_UNITS.get(code, 2), -price.normalize().as_tuple().exponent), UNIT_PRICE_PLACES)
    prefix = SYMBOLS.get(code, code + " ")
    return f"{'-' if price < 0 else ''}{prefix}{abs(price):,.{places}f}"
