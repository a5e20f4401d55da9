"""Money: Decimal only, one rounding policy, VAT splitting, Chinese capitals, display.

Policy
------
* Amounts are ``Decimal``; a float anywhere is a bug and ``to_decimal`` refuses it.
* One rounding rule: ROUND_HALF_UP to the currency's minor unit (0.01 for CNY, 1 for JPY...).
  Every amount that is stored or shown goes through ``round_money``.
* Unit prices carry 4 decimals (``UNIT_PRICE_PLACES``); amounts carry the currency's places.
* Tax-inclusive (含税) is the Chinese default. From a tax-inclusive gross amount:
      tax = round_money(gross × rate / (1 + rate));  net = gross − tax
  The tax is rounded and the net is the remainder, so net + tax == gross exactly, always.
* From a tax-exclusive net amount:
      tax = round_money(net × rate);  gross = net + tax
* Tax is computed on each line amount (never per unit) and document totals are sums of the rounded
  line amounts, so lines, totals, PDF, API and ledger always agree to the cent.
* An amount shared out over lines (an order discount) goes through ``allocate``: shares in
  proportion to the weights, rounded to the minor unit by the largest-remainder method, so the
  shares add up to the amount exactly and no share is off by a minor unit or more.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

BASE_CURRENCY = "CNY"
UNIT_PRICE_PLACES = 4
# ISO 4217 minor units for the currencies a Chinese trading company meets; others default to 2.
MINOR_UNITS = {"CNY": 2, "HKD": 2, "USD": 2, "EUR": 2, "GBP": 2, "TWD": 2, "SGD": 2, "JPY": 0, "KRW": 0}
SYMBOLS = {"CNY": "¥", "HKD": "HK$", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "KRW": "₩"}


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an int, str or Decimal into a Decimal; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(value)
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


@functools.cache
def minor_unit(currency: str = BASE_CURRENCY) -> Decimal:
    """The smallest amount of a currency: Decimal('0.01') for CNY, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency.upper(), 2))


def round_money(amount: Decimal | int | str, currency: str = BASE_CURRENCY) -> Decimal:
    """Round half-up to the currency's minor unit: the only rounding of amounts in Kaidan."""
    # A finite Decimal (what the price engine passes thousands of times per order) skips to_decimal.
    value = amount if type(amount) is Decimal and amount.is_finite() else to_decimal(amount)
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def round_unit_price(price: Decimal | int | str) -> Decimal:
    """Round a unit price half-up to 4 decimals."""
    return to_decimal(price).quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUND_HALF_UP)


def split_inclusive(gross: Decimal, rate: Decimal, currency: str = BASE_CURRENCY) -> tuple[Decimal, Decimal]:
    """Split a tax-inclusive amount into (net, tax); tax is rounded, net is the remainder."""
    gross = round_money(gross, currency)
    rate = to_decimal(rate)
    tax = round_money(gross * rate / (1 + rate), currency)
    return gross - tax, tax


def add_tax(net: Decimal, rate: Decimal, currency: str = BASE_CURRENCY) -> tuple[Decimal, Decimal]:
    """From a tax-exclusive amount return (tax, gross) with gross = net + rounded tax."""
    net = round_money(net, currency)
    tax = round_money(net * to_decimal(rate), currency)
    return tax, net + tax


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str = BASE_CURRENCY) -> list[Decimal]:
    """Split an amount into shares proportional to the weights, each a whole number of minor units,
    adding up to the amount exactly (largest remainder: every share gets the floor of its exact
    share, the units left over go one each to the largest fractional parts, ties to the earlier).

    The amount is first rounded like every amount. Weights must not be negative; when they are all
    zero only a zero amount can be shared (all shares zero), anything else is a ValueError.
    """
    amount = round_money(amount, currency)
    weights = [to_decimal(weight) for weight in weights]
    if any(weight < 0 for weight in weights):
        raise ValueError("allocation weights must not be negative")
    unit = minor_unit(currency)
    total_units = int(amount / unit)  # the amount in minor units (fen), exactly
    if not any(weights):
        if total_units:
            raise ValueError(f"cannot allocate {amount}: the weights add up to zero")
        return [unit * 0 for _ in weights]
    # Every weight as a whole number over one common denominator: the arithmetic below is exact.
    ratios = [weight.as_integer_ratio() for weight in weights]
    denominator = math.lcm(*{d for _, d in ratios})
    scaled = [n * (denominator // d) for n, d in ratios]
    weight_sum = sum(scaled)
    sign, units = (-1 if total_units < 0 else 1), abs(total_units)
    shares, remainders = [], []
    for index, weight in enumerate(scaled):
        share, remainder = divmod(units * weight, weight_sum)
        shares.append(share)
        remainders.append((-remainder, index))
    for _, index in sorted(remainders)[: units - sum(shares)]:
        shares[index] += 1
    return [unit * (sign * share) for share in shares]  # exact, with the currency's places


def plain_number(value: Decimal) -> str:
    """A quantity or percent as people write it: 13, 2.5, 0.125, 100 — no trailing zeros, never 1E+2."""
    return format(value.normalize(), "f")


def chinese_capitals(amount: Decimal | int | str) -> str:
    """Amount in Chinese capitals as on invoices and cheques: 12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分."""
    value = round_money(amount, "CNY")
    sign = "负" if value < 0 else ""
    return sign + cn2an.an2cn(f"{abs(value):f}", "rmb")


def format_money(amount: Decimal | int | str, currency: str = BASE_CURRENCY, *, symbol: bool = True) -> str:
    """Display form with grouping, e.g. ¥12,345.60 or -$3.00; the same in zh-Hans and English."""
    value = round_money(amount, currency)
    places = MINOR_UNITS.get(currency.upper(), 2)
    text = f"{abs(value):,.{places}f}"
    prefix = SYMBOLS.get(currency.upper(), currency.upper() + " ") if symbol else ""
    return f"{'-' if value < 0 else ''}{prefix}{text}"
