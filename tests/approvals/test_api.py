"""The approvals REST API: rules in words (administrators write, everyone reads, a preview against a
real order), the approver's inbox and decisions (403 for the order's own people, 409 for a step already
decided, idempotent retries), an order's route on the order itself, delegations and credit (the
customer's position and finance's overrides), and who may call what."""

import datetime

import pytest

from kaidan.approvals.models import ApprovalRule, CreditOverride, Delegation
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import delegate, make_rule, pending_request, set_credit, submitted
from tests.conftest import TokenClient
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
TODAY = datetime.date.today()
AMOUNT_RULE = {"name": "¥5万–20万", "kind": "amount", "min_amount": "50000", "max_amount": "200000", "position": 10,
               "steps": [{"role": "sales_manager"}]}


def fields_of(response) -> set[str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return set(body["detail"]["fields"])


def delete(client, url):
    return client.client.delete(url, HTTP_AUTHORIZATION=f"Bearer {client.secret}")


@pytest.fixture
def as_api():
    """as_api(user) → a JSON API client with a token of that user."""
    return TokenClient


@pytest.fixture
def waiting(rules, seller, manager, customer, workstation):
    """¥82,000 submitted by the salesperson: it waits for the sales manager."""
    return submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))


# -- rules --------------------------------------------------------------------------------------------------

class TestRules:
    def test_an_administrator_sets_up_a_rule_and_everyone_reads_it_in_words(self, as_api, admin, boss, api_for):
        api = as_api(admin)
        body = {**AMOUNT_RULE, "steps": [{"role": "sales_manager"}, {"user_ids": [boss.pk], "mode": "all"}]}
        created = api.post("/api/approval-rules", body, headers={"Idempotency-Key": "rule-1", **EN})
        assert created.status_code == 201, created.content
        rule = created.json()
        assert {k: rule[k] for k in ("name", "kind", "kind_label", "min_amount", "max_amount", "percent", "days",
                                     "position", "active", "version", "description")} == {
            "name": "¥5万–20万", "kind": "amount", "kind_label": "Order total in a band", "min_amount": "50000.00",
            "max_amount": "200000.00", "percent": None, "days": None, "position": 10, "active": True, "version": 1,
            "description": "Order total from ¥50,000.00 up to ¥200,000.00 (not included)"}
        assert rule["steps"] == [
            {"position": 1, "role": "sales_manager", "users": [], "mode": "any",
             "text": "Sales manager · Any one of them (或签)"},
            {"position": 2, "role": "", "users": [{"id": boss.pk, "name": "陈总"}], "mode": "all",
             "text": "陈总 · All of them (会签)"}]
        replay = api.post("/api/approval-rules", body, headers={"Idempotency-Key": "rule-1", **EN})
        assert replay["Idempotent-Replayed"] == "true" and replay.json() == rule
        assert ApprovalRule.objects.count() == 1

        reader = api_for(Role.WAREHOUSE)
        assert reader.get(f"/api/approval-rules/{rule['id']}", headers=EN).json() == rule
        listed = reader.get("/api/approval-rules", headers=EN).json()
        assert listed["count"] == 1 and listed["items"] == [rule]

    def test_every_kind_reads_in_plain_words(self, as_api, admin):
        make_rule(admin, "大单", "amount", min_amount="200000", steps=[("general_manager", "any")], position=1)
        make_rule(admin, "折扣", "discount", percent="10", steps=[("sales_manager", "any")], position=2)
        make_rule(admin, "毛利", "margin", percent="12.5", steps=[("general_manager", "any")], position=3)
        make_rule(admin, "逾期", "overdue", days=30, steps=[("finance", "any")], position=4)
        make_rule(admin, "新客户", "customer_new", steps=[("sales_manager", "any")], position=5, active=False)
        rules = as_api(admin).get("/api/approval-rules", headers=EN).json()["items"]
        assert [r["description"] for r in rules] == [
            "Order total from ¥200,000.00", "A line discount above 10%", "Order margin below 12.5%",
            "An invoice overdue by more than 30 days", "New customer (no earlier order)"]

        def names(**params):
            return [r["name"] for r in as_api(admin).get("/api/approval-rules", params).json()["items"]]

        assert names(active="false") == ["新客户"]
        assert names(kind="discount") == ["折扣"]
        assert names(active="true", kind="customer_new") == []

    def test_a_bad_rule_names_the_field_and_writes_nothing(self, as_api, admin, boss):
        api = as_api(admin)

        def refused(**changes):
            return fields_of(api.post("/api/approval-rules", {**AMOUNT_RULE, **changes}))

        assert refused(name="") == {"name"}
        assert refused(kind="weather") == {"kind"}
        assert refused(min_amount=None) == {"min_amount"}
        assert refused(min_amount="abc") == {"min_amount"}
        assert refused(max_amount="50000") == {"max_amount"}  # not above "from"
        assert refused(kind="discount", percent="120") == {"percent"}
        assert refused(kind="overdue", days=-1) == {"days"}
        assert refused(steps=[]) == {"steps"}
        assert refused(steps=[{"role": "sales_manager"}] * 11) == {"steps"}
        assert refused(steps=[{"role": "boss"}]) == {"steps.0.role"}
        assert refused(steps=[{"role": "finance"}, {"role": "finance", "user_ids": [boss.pk]}]) == {"steps.1"}
        assert refused(steps=[{"mode": "any"}]) == {"steps.0"}
        assert refused(steps=[{"user_ids": [999999]}]) == {"steps.0.user_ids"}
        assert refused(steps=[{"role": "finance", "mode": "most"}]) == {"steps.0.mode"}
        assert refused(colour="red") == {"colour"}
        assert fields_of(api.post("/api/approval-rules", {"name": "x", "kind": "credit"})) == {"steps"}
        assert not ApprovalRule.objects.exists() and not AuditEvent.objects.filter(
            object_type="approvals.approvalrule").exists()

    def test_edit_at_the_version_read_then_delete(self, as_api, admin):
        api = as_api(admin)
        rule = make_rule(admin, "折扣", "discount", percent="10", steps=[("sales_manager", "any")])
        url = f"/api/approval-rules/{rule.pk}"
        edited = api.put(url, {"version": 1, "name": "折扣超过15%", "kind": "discount", "percent": "15",
                               "active": False, "steps": [{"role": "general_manager"}]})
        assert edited.status_code == 200, edited.content
        body = edited.json()
        assert (body["name"], body["percent"], body["active"], body["version"]) == ("折扣超过15%", "15.00", False, 2)
        assert [s["role"] for s in body["steps"]] == ["general_manager"]
        stale = api.put(url, {"version": 1, "name": "x", "kind": "credit", "steps": [{"role": "finance"}]})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        assert fields_of(api.put(url, {"version": 2, "name": "x", "kind": "margin",
                                       "steps": [{"role": "finance"}]})) == {"percent"}
        assert fields_of(api.put(url, {"name": "x", "kind": "credit", "steps": [{"role": "finance"}]})) == {"version"}
        assert ApprovalRule.objects.get().percent == 15

        assert delete(api, f"{url}?version=1").status_code == 409
        assert delete(api, url).status_code == 204
        assert api.get(url).status_code == 404
        assert api.put(url, {"version": 2, "name": "x", "kind": "credit", "steps": [{"role": "finance"}]}
                       ).status_code == 404
        assert delete(api, url).status_code == 404

    def test_only_administrators_write_rules_and_everyone_reads_them(self, api_for, admin, waiting):
        rule = make_rule(admin, "折扣", "discount", percent="10", steps=[("sales_manager", "any")])
        url = f"/api/approval-rules/{rule.pk}"
        for role in (Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.WAREHOUSE, Role.FINANCE,
                     Role.AFTERSALES):
            client = api_for(role)
            assert client.get(url).status_code == 200 and client.get("/api/approval-rules").status_code == 200
            for response in (client.post("/api/approval-rules", AMOUNT_RULE),
                             client.put(url, {"version": 1, **AMOUNT_RULE}), delete(client, url),
                             client.post("/api/approval-rules/preview", {**AMOUNT_RULE, "order_id": waiting.pk})):
                assert response.status_code == 403 and response.json()["code"] == "forbidden", role
        rule.refresh_from_db()
        assert (rule.name, rule.version, ApprovalRule.objects.count()) == ("折扣", 1, 5)  # with the example rules


class TestPreview:
    def test_a_rule_tried_on_an_order_says_whether_it_holds_and_why(self, as_api, admin, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 10)])  # ¥56,500, a draft
        api = as_api(admin)
        body = {"name": "试算", "kind": "amount", "min_amount": "50000", "order_id": order.pk,
                "steps": [{"role": "sales_manager"}, {"role": "general_manager"}]}
        matching = api.post("/api/approval-rules/preview", body, headers=EN)
        assert matching.status_code == 200, matching.content
        answer = matching.json()
        assert {k: answer[k] for k in ("order_id", "order_number", "matches", "reason", "steps")} == {
            "order_id": order.pk, "order_number": order.number, "matches": True,
            "reason": "Order total ¥56,500.00 is ¥50,000.00 or more", "steps": ["Sales manager", "General manager"]}
        assert answer["facts"]["gross"] == "56500.00" and answer["facts"]["margin"] is not None

        missing = api.post("/api/approval-rules/preview", {**body, "min_amount": "60000"}, headers=EN).json()
        assert (missing["matches"], missing["reason"]) == (False, None)
        assert not ApprovalRule.objects.exists()  # nothing saved

    def test_a_bad_rule_or_an_unknown_order_is_refused(self, as_api, admin, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 1)])
        api = as_api(admin)
        body = {"name": "试算", "kind": "discount", "percent": "10", "order_id": order.pk,
                "steps": [{"role": "sales_manager"}]}
        assert fields_of(api.post("/api/approval-rules/preview", {**body, "percent": None})) == {"percent"}
        assert fields_of(api.post("/api/approval-rules/preview", {**body, "order_id": "abc"})) == {"order_id"}
        unknown = api.post("/api/approval-rules/preview", {**body, "order_id": 999999})
        assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


# -- the inbox and decisions ------------------------------------------------------------------------------

class TestInboxAndDecisions:
    def test_the_manager_sees_what_waits_in_words_and_approves_it(self, as_api, seller, manager, customer,
                                                                    waiting):
        api = as_api(manager)
        inbox = api.get("/api/approvals", headers=EN).json()
        assert inbox["count"] == 1
        item = inbox["items"][0]
        request = pending_request(waiting)
        assert {k: item[k] for k in ("request_id", "order_id", "order_number", "customer_id", "customer_name",
                                     "currency", "gross_amount", "submitted_by", "step", "steps", "reasons",
                                     "exposure", "credit_limit", "for_people")} == {
            "request_id": request.pk, "order_id": waiting.pk, "order_number": waiting.number,
            "customer_id": customer.pk, "customer_name": "深圳恒达电子有限公司", "currency": "CNY",
            "gross_amount": "82000.00", "submitted_by": "王伟", "step": 1, "steps": 1,
            "reasons": ["Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00"],
            "exposure": "82000.00", "credit_limit": "0.00",
            "for_people": [{"user_id": manager.pk, "name": "李娜", "is_self": True}]}
        assert item["age_seconds"] >= 0 and item["margin"] is not None  # a sales manager sees margins
        assert as_api(seller).get("/api/approvals").json()["count"] == 0  # his own order is not his to decide

        approved = api.post(f"/api/approvals/{request.pk}/approve", {"comment": "客户信誉良好"}, headers=EN)
        assert approved.status_code == 200, approved.content
        route = approved.json()
        assert (route["id"], route["order_id"], route["status"], route["status_label"], route["comment"]) == (
            request.pk, waiting.pk, "approved", "Approved", "客户信誉良好")
        assert route["can_decide"] == []
        [step] = route["steps"]
        assert (step["who"], step["status"], step["reasons"], step["rules"]) == (
            "Sales manager", "approved", ["Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00"],
            ["¥5万–20万"])
        assert [(a["name"], a["decision"], a["acted_by"], a["on_behalf"], a["comment"]) for a in step["approvers"]
                ] == [("李娜", "approved", "李娜", False, "客户信誉良好")]
        assert SalesOrder.objects.get(pk=waiting.pk).status == Status.CONFIRMED
        assert api.get("/api/approvals").json()["count"] == 0

        again = api.post(f"/api/approvals/{request.pk}/approve", {})
        assert again.status_code == 409 and again.json()["code"] == "already_decided"

    def test_the_inbox_reads_in_a_fixed_number_of_queries(self, as_api, rules, seller, manager, customer,
                                                          workstation, django_assert_max_num_queries):
        for _ in range(3):
            submitted(seller, make_order(seller, customer, lines=[(workstation, 7)]))  # ¥57,400 each
        api = as_api(manager)
        with django_assert_max_num_queries(8):  # token, user, delegations, steps, approvers, route lengths...
            assert api.get("/api/approvals").json()["count"] == 3

    def test_a_retried_approval_answers_the_first_response_and_approves_once(self, as_api, manager, waiting):
        api, request = as_api(manager), pending_request(waiting)
        key = {"Idempotency-Key": "approve-1"}
        first = api.post(f"/api/approvals/{request.pk}/approve", {}, headers=key)
        again = api.post(f"/api/approvals/{request.pk}/approve", {}, headers=key)
        assert first.status_code == again.status_code == 200
        assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
        assert AuditEvent.objects.filter(action="approval_given").count() == 1

    def test_the_route_of_two_steps_goes_from_manager_to_general_manager(self, as_api, rules, seller, manager, boss,
                                                                         customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))  # ¥226,000
        request = pending_request(order)
        early = as_api(boss).post(f"/api/approvals/{request.pk}/approve", {})
        assert early.status_code == 403 and early.json()["code"] == "forbidden"
        assert as_api(boss).get("/api/approvals").json()["count"] == 0

        route = as_api(manager).post(f"/api/approvals/{request.pk}/approve", {}).json()
        assert [(s["role"], s["status"]) for s in route["steps"]] == [("sales_manager", "approved"),
                                                                      ("general_manager", "pending")]
        [item] = as_api(boss).get("/api/approvals").json()["items"]
        assert (item["step"], item["steps"]) == (2, 2)
        seen = as_api(boss).get(f"/api/approvals/{request.pk}").json()
        assert seen["can_decide"] == [{"user_id": boss.pk, "name": "陈总", "is_self": True}]
        assert as_api(boss).post(f"/api/approvals/{request.pk}/approve", {}).json()["status"] == "approved"
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

    def test_nobody_approves_his_own_order(self, as_api, rules, seller, manager, manager2, customer, workstation):
        order = submitted(manager, make_order(manager, customer, lines=[(workstation, 10)]))
        request = pending_request(order)
        own = as_api(manager).post(f"/api/approvals/{request.pk}/approve", {})
        assert own.status_code == 403 and own.json()["code"] == "forbidden"
        assert as_api(manager).get(f"/api/approvals/{request.pk}").json()["can_decide"] == []
        assert as_api(manager2).post(f"/api/approvals/{request.pk}/approve", {}).status_code == 200

    def test_a_rejection_needs_a_comment_and_returns_the_order_to_draft(self, as_api, manager, waiting):
        api, request = as_api(manager), pending_request(waiting)
        url = f"/api/approvals/{request.pk}/reject"
        assert fields_of(api.post(url, {})) == {"comment"}
        assert fields_of(api.post(url, {"comment": "   "})) == {"comment"}
        assert fields_of(api.post(url, {"comment": "x" * 501})) == {"comment"}
        assert fields_of(api.post(url, {"comment": "价格太低", "colour": "red"})) == {"colour"}
        assert SalesOrder.objects.get(pk=waiting.pk).status == Status.PENDING_APPROVAL

        rejected = api.post(url, {"comment": "折扣太大，请重新报价"})
        assert rejected.status_code == 200, rejected.content
        assert (rejected.json()["status"], rejected.json()["comment"]) == ("rejected", "折扣太大，请重新报价")
        assert SalesOrder.objects.get(pk=waiting.pk).status == Status.DRAFT
        assert api.post(url, {"comment": "再次"}).status_code == 409

    def test_a_stand_in_decides_for_the_approver_away(self, as_api, manager, finance, boss, waiting):
        delegate(manager, to=finance)
        request = pending_request(waiting)
        [item] = as_api(finance).get("/api/approvals").json()["items"]
        assert item["for_people"] == [{"user_id": manager.pk, "name": "李娜", "is_self": False}]
        api = as_api(finance)
        assert fields_of(api.post(f"/api/approvals/{request.pk}/approve", {"on_behalf_of": boss.pk})) == {
            "on_behalf_of"}
        route = api.post(f"/api/approvals/{request.pk}/approve", {"on_behalf_of": manager.pk}).json()
        assert [(a["name"], a["acted_by"], a["on_behalf"]) for a in route["steps"][0]["approvers"]] == [
            ("李娜", "刘敏", True)]

    def test_a_request_is_seen_by_its_approvers_and_by_whoever_sees_the_order(self, as_api, api_for, admin, seller,
                                                                             customer, laptop):
        outsider = api_for(Role.SALES)  # another salesperson: not his customer
        make_rule(admin, "新客户", "customer_new", steps=[([outsider.user], "any")])
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 1)]))
        request = pending_request(order)
        url = f"/api/approvals/{request.pk}"
        assert outsider.get(url).json()["can_decide"] == [
            {"user_id": outsider.user.pk, "name": outsider.user.username, "is_self": True}]
        assert as_api(seller).get(url).status_code == 200  # his order
        assert api_for(Role.WAREHOUSE).get(url).json()["can_decide"] == []  # sees every order, decides nothing

        stranger = api_for(Role.SALES)
        for response in (stranger.get(url), stranger.post(f"{url}/approve", {}),
                         stranger.post(f"{url}/reject", {"comment": "不行"})):
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert outsider.get("/api/approvals/999999").status_code == 404
        assert fields_of(outsider.get("/api/approvals/abc")) == {"approval_id"}
        assert outsider.post(f"{url}/approve", {}).json()["status"] == "approved"


# -- the order's route ----------------------------------------------------------------------------------

class TestOrderRoute:
    def test_the_order_shows_its_route_with_the_reasons_in_words(self, as_api, seller, manager, waiting):
        detail = as_api(seller).get(f"/api/orders/{waiting.pk}", headers=EN).json()
        approval = detail["approval"]
        assert (approval["status"], approval["status_label"], approval["submitted_by"], approval["order_number"]) == (
            "pending", "Waiting for approval", "王伟", waiting.number)
        assert approval["reasons"] == ["Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00"]
        assert [(s["who"], s["mode_label"], s["status_label"], [a["name"] for a in s["approvers"]])
                for s in approval["steps"]] == [("Sales manager", "Any one of them (或签)", "Its turn", ["李娜"])]
        assert approval["facts"]["gross"] == "82000.00"
        assert approval["facts"]["margin"] is None  # a salesperson does not see margins
        assert approval["can_decide"] == []
        assert as_api(seller).get(f"/api/orders/{waiting.pk}/approval", headers=EN).json() == approval

        as_manager = as_api(manager).get(f"/api/orders/{waiting.pk}/approval").json()
        assert as_manager["facts"]["margin"] is not None and as_manager["can_decide"][0]["user_id"] == manager.pk

    def test_an_order_that_never_needed_approval_has_none(self, as_api, api_for, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 1)])
        assert as_api(seller).get(f"/api/orders/{order.pk}").json()["approval"] is None
        answer = as_api(seller).get(f"/api/orders/{order.pk}/approval")
        assert answer.status_code == 200 and answer.json() is None
        assert api_for(Role.SALES).get(f"/api/orders/{order.pk}/approval").status_code == 404  # not his customer

    def test_submitting_over_a_blocked_credit_limit_is_a_conflict(self, as_api, seller, finance, customer, laptop):
        set_credit(finance, customer, "10000", control="block")
        order = make_order(seller, customer, lines=[(laptop, 2)])  # ¥11,300
        response = as_api(seller).post(f"/api/orders/{order.pk}/submit", {"version": order.version})
        assert response.status_code == 409 and response.json()["code"] == "credit_limit_exceeded"
        assert SalesOrder.objects.get(pk=order.pk).status == Status.DRAFT


# -- delegations -----------------------------------------------------------------------------------------

class TestDelegations:
    def test_name_a_stand_in_list_both_ways_and_cancel(self, as_api, manager, finance, boss):
        api = as_api(manager)
        body = {"delegate_id": finance.pk, "starts_on": TODAY.isoformat(),
                "ends_on": (TODAY + datetime.timedelta(days=5)).isoformat(), "note": "出差"}
        created = api.post("/api/delegations", body, headers={"Idempotency-Key": "away-1"})
        assert created.status_code == 201, created.content
        given = created.json()
        assert {k: given[k] for k in ("delegator_id", "delegator", "delegate_id", "delegate", "note", "state",
                                      "cancelled_at")} == {
            "delegator_id": manager.pk, "delegator": "李娜", "delegate_id": finance.pk, "delegate": "刘敏",
            "note": "出差", "state": "active", "cancelled_at": None}
        assert api.post("/api/delegations", body, headers={"Idempotency-Key": "away-1"}).json() == given
        later = delegate(boss, to=manager, starts_in=3)

        listed = api.get("/api/delegations").json()
        assert [(d["id"], d["state"]) for d in listed["items"]] == [(later.pk, "scheduled"), (given["id"], "active")]
        assert [d["id"] for d in api.get("/api/delegations", {"direction": "given"}).json()["items"]] == [given["id"]]
        assert [d["id"] for d in api.get("/api/delegations", {"direction": "received"}).json()["items"]] == [later.pk]
        assert as_api(finance).get("/api/delegations").json()["items"][0]["id"] == given["id"]

        cancelled = api.post(f"/api/delegations/{given['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert api.post(f"/api/delegations/{given['id']}/cancel").json() == cancelled.json()  # no change
        assert as_api(finance).post(f"/api/delegations/{given['id']}/cancel").status_code == 404  # not his
        assert api.post(f"/api/delegations/{later.pk}/cancel").status_code == 404  # received, not given
        assert Delegation.objects.get(pk=later.pk).cancelled_at is None

    def test_a_bad_delegation_names_the_field_and_writes_nothing(self, as_api, manager, finance):
        api = as_api(manager)
        body = {"delegate_id": finance.pk, "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()}
        assert fields_of(api.post("/api/delegations", {**body, "delegate_id": manager.pk})) == {"delegate_id"}
        assert fields_of(api.post("/api/delegations", {**body, "delegate_id": 999999})) == {"delegate_id"}
        yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
        assert fields_of(api.post("/api/delegations", {**body, "ends_on": yesterday})) == {"ends_on"}
        assert fields_of(api.post("/api/delegations", {**body, "starts_on": yesterday})) == {"starts_on"}
        assert fields_of(api.post("/api/delegations", {**body, "starts_on": "2026-13-01"})) == {"starts_on"}
        assert fields_of(api.post("/api/delegations", {**body, "ends_on": "2099-01-01"})) == {"ends_on"}
        assert fields_of(api.post("/api/delegations", {**body, "note": "x" * 201})) == {"note"}
        assert fields_of(api.post("/api/delegations", {**body, "until": "ever"})) == {"until"}
        assert not Delegation.objects.exists()


# -- credit ----------------------------------------------------------------------------------------------

class TestCredit:
    def test_where_a_customer_stands(self, as_api, api_for, seller, finance, customer, laptop):
        set_credit(finance, customer, "100000")
        submitted(seller, make_order(seller, customer, lines=[(laptop, 8)]))  # ¥45,200 confirmed
        credit = as_api(seller).get(f"/api/customers/{customer.pk}/credit", headers=EN)
        assert credit.status_code == 200, credit.content
        assert credit.json() == {
            "customer_id": customer.pk, "credit_control": "warn", "credit_control_label": credit.json()[
                "credit_control_label"], "credit_limit": "100000.00", "extra_from_overrides": "0.00",
            "unlimited_override": False, "effective_limit": "100000.00", "unpaid_invoices": "0.00",
            "open_orders": "45200.00", "exposure": "45200.00", "available": "54800.00", "overdue_days": 0,
            "active_overrides": []}
        assert api_for(Role.SALES).get(f"/api/customers/{customer.pk}/credit").status_code == 404
        assert api_for(Role.WAREHOUSE).get(f"/api/customers/{customer.pk}/credit").status_code == 200

    def test_finance_grants_and_revokes_an_override(self, as_api, seller, finance, customer):
        set_credit(finance, customer, "100000")
        api = as_api(finance)
        url = f"/api/customers/{customer.pk}/credit-overrides"
        body = {"amount": "50000", "expires_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
                "reason": "年底大单，已签回款承诺"}
        granted = api.post(url, body, headers={"Idempotency-Key": "override-1"})
        assert granted.status_code == 201, granted.content
        override = granted.json()
        assert {k: override[k] for k in ("customer_id", "amount", "expires_on", "reason", "granted_by",
                                         "revoked_at", "active")} == {
            "customer_id": customer.pk, "amount": "50000.00", "expires_on": body["expires_on"],
            "reason": "年底大单，已签回款承诺", "granted_by": "刘敏", "revoked_at": None, "active": True}
        assert api.post(url, body, headers={"Idempotency-Key": "override-1"}).json() == override
        assert CreditOverride.objects.count() == 1

        credit = as_api(seller).get(f"/api/customers/{customer.pk}/credit").json()
        assert (credit["extra_from_overrides"], credit["effective_limit"]) == ("50000.00", "150000.00")
        assert [o["id"] for o in credit["active_overrides"]] == [override["id"]]
        assert [o["id"] for o in as_api(seller).get(url).json()["items"]] == [override["id"]]

        revoked = api.post(f"/api/credit-overrides/{override['id']}/revoke")
        assert revoked.status_code == 200 and revoked.json()["active"] is False and revoked.json()["revoked_at"]
        assert api.post(f"/api/credit-overrides/{override['id']}/revoke").json() == revoked.json()
        assert as_api(seller).get(f"/api/customers/{customer.pk}/credit").json()["effective_limit"] == "100000.00"
        assert as_api(seller).get(url).json()["items"][0]["active"] is False
        assert api.post("/api/credit-overrides/999999/revoke").status_code == 404

    def test_an_override_without_amount_lifts_the_limit(self, as_api, finance, customer):
        set_credit(finance, customer, "100000")
        as_api(finance).post(f"/api/customers/{customer.pk}/credit-overrides",
                             {"expires_on": TODAY.isoformat(), "reason": "总经理特批"})
        credit = as_api(finance).get(f"/api/customers/{customer.pk}/credit").json()
        assert (credit["unlimited_override"], credit["active_overrides"][0]["amount"]) == (True, None)
        assert credit["available"] is None

    def test_a_bad_override_names_the_field_and_writes_nothing(self, as_api, finance, customer):
        api = as_api(finance)
        url = f"/api/customers/{customer.pk}/credit-overrides"
        body = {"amount": "1000", "expires_on": TODAY.isoformat(), "reason": "特批"}
        yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
        assert fields_of(api.post(url, {**body, "expires_on": yesterday})) == {"expires_on"}
        assert fields_of(api.post(url, {**body, "expires_on": "2099-01-01"})) == {"expires_on"}
        assert fields_of(api.post(url, {**body, "amount": "0"})) == {"amount"}
        assert fields_of(api.post(url, {**body, "amount": "-5"})) == {"amount"}
        assert fields_of(api.post(url, {**body, "amount": "1.234"})) == {"amount"}
        assert fields_of(api.post(url, {**body, "reason": "  "})) == {"reason"}
        assert fields_of(api.post(url, {"amount": "1000", "expires_on": TODAY.isoformat()})) == {"reason"}
        assert not CreditOverride.objects.exists()
        assert api.post("/api/customers/999999/credit-overrides", body).status_code == 404

    def test_only_finance_and_administrators_grant_overrides(self, api_for, finance, customer):
        override = CreditOverride.objects.create(customer=customer, amount=1000, expires_on=TODAY, reason="特批",
                                                 granted_by=finance)
        body = {"expires_on": TODAY.isoformat(), "reason": "特批"}
        for role in (Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.WAREHOUSE, Role.AFTERSALES):
            client = api_for(role)
            assert client.post(f"/api/customers/{customer.pk}/credit-overrides", body).status_code == 403, role
            assert client.post(f"/api/credit-overrides/{override.pk}/revoke").status_code == 403, role
        assert CreditOverride.objects.get().revoked_at is None and CreditOverride.objects.count() == 1
        assert api_for(Role.ADMIN).post(f"/api/credit-overrides/{override.pk}/revoke").status_code == 200

    def test_the_customer_api_carries_credit_control(self, as_api, seller, finance, customer):
        assert as_api(seller).get(f"/api/customers/{customer.pk}").json()["credit_control"] == "warn"
        refused = as_api(seller).put(f"/api/customers/{customer.pk}", {
            "version": customer.version, "code": customer.code, "name": customer.name, "credit_control": "block"})
        assert fields_of(refused) == {"credit_control"}
        changed = as_api(finance).put(f"/api/customers/{customer.pk}", {
            "version": customer.version, "code": customer.code, "name": customer.name, "credit_control": "block"})
        assert changed.status_code == 200 and changed.json()["credit_control"] == "block"
        assert fields_of(as_api(seller).post("/api/customers", {"name": "新客户", "credit_control": "stop"})) == {
            "credit_control"}
        created = as_api(seller).post("/api/customers", {"name": "新客户"})
        assert created.status_code == 201 and created.json()["credit_control"] == "warn"
