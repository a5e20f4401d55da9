"""The transition tables of orders and quotations: every allowed pair passes, every other pair is a 409."""

import itertools

import pytest
from django.utils import translation

from kaidan.core.errors import InvalidTransition
from kaidan.sales.states import ALLOWED, STATUSES, Kind, Status, can_transition, check_transition, is_editable

ORDER_MOVES = {
    ("draft", "submitted"), ("draft", "cancelled"),
    ("submitted", "pending_approval"), ("submitted", "confirmed"), ("submitted", "draft"), ("submitted", "cancelled"),
    ("pending_approval", "confirmed"), ("pending_approval", "draft"), ("pending_approval", "cancelled"),
    ("confirmed", "closed"), ("confirmed", "draft"), ("confirmed", "cancelled"),
}
QUOTATION_MOVES = {
    ("draft", "sent"), ("draft", "cancelled"),
    ("sent", "converted"), ("sent", "draft"), ("sent", "cancelled"),
}
EXPECTED = {Kind.ORDER: ORDER_MOVES, Kind.QUOTATION: QUOTATION_MOVES}
ALL_PAIRS = [(kind, a, b) for kind in Kind for a, b in itertools.product(Status, Status)]


@pytest.mark.parametrize("kind, current, target", ALL_PAIRS)
def test_each_pair_is_allowed_exactly_when_the_table_says_so(kind, current, target):
    allowed = (current.value, target.value) in EXPECTED[kind]
    assert can_transition(kind, current, target) is allowed
    if allowed:
        check_transition(kind, current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(kind, current, target)


def test_the_table_names_only_statuses_of_its_kind():
    for kind, table in ALLOWED.items():
        for current, targets in table.items():
            assert current in STATUSES[kind]
            assert targets <= STATUSES[kind]


def test_closed_cancelled_and_converted_are_final():
    for kind in Kind:
        for final in (Status.CLOSED, Status.CANCELLED, Status.CONVERTED):
            assert not ALLOWED[kind].get(final)


def test_only_drafts_can_be_edited():
    assert [s for s in Status if is_editable(s)] == [Status.DRAFT]


def test_an_illegal_move_says_both_states_in_words():
    with translation.override("en"), pytest.raises(InvalidTransition) as info:
        check_transition(Kind.ORDER, Status.CANCELLED, Status.CONFIRMED)
    assert info.value.status == 409
    assert "Cancelled" in str(info.value.message) and "Confirmed" in str(info.value.message)
