"""The conditions an approval rule can test, pure Python: the facts of one order in, the reasons it
needs approval out. Nothing here reads the database (facts.py gathers the facts), so every band
edge is tested without an order.

Edges, written once:
- amount: the order's gross total is in [from, up to) — "from" included, "up to" not — so bands
  ¥50,000–200,000 and "from ¥200,000" meet without a gap or an overlap;
- discount: the highest line discount is *above* the threshold (10% exactly needs no approval);
- margin: the order margin is *below* the floor (an order with no net amount has no margin and
  never matches);
- credit: the customer's exposure is above its credit limit (a limit of 0 means none is set);
- overdue: an unpaid invoice is overdue by *more than* N days;
- blocked / new customer: the customer is blocked, or has no earlier confirmed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaidan.core.money import format_money, plain_number

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class Kind(models.TextChoices):
    AMOUNT = "amount", gettext_lazy("Order total in a band")
    DISCOUNT = "discount", gettext_lazy("A line discount above a limit")
    MARGIN = "margin", gettext_lazy("Order margin below a floor")
    CREDIT = "credit", gettext_lazy("Customer credit limit exceeded")
    OVERDUE = "overdue", gettext_lazy("Customer has overdue invoices")
    CUSTOMER_BLOCKED = "customer_blocked", gettext_lazy("Customer is blocked")
    CUSTOMER_NEW = "customer_new", gettext_lazy("New customer (no earlier order)")


# Which threshold fields each kind needs (the editor and the validation read this).
NEEDS = {
    Kind.AMOUNT: ("min_amount",),
    Kind.DISCOUNT: ("percent",),
    Kind.MARGIN: ("percent",),
    Kind.CREDIT: (),
    Kind.OVERDUE: ("days",),
    Kind.CUSTOMER_BLOCKED: (),
    Kind.CUSTOMER_NEW: (),
}


@dataclass(frozen=True)
class Facts:
    """What the rules look at, for one order at one moment."""

    currency: str
    gross: Decimal
    max_discount: Decimal  # percent, two decimals
    max_discount_line: int | None  # its line position
    margin: Decimal | None  # percent, None when the order has no net amount
    exposure: Decimal  # unpaid invoices + confirmed-not-invoiced orders + this order
    credit_limit: Decimal  # with any active override added; 0 = no limit set
    unlimited_override: bool  # an active override without an amount lifts the limit
    overdue_days: int  # the most overdue unpaid invoice, 0 when none
    customer_blocked: bool
    blocked_reason: str
    customer_new: bool

    @property
    def credit_exceeded_by(self) -> Decimal:
        if self.credit_limit <= 0 or self.unlimited_override:
            return ZERO
        return max(self.exposure - self.credit_limit, ZERO)

    def as_json(self) -> dict:
        return {"currency": self.currency, "gross": str(self.gross), "max_discount": str(self.max_discount),
                "max_discount_line": self.max_discount_line,
                "margin": None if self.margin is None else str(self.margin), "exposure": str(self.exposure),
                "credit_limit": str(self.credit_limit), "unlimited_override": self.unlimited_override,
                "credit_exceeded_by": str(self.credit_exceeded_by), "overdue_days": self.overdue_days,
                "customer_blocked": self.customer_blocked, "customer_new": self.customer_new}


@dataclass(frozen=True)
class Condition:
    """One rule's test: its kind and thresholds."""

    kind: str
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    percent: Decimal | None = None
    days: int | None = None


@dataclass(frozen=True)
class Reason:
    """Why an order needs approval: a code and its parameters, worded in the reader's language."""

    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def line_discount_percent(unit_price: Decimal, discount_percent: Decimal, engine_price: Decimal) -> Decimal:
    """How far below the price the engine found a line is charged: manual price and discount together,
    ``100 × (1 − unit_price × (1 − discount%/100) / engine_price)``, two decimals, never negative (the
    same measure as the salespeople's discount limits; promotions are not discounts given by hand)."""
    zero = ZERO.quantize(CENT)
    if engine_price <= 0:
        return zero
    charged = unit_price * (1 - discount_percent / HUNDRED)
    percent = HUNDRED * (1 - charged / engine_price)
    return percent.quantize(CENT, rounding=ROUND_HALF_UP) if percent > 0 else zero


def margin_percent(net: Decimal, cost: Decimal) -> Decimal | None:
    if net <= 0:
        return None
    return (HUNDRED * (net - cost) / net).quantize(CENT, rounding=ROUND_HALF_UP)


def evaluate(condition: Condition, facts: Facts) -> Reason | None:
    """The reason this condition holds for these facts, or None."""
    kind = condition.kind
    money = facts.currency
    if kind == Kind.AMOUNT:
        low, high = condition.min_amount or ZERO, condition.max_amount
        if facts.gross >= low and (high is None or facts.gross < high):
            params = {"amount": str(facts.gross), "min": str(low), "currency": money}
            if high is not None:
                params["max"] = str(high)
            return Reason("amount", params)
    elif kind == Kind.DISCOUNT:
        if condition.percent is not None and facts.max_discount > condition.percent:
            return Reason("discount", {"percent": str(facts.max_discount), "limit": str(condition.percent),
                                       "line": facts.max_discount_line})
    elif kind == Kind.MARGIN:
        if condition.percent is not None and facts.margin is not None and facts.margin < condition.percent:
            return Reason("margin", {"percent": str(facts.margin), "floor": str(condition.percent)})
    elif kind == Kind.CREDIT:
        over = facts.credit_exceeded_by
        if over > 0:
            return Reason("credit", {"over": str(over), "exposure": str(facts.exposure),
                                     "limit": str(facts.credit_limit), "currency": money})
    elif kind == Kind.OVERDUE:
        if condition.days is not None and facts.overdue_days > condition.days:
            return Reason("overdue", {"days": facts.overdue_days, "limit": condition.days})
    elif kind == Kind.CUSTOMER_BLOCKED:
        if facts.customer_blocked:
            return Reason("customer_blocked", {"reason": facts.blocked_reason})
    elif kind == Kind.CUSTOMER_NEW:
        if facts.customer_new:
            return Reason("customer_new", {})
    return None


def _money(params: dict, name: str) -> str:
    return format_money(Decimal(params[name]), params.get("currency") or "CNY")


def _percent(value) -> str:
    return plain_number(Decimal(str(value)))


def reason_text(reason: dict, *, show_cost: bool = True) -> str:
    """One reason in plain words, in the active language (订单金额 ¥82,000.00 超过 ¥50,000.00).
    ``show_cost=False`` leaves the margin figure out, for readers who may not see costs."""
    code, p = reason.get("code"), reason.get("params") or {}
    if code == "amount":
        if "max" in p:
            return _("Order total %(amount)s is between %(min)s and %(max)s") % {
                "amount": _money(p, "amount"), "min": _money(p, "min"), "max": _money(p, "max")}
        return _("Order total %(amount)s is %(min)s or more") % {"amount": _money(p, "amount"), "min": _money(p, "min")}
    if code == "discount":
        return _("Discount %(percent)s%% on line %(line)s exceeds %(limit)s%%") % {
            "percent": _percent(p["percent"]), "limit": _percent(p["limit"]), "line": p.get("line") or "-"}
    if code == "margin" and not show_cost:
        return _("Order margin is below %(floor)s%%") % {"floor": _percent(p["floor"])}
    if code == "margin":
        return _("Order margin %(percent)s%% is below %(floor)s%%") % {
            "percent": _percent(p["percent"]), "floor": _percent(p["floor"])}
    if code == "credit":
        return _("Credit limit exceeded by %(over)s (exposure %(exposure)s, limit %(limit)s)") % {
            "over": _money(p, "over"), "exposure": _money(p, "exposure"), "limit": _money(p, "limit")}
    if code == "overdue":
        return _("An invoice is %(days)s days overdue (more than %(limit)s days)") % p
    if code == "customer_blocked":
        return _("Customer is blocked: %(reason)s") % {"reason": p.get("reason") or "-"}
    if code == "customer_new":
        return _("New customer: no earlier confirmed order")
    return str(code)
