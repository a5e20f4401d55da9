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
"""

from __future__ import annotations

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


def minor_unit(currency: str = BASE_CURRENCY) -> Decimal:
    """The smallest amount of a currency: Decimal('0.01') for CNY, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency.upper(), 2))


def round_money(amount: Decimal | int | str, currency: str = BASE_CURRENCY) -> Decimal:
    """Round half-up to the currency's minor unit: the only rounding of amounts in Kaidan."""
    return to_decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


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
