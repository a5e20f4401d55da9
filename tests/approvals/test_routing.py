"""From the rules that matched to an order's route, pure: identical steps merge (carrying every
reason), the order of first appearance is kept, different modes or people stay apart."""

from __future__ import annotations

from kaidan.approvals.conditions import Reason
from kaidan.approvals.routing import Match, StepSpec, build_route

SM = StepSpec(role="sales_manager", user_ids=(), mode="any")
GM = StepSpec(role="general_manager", user_ids=(), mode="any")
FINANCE = StepSpec(role="finance", user_ids=(), mode="any")

OVER_200K = Reason("amount", {"amount": "226000.00", "min": "200000", "currency": "CNY"})
DISCOUNT = Reason("discount", {"percent": "18.00", "limit": "10", "line": 2})
CREDIT = Reason("credit", {"over": "26000.00", "exposure": "226000.00", "limit": "200000.00", "currency": "CNY"})


def shape(route) -> list[tuple]:
    return [(step.spec, [r.code for r in step.reasons], step.rule_names) for step in route]


def test_nothing_matched_is_no_route():
    assert build_route([]) == []


def test_the_example_merges_the_sales_manager_and_keeps_the_sequence():
    # given: over ¥200,000 (sales manager, then general manager), an 18% discount (sales manager)
    # and the credit limit exceeded (finance)
    matches = [Match("¥20万以上", OVER_200K, (SM, GM)), Match("折扣超过10%", DISCOUNT, (SM,)),
               Match("超信用额度", CREDIT, (FINANCE,))]
    # when
    route = build_route(matches)
    # then: the sales manager approves once, for both reasons; the general manager after; finance last
    assert shape(route) == [
        (SM, ["amount", "discount"], ["¥20万以上", "折扣超过10%"]),
        (GM, ["amount"], ["¥20万以上"]),
        (FINANCE, ["credit"], ["超信用额度"]),
    ]
    assert route[0].reasons == [OVER_200K, DISCOUNT]


def test_the_order_is_that_of_first_appearance():
    route = build_route([Match("discount", DISCOUNT, (SM,)), Match("big", OVER_200K, (GM, SM))])
    assert [s.spec for s in route] == [SM, GM]
    assert [r.code for r in route[0].reasons] == ["discount", "amount"]


def test_a_different_mode_or_different_people_is_a_different_step():
    everyone = StepSpec(role="sales_manager", user_ids=(), mode="all")
    li = StepSpec(role="", user_ids=(7,), mode="any")
    li_and_zhao = StepSpec(role="", user_ids=(7, 9), mode="any")
    route = build_route([Match("a", OVER_200K, (SM, everyone, li)), Match("b", DISCOUNT, (li_and_zhao, li))])
    assert [s.spec for s in route] == [SM, everyone, li, li_and_zhao]
    assert [r.code for r in route[2].reasons] == ["amount", "discount"]


def test_the_same_people_named_in_any_order_are_one_step():
    """Rule steps name people sorted (flow.step_specs), so the key compares sets of people."""
    first = StepSpec(role="", user_ids=tuple(sorted((9, 7))), mode="all")
    second = StepSpec(role="", user_ids=tuple(sorted((7, 9))), mode="all")
    route = build_route([Match("a", OVER_200K, (first,)), Match("b", DISCOUNT, (second,))])
    assert len(route) == 1 and [r.code for r in route[0].reasons] == ["amount", "discount"]


def test_one_rule_naming_a_step_twice_adds_its_reason_once():
    route = build_route([Match("twice", DISCOUNT, (SM, SM))])
    assert shape(route) == [(SM, ["discount"], ["twice"])]


def test_two_rules_with_the_same_reason_list_it_once_but_name_both_rules():
    route = build_route([Match("a", DISCOUNT, (SM,)), Match("b", DISCOUNT, (SM,))])
    assert shape(route) == [(SM, ["discount"], ["a", "b"])]
