"""The pure stock arithmetic: badges, promise dates, how much to ask purchasing for."""

import datetime
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kaidan.inventory.planning import (
    IN_STOCK,
    PARTIAL,
    SHORT,
    Levels,
    Supply,
    allocate,
    badge,
    promise_date,
    replenishment_quantity,
)

TODAY = datetime.date(2026, 11, 30)


def test_badges():
    assert badge(D(5), D(5)) == IN_STOCK
    assert badge(D(5), D(2)) == PARTIAL
    assert badge(D(5), D(0)) == SHORT
    assert badge(D(5), D(-3)) == SHORT


def test_promise_date_is_today_when_free_stock_covers_the_line():
    assert promise_date(D(3), free_now=D(3), supplies=[], today=TODAY) == TODAY


def test_promise_date_is_the_arrival_that_covers_what_is_missing():
    supplies = [Supply(datetime.date(2026, 12, 20), D(10)), Supply(datetime.date(2026, 12, 5), D(2))]
    assert promise_date(D(4), free_now=D(1), supplies=supplies, today=TODAY) == datetime.date(2026, 12, 20)
    assert promise_date(D(3), free_now=D(1), supplies=supplies, today=TODAY) == datetime.date(2026, 12, 5)


def test_orders_waiting_ahead_take_the_first_arrivals():
    supplies = [Supply(datetime.date(2026, 12, 5), D(5)), Supply(datetime.date(2026, 12, 20), D(5))]
    # 4 already waiting: the first 5 leave 1 for us, not enough for 2
    assert promise_date(D(2), free_now=D(-4), supplies=supplies, today=TODAY) == datetime.date(2026, 12, 20)


def test_no_promise_without_planned_supply():
    assert promise_date(D(5), free_now=D(1), supplies=[Supply(TODAY, D(1))], today=TODAY) is None


def test_a_late_expected_date_in_the_past_promises_today():
    assert promise_date(D(2), free_now=D(0), supplies=[Supply(TODAY - datetime.timedelta(days=3), D(5))],
                        today=TODAY) == TODAY


def test_replenishment_covers_a_shortage_without_a_rule():
    levels = Levels(on_hand=D(10), reserved=D(10), backordered=D(4))
    assert replenishment_quantity(levels, incoming=D(0)) == D(4)
    assert replenishment_quantity(levels, incoming=D(3)) == D(1)
    assert replenishment_quantity(levels, incoming=D(4)) == D(0)
    assert replenishment_quantity(Levels(D(2), D(0), D(0)), incoming=D(0), extra_demand=D(5)) == D(3)


def test_replenishment_tops_up_to_the_maximum_below_the_minimum():
    levels = Levels(on_hand=D(12), reserved=D(5))
    assert replenishment_quantity(levels, incoming=D(0), min_level=D(10), max_level=D(50)) == D(43)
    assert replenishment_quantity(levels, incoming=D(3), min_level=D(10), max_level=D(50)) == D(0)


def test_allocate_serves_in_order():
    assert allocate([D(3), D(4), D(5)], D(6)) == [D(3), D(3), D(0)]
    assert allocate([D(3)], D(-2)) == [D(0)]


@settings(deadline=None)
@given(st.lists(st.integers(0, 50), max_size=12), st.integers(-10, 200))
def test_allocate_never_gives_more_than_free_or_wanted(wanted, free):
    given_ = allocate([D(w) for w in wanted], D(free))
    assert all(D(0) <= g <= w for g, w in zip(given_, wanted, strict=True))
    assert sum(given_, D(0)) == min(D(sum(wanted)), max(D(free), D(0)))
