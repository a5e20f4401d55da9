"""Pure stock arithmetic, no database: availability badges, promise dates (available-to-promise)
and how much to ask purchasing for. The selectors and services feed it numbers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")

IN_STOCK = "in_stock"
PARTIAL = "partial"
SHORT = "short"


@dataclass(frozen=True)
class Supply:
    """Stock expected to arrive: an ordered replenishment request with its expected date."""

    date: datetime.date
    quantity: Decimal


@dataclass(frozen=True)
class Levels:
    """One product in one warehouse. ``backordered`` is what confirmed orders still wait for; they
    come before any new order when stock arrives."""

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    backordered: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def badge(wanted: Decimal, available: Decimal) -> str:
    """in stock (all of it can ship now), partial (some can), short (none can)."""
    if available >= wanted:
        return IN_STOCK
    return PARTIAL if available > 0 else SHORT


def promise_date(wanted: Decimal, *, free_now: Decimal, supplies: Iterable[Supply],
                 today: datetime.date) -> datetime.date | None:
    """The earliest date ``wanted`` can ship: today if ``free_now`` covers it, else the date on which
    the incoming supplies (taken in date order) cover what is missing. ``free_now`` may be negative:
    orders already waiting take the first arrivals. None when no planned supply covers it."""
    if wanted <= free_now:
        return today
    missing = wanted - free_now
    for supply in sorted(supplies, key=lambda s: s.date):
        missing -= supply.quantity
        if missing <= 0:
            return max(supply.date, today)
    return None


def replenishment_quantity(levels: Levels, *, incoming: Decimal, extra_demand: Decimal = ZERO,
                           min_level: Decimal | None = None, max_level: Decimal | None = None) -> Decimal:
    """How much a replenishment request should ask for. The projection is on hand − reserved −
    backorders − ``extra_demand`` (an order refused for lack of stock) + what is already ordered.
    With a reorder rule, a projection below the minimum is topped up to the maximum; without one,
    only a negative projection (a real shortage) is covered."""
    projected = levels.available - levels.backordered - extra_demand + incoming
    if min_level is not None and max_level is not None and projected < min_level:
        return max_level - projected
    return -projected if projected < 0 else ZERO


def allocate(wanted: list[Decimal], free: Decimal) -> list[Decimal]:
    """Hand out ``free`` to the wants in their order (oldest first): each gets what it wants while
    something is left."""
    result = []
    for amount in wanted:
        given = min(amount, max(free, ZERO))
        result.append(given)
        free -= given
    return result
