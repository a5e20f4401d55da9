"""The approval pages: the inbox where an approver approves or rejects (with htmx or without), the
route on the order page, the rule editor with its preview, delegations, credit on the customer page
and the notifications bell. The decisions are the flow's; these tests check that every answer of it
reaches the page — a field to fix beside the field (422), a refusal or a step decided meanwhile as a
message (403, 409) — and that nothing changes when it should not."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kaidan.approvals.models import ApprovalRequest, ApprovalRule, CreditOverride, Delegation, RuleStep
from kaidan.approvals.states import Decision, RequestStatus
from kaidan.core.display import display_name
from kaidan.core.models import Notification
from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import delegate, example_rules, pending_request, set_credit, submitted
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def browser(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


def field_errors(response, name, form="form") -> list[str]:
    return [str(e) for e in response.context[form].errors.get(name, [])]


def waiting_order(seller, customer, laptop, quantity=10):
    """10 laptops, ¥56,500: the ¥50,000–200,000 rule sends it to the sales manager."""
    return submitted(seller, make_order(seller, customer, lines=[(laptop, quantity)]))


@pytest.fixture
def rules(admin):
    return example_rules(admin)


@pytest.fixture
def waiting(rules, seller, customer, laptop, manager):
    order = waiting_order(seller, customer, laptop)
    assert order.status == Status.PENDING_APPROVAL
    return order


# -- pages and who may see them ----------------------------------------------------------------------

class TestPages:
    @pytest.mark.parametrize("role", list(Role))
    def test_every_role_sees_its_inbox_history_delegations_rules_and_notifications(self, role, make_user, rules):
        client = browser(make_user(role))
        for url in ("/approvals/", "/approvals/history/", "/approvals/delegations/", "/approvals/rules/",
                    "/notifications/"):
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert '<a href="/approvals/">Approvals' in page(response)  # the menu entry
        rule_pages = ["/approvals/rules/new/", f"/approvals/rules/{rules[0].pk}/edit/"]
        for url in rule_pages:
            assert client.get(url).status_code == (200 if role == Role.ADMIN else 403), (role, url)
        assert "¥5万–20万" in page(client.get("/approvals/rules/"))

    def test_the_menu_counts_what_waits_for_me_and_the_settings_name_the_rules(self, waiting, manager, seller):
        response = browser(manager).get("/orders/")
        entry = page(response).split('<a href="/approvals/">')[1].split("</a>")[0]
        assert entry.startswith("Approvals") and '<span class="nav-count" title="Waiting for you">1</span>' in entry
        assert 'href="/approvals/rules/">Approval rules</a>' in page(response)
        assert 'class="nav-count"' not in page(browser(seller).get("/orders/")).split("</nav>")[0]

    def test_the_menu_counts_in_one_query(self, waiting, manager, django_assert_num_queries):
        from kaidan.approvals.selectors import inbox, inbox_count

        with django_assert_num_queries(1):
            count = inbox_count(manager)
        assert count == len(inbox(manager)) == 1


# -- the inbox -----------------------------------------------------------------------------------------

class TestInbox:
    def test_the_manager_sees_what_waits_and_why(self, waiting, manager, customer):
        response = browser(manager).get("/approvals/")
        text = page(response)
        assert waiting.number in text and customer.name in text and "¥56,500.00" in text
        assert "Order total ¥56,500.00 is between ¥50,000.00 and ¥200,000.00" in text
        assert "Step 1 of 1" in text and "waiting 0\xa0minutes" in text
        assert "Exposure" in text and "Margin" in text  # a manager may see margins
        [row] = response.context["rows"]
        assert row["item"].order.pk == waiting.pk

    def test_the_salesperson_who_submitted_has_nothing_to_decide(self, waiting, seller):
        response = browser(seller).get("/approvals/")
        assert response.context["rows"] == [] and "Nothing waits for your approval." in page(response)

    def test_approving_from_the_inbox_confirms_the_order(self, waiting, manager):
        client = browser(manager)
        approval = pending_request(waiting)
        response = client.post(f"/approvals/{approval.pk}/approve/", {"comment": "同意"})
        assert response.status_code == 302 and response["Location"] == "/approvals/"
        waiting.refresh_from_db()
        assert waiting.status == Status.CONFIRMED
        text = page(client.get("/approvals/"))
        assert f"{waiting.number} approved; the order is confirmed." in text
        assert "Nothing waits for your approval." in text

    def test_approving_with_htmx_answers_with_the_inbox_only(self, waiting, manager):
        approval = pending_request(waiting)
        response = browser(manager).post(f"/approvals/{approval.pk}/approve/", {"comment": ""}, **HTMX)
        assert response.status_code == 200 and "<html" not in page(response)
        assert 'id="inbox"' in page(response) and "the order is confirmed" in page(response)
        assert '<span id="nav-count-approval_inbox" hx-swap-oob="true"></span>' in page(response)  # menu: none left
        approval.refresh_from_db()
        assert approval.status == RequestStatus.APPROVED

    def test_rejecting_without_a_comment_shows_the_field_error_and_changes_nothing(self, waiting, manager):
        approval = pending_request(waiting)
        response = browser(manager).post(f"/approvals/{approval.pk}/reject/", {"comment": "  "}, **HTMX)
        assert response.status_code == 422
        [row] = response.context["rows"]
        assert row["form"].errors["comment"] == ["Say why, so the salesperson knows what to change."]
        assert "Say why, so the salesperson knows what to change." in page(response)
        approval.refresh_from_db()
        waiting.refresh_from_db()
        assert approval.status == RequestStatus.PENDING and waiting.status == Status.PENDING_APPROVAL
        assert not approval.steps.get().approvers.exclude(decision=Decision.OPEN).exists()

    def test_rejecting_with_a_comment_returns_the_order_to_its_salesperson(self, waiting, manager, seller):
        approval = pending_request(waiting)
        response = browser(manager).post(f"/approvals/{approval.pk}/reject/", {"comment": "折扣太低，请重新报价"})
        assert response.status_code == 302
        waiting.refresh_from_db()
        assert waiting.status == Status.DRAFT
        # the salesperson's order page says so, with the comment first
        text = page(browser(seller).get(f"/orders/{waiting.pk}/"))
        rejection = text.split('class="errors rejection"')[1].split("</div>")[0]
        assert "Rejected by" in rejection and "折扣太低，请重新报价" in rejection

    def test_a_step_decided_meanwhile_is_a_message_not_an_error_page(self, waiting, manager, make_user):
        other = make_user(Role.SALES_MANAGER)  # joined after the submission: not on this route
        approval = pending_request(waiting)
        second = make_user(Role.SALES_MANAGER)
        from kaidan.approvals.models import StepApprover

        StepApprover.objects.create(step=approval.steps.get(), user=second)  # a second one-of approver
        browser(manager).post(f"/approvals/{approval.pk}/approve/", {"comment": ""})
        response = browser(second).post(f"/approvals/{approval.pk}/approve/", {"comment": ""}, **HTMX)
        assert response.status_code == 409
        assert "already decided" in page(response)
        assert browser(other).post(f"/approvals/{approval.pk}/approve/", {}).status_code == 404

    def test_a_stand_in_sees_for_whom_and_approves_in_their_name(self, waiting, manager, boss):
        delegate(manager, to=boss)
        client = browser(boss)
        response = client.get("/approvals/")
        [row] = response.context["rows"]
        assert "for " + display_name(manager) in page(response)
        assert row["form"]["on_behalf_of"].value() == str(manager.pk)
        approval = pending_request(waiting)
        response = client.post(f"/approvals/{approval.pk}/approve/", {"comment": "代批", "on_behalf_of": manager.pk})
        assert response.status_code == 302
        row = approval.steps.get().approvers.get(user=manager)
        assert (row.decision, row.acted_by, row.comment) == (Decision.APPROVED, boss, "代批")
        assert "for " + display_name(manager) in page(client.get("/approvals/history/"))

    def test_history_lists_what_i_decided(self, waiting, manager):
        approval = pending_request(waiting)
        client = browser(manager)
        client.post(f"/approvals/{approval.pk}/approve/", {"comment": "可以"})
        response = client.get("/approvals/history/")
        [row] = response.context["rows"]
        assert row["r"].pk == approval.pk and [a.comment for a in row["mine"]] == ["可以"]
        assert waiting.number in page(response) and "Approved" in page(response)


# -- the order page ------------------------------------------------------------------------------------

class TestOrderPage:
    def test_the_salesperson_sees_it_waiting_and_why_but_no_buttons(self, waiting, seller):
        response = browser(seller).get(f"/orders/{waiting.pk}/")
        text = page(response)
        route = text.split('id="approval-route"')[1].split("</section>")[0]
        assert "Waiting for approval" in route and "step 1 of 1: Sales manager" in route
        assert "Order total ¥56,500.00 is between ¥50,000.00 and ¥200,000.00" in route
        assert response.context["approval_form"] is None and "Approve</button>" not in text
        assert f'action="/orders/{waiting.pk}/confirm/"' not in text  # its approvers confirm it

    def test_the_manager_approves_on_the_order_page(self, waiting, manager):
        client = browser(manager)
        approval = pending_request(waiting)
        text = page(client.get(f"/orders/{waiting.pk}/"))
        assert f'action="/approvals/{approval.pk}/approve/"' in text and "Your decision" in text
        response = client.post(f"/approvals/{approval.pk}/approve/", {"comment": "价格合理", "next": "order"})
        assert response.status_code == 302 and response["Location"] == f"/orders/{waiting.pk}/"
        text = page(client.get(f"/orders/{waiting.pk}/"))
        route = text.split('id="approval-route"')[1].split("</section>")[0]
        assert "approved; the order is confirmed" in text and "价格合理" in route and display_name(manager) in route
        assert SalesOrder.objects.get(pk=waiting.pk).status == Status.CONFIRMED

    def test_rejecting_on_the_order_page_without_a_comment_shows_the_error_there(self, waiting, manager):
        approval = pending_request(waiting)
        response = browser(manager).post(f"/approvals/{approval.pk}/reject/", {"comment": "", "next": "order"})
        assert response.status_code == 422
        assert response.context["approval_form"].errors["comment"]
        assert "Say why, so the salesperson knows what to change." in page(response)
        assert response.context["order"].pk == waiting.pk
        assert pending_request(waiting) is not None

    def test_approving_ones_own_order_as_a_stand_in_is_refused_with_a_message(self, rules, seller, manager,
                                                                               customer, laptop):
        delegate(manager, to=seller)  # the salesperson stands in for the manager...
        order = waiting_order(seller, customer, laptop)  # ...and submits an order of their own
        approval = pending_request(order)
        client = browser(seller)
        assert client.get(f"/orders/{order.pk}/").context["approval_form"] is None
        response = client.post(f"/approvals/{approval.pk}/approve/", {"comment": "", "next": "order"})
        assert response.status_code == 403
        assert "You created, edited or submitted this order; someone else must approve it." in page(response)
        assert pending_request(order) is not None and order.status == Status.PENDING_APPROVAL


# -- rules -----------------------------------------------------------------------------------------------

def rule_post(*steps, **fields) -> dict:
    """The rule editor's POST: the fields and the step rows (role, user ids, mode)."""
    data = {"name": "", "kind": "", "min_amount": "", "max_amount": "", "percent": "", "days": "",
            "position": "", "active": "on", **fields,
            "steps-TOTAL_FORMS": str(max(len(steps), 3)), "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "10"}
    for index, (role, users, mode) in enumerate(steps):
        data.update({f"steps-{index}-role": role, f"steps-{index}-users": [u.pk for u in users],
                     f"steps-{index}-mode": mode})
    return data


class TestRules:
    def test_the_list_says_each_condition_and_route_in_words(self, rules, seller):
        text = page(browser(seller).get("/approvals/rules/"))
        assert "Order total from ¥50,000.00 up to ¥200,000.00 (not included)" in text
        assert "Order total from ¥200,000.00" in text and "A line discount above 10%" in text
        assert "Sales manager · Any one of them (或签)" in text and "General manager" in text
        assert "New approval rule" not in text

    def test_an_administrator_creates_a_rule_with_two_steps(self, admin, boss):
        response = browser(admin).post("/approvals/rules/new/", rule_post(
            ("sales_manager", [], "any"), ("", [boss], "all"),
            name="大额订单", kind="amount", min_amount="100000", position="5"))
        assert response.status_code == 302 and response["Location"] == "/approvals/rules/"
        rule = ApprovalRule.objects.get()
        assert (rule.name, rule.kind, rule.min_amount, rule.max_amount) == ("大额订单", "amount", 100000, None)
        assert [(s.role, [u.pk for u in s.users.all()], s.mode) for s in rule.steps.all()] == [
            ("sales_manager", [], "any"), ("", [boss.pk], "all")]

    def test_bad_input_shows_every_error_beside_its_field_and_saves_nothing(self, admin, boss):
        client = browser(admin)
        response = client.post("/approvals/rules/new/", rule_post(name="", kind="discount", percent="120"))
        assert response.status_code == 422
        assert field_errors(response, "name") == ["This field is required."]
        assert field_errors(response, "percent") == ["Enter a number of at most 100."]
        assert response.context["route_errors"] == ["Add at least one step."]
        response = client.post("/approvals/rules/new/", rule_post(
            ("", [], "any"), ("sales_manager", [boss], "any"), name="两者都填", kind="customer_new"))
        assert response.status_code == 422
        row = response.context["steps"].forms[1]
        assert row.non_field_errors() == ["Name either a role or people, not both and not neither."]
        assert not ApprovalRule.objects.exists() and not RuleStep.objects.exists()

    def test_editing_keeps_the_route_and_a_stale_edit_is_refused(self, admin, rules):
        rule = rules[0]
        client = browser(admin)
        response = client.get(f"/approvals/rules/{rule.pk}/edit/")
        assert 'name="min_amount" value="50000"' in page(response)  # as typed, not 5E+4
        assert 'name="max_amount" value="200000"' in page(response)
        assert response.context["form"].initial["version"] == 1
        data = rule_post(("sales_manager", [], "any"), name="¥6万–20万", kind="amount", min_amount="60000",
                         max_amount="200000", position="10", version="1")
        assert client.post(f"/approvals/rules/{rule.pk}/edit/", data).status_code == 302
        rule.refresh_from_db()
        assert (rule.min_amount, rule.version) == (60000, 2)
        response = client.post(f"/approvals/rules/{rule.pk}/edit/", {**data, "min_amount": "70000"})  # version 1
        assert response.status_code == 409 and "Someone else changed this record" in page(response)
        rule.refresh_from_db()
        assert rule.min_amount == 60000

    def test_the_kind_shows_only_the_thresholds_it_needs(self, admin):
        response = browser(admin).get("/approvals/rules/new/")
        text = page(response)
        assert 'data-kinds="amount"' in text and 'data-kinds="discount margin"' in text
        assert 'data-kinds="overdue"' in text and "<script>" in text

    def test_more_steps_adds_rows_without_saving(self, admin):
        response = browser(admin).post("/approvals/rules/new/", {**rule_post(name="x", kind="customer_new"),
                                                                 "more": "1"})
        assert response.status_code == 200 and response.context["steps"].total_form_count() == 6
        assert not ApprovalRule.objects.exists()

    def test_a_rule_is_deleted_with_its_version(self, admin, rules):
        client = browser(admin)
        assert client.post(f"/approvals/rules/{rules[0].pk}/delete/", {"version": "1"}).status_code == 302
        assert not ApprovalRule.objects.filter(pk=rules[0].pk).exists()
        response = client.post(f"/approvals/rules/{rules[1].pk}/delete/", {"version": "7"})
        assert response.status_code == 302 and ApprovalRule.objects.filter(pk=rules[1].pk).exists()

    def test_only_administrators_change_rules(self, rules, make_user):
        client = browser(make_user(Role.SALES_MANAGER))
        assert client.post("/approvals/rules/new/", rule_post(name="x", kind="customer_new")).status_code == 403
        assert client.post(f"/approvals/rules/{rules[0].pk}/delete/", {"version": "1"}).status_code == 403
        assert client.post("/approvals/rules/preview/", {}).status_code == 403
        assert ApprovalRule.objects.count() == 4


class TestPreview:
    def test_the_unsaved_rule_is_tested_on_an_order_and_nothing_is_saved(self, admin, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 10)])  # a draft, ¥56,500
        client = browser(admin)
        data = rule_post(("sales_manager", [], "any"), name="试算", kind="amount", min_amount="50000",
                         order=order.number)
        response = client.post("/approvals/rules/preview/", data, **HTMX)
        text = page(response)
        assert response.status_code == 200 and "<html" not in text and 'id="rule-editor"' in text
        assert "Needs approval" in text and "Order total ¥56,500.00 is ¥50,000.00 or more" in text
        assert "¥56,500.00" in text and "Highest line discount" in text and "Credit limit" in text
        assert "It would go to" in text and "Sales manager" in text
        response = client.post("/approvals/rules/preview/", {**data, "min_amount": "100000", "order": str(order.pk)})
        assert "<html" in page(response) and "Not affected" in page(response)
        assert response.context["preview"]["matches"] is False
        assert not ApprovalRule.objects.exists()

    def test_an_unknown_order_or_a_bad_rule_is_said_in_the_preview(self, admin, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 1)])
        client = browser(admin)
        response = client.post("/approvals/rules/preview/", rule_post(name="x", kind="amount", order="NOPE"), **HTMX)
        assert response.context["preview_form"].errors["order"] == ["No order you can see has this number."]
        response = client.post("/approvals/rules/preview/", rule_post(name="x", kind="discount", percent="abc",
                                                                      order=order.number), **HTMX)
        assert "Correct the rule first." in page(response) and field_errors(response, "percent")


# -- delegations -------------------------------------------------------------------------------------------

class TestDelegations:
    def test_a_manager_names_a_stand_in_who_sees_it_and_cancels_it(self, manager, boss):
        today = timezone.localdate()
        client = browser(manager)
        response = client.post("/approvals/delegations/", {
            "delegate": boss.pk, "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=5)).isoformat(), "note": "出差"})
        assert response.status_code == 302
        delegation = Delegation.objects.get()
        assert (delegation.delegator, delegation.delegate, delegation.note) == (manager, boss, "出差")
        assert "出差" in page(browser(boss).get("/approvals/delegations/"))
        assert client.post(f"/approvals/delegations/{delegation.pk}/cancel/").status_code == 302
        delegation.refresh_from_db()
        assert delegation.cancelled_at is not None
        assert "Cancelled" in page(client.get("/approvals/delegations/"))

    def test_bad_dates_show_beside_their_fields_and_save_nothing(self, manager, boss):
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        response = browser(manager).post("/approvals/delegations/", {
            "delegate": "", "starts_on": today.isoformat(), "ends_on": yesterday.isoformat()})
        assert response.status_code == 422
        assert field_errors(response, "delegate") == ["Choose a valid entry."]
        assert field_errors(response, "ends_on") == ["Enter a date on or after the start."]
        assert not Delegation.objects.exists()

    def test_nobody_cancels_someone_elses_delegation(self, manager, boss, seller):
        delegation = delegate(manager, to=boss)
        assert browser(boss).post(f"/approvals/delegations/{delegation.pk}/cancel/").status_code == 404
        delegation.refresh_from_db()
        assert delegation.cancelled_at is None


# -- credit on the customer page ----------------------------------------------------------------------------

class TestCredit:
    def test_the_customer_page_shows_the_credit_position(self, manager, seller, customer):
        set_credit(manager, customer, "100000", "block")
        text = page(browser(seller).get(f"/customers/{customer.pk}/"))
        panel = text.split('id="credit"')[1].split("</section>")[0]
        assert "Block: over the limit cannot be submitted" in panel and "¥100,000.00" in panel
        assert "Exposure" in panel and "¥100,000.00 available" in panel
        assert "Grant a temporary override" not in panel

    def test_finance_grants_and_revokes_an_override(self, finance, manager, customer):
        set_credit(manager, customer, "100000")
        client = browser(finance)
        until = timezone.localdate() + datetime.timedelta(days=7)
        response = client.post(f"/approvals/credit/{customer.pk}/overrides/", {
            "amount": "20000", "expires_on": until.isoformat(), "reason": "年底大单"})
        assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
        override = CreditOverride.objects.get()
        assert (override.amount, override.expires_on, override.granted_by) == (20000, until, finance)
        panel = page(client.get(f"/customers/{customer.pk}/")).split('id="credit"')[1].split("</section>")[0]
        assert "年底大单" in panel and "+¥20,000.00 = ¥120,000.00" in panel and "Revoke" in panel
        assert client.post(f"/approvals/credit/overrides/{override.pk}/revoke/").status_code == 302
        override.refresh_from_db()
        assert override.revoked_at is not None

    def test_a_grant_with_bad_input_names_the_fields_and_saves_nothing(self, finance, customer):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        response = browser(finance).post(f"/approvals/credit/{customer.pk}/overrides/", {
            "amount": "-5", "expires_on": yesterday.isoformat(), "reason": ""})
        assert response.status_code == 422
        form = response.context["override_form"]
        assert set(form.errors) == {"amount", "expires_on", "reason"}
        assert "Enter today or a later date." in page(response)
        assert not CreditOverride.objects.exists()

    def test_sales_may_not_grant_or_revoke(self, finance, seller, customer):
        client = browser(seller)
        until = timezone.localdate().isoformat()
        assert client.post(f"/approvals/credit/{customer.pk}/overrides/", {
            "expires_on": until, "reason": "x"}).status_code == 403
        override = browser(finance).post(f"/approvals/credit/{customer.pk}/overrides/", {
            "expires_on": until, "reason": "月底"}) and CreditOverride.objects.get()
        assert client.post(f"/approvals/credit/overrides/{override.pk}/revoke/").status_code == 403
        override.refresh_from_db()
        assert override.revoked_at is None and override.amount is None

    def test_credit_control_is_on_the_customer_form_for_those_who_set_limits(self, manager, seller, customer):
        assert browser(seller).get(f"/customers/{customer.pk}/edit/").context["form"].fields[
            "credit_control"].disabled
        client = browser(manager)
        assert not client.get(f"/customers/{customer.pk}/edit/").context["form"].fields["credit_control"].disabled
        response = client.post(f"/customers/{customer.pk}/edit/", {
            "version": customer.version, "code": customer.code, "name": customer.name, "kind": customer.kind,
            "owner": seller.pk, "currency": "CNY", "credit_limit": "50000", "credit_control": "block"})
        assert response.status_code == 302
        customer.refresh_from_db()
        assert (customer.credit_limit, customer.credit_control) == (50000, Customer.CreditControl.BLOCK)


# -- notifications -----------------------------------------------------------------------------------------

class TestNotifications:
    def test_the_bell_counts_unread_and_opening_one_marks_it_read(self, waiting, manager):
        client = browser(manager)
        [note] = Notification.objects.filter(user=manager)
        text = page(client.get("/notifications/"))
        assert f"{waiting.number} (深圳恒达电子有限公司) is waiting for your approval." in text
        bell = text.split('class="bell"')[1].split("</a>")[0]
        assert '<span class="nav-count">1</span>' in bell
        response = client.post(f"/notifications/{note.pk}/open/")
        assert response.status_code == 302 and response["Location"] == f"/orders/{waiting.pk}/"
        note.refresh_from_db()
        assert note.read_at is not None
        assert '<span class="nav-count">' not in page(client.get("/notifications/")).split('class="bell"')[1].split(
            "</a>")[0]

    def test_mark_all_read_and_nobody_opens_anothers(self, waiting, manager, seller):
        Notification.objects.create(user=manager, key="approval_needed", params={"number": "X", "customer": "Y"})
        client = browser(manager)
        assert client.post("/notifications/read/").status_code == 302
        assert not Notification.objects.filter(user=manager, read_at__isnull=True).exists()
        theirs = Notification.objects.create(user=seller, key="approval_needed")
        assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_a_notification_never_sends_the_reader_off_site(self, manager):
        note = Notification.objects.create(user=manager, key="approval_needed", url="https://evil.example/")
        response = browser(manager).post(f"/notifications/{note.pk}/open/")
        assert response["Location"] == "/notifications/"


def test_an_approved_order_over_two_steps_shows_who_acted_for_whom(rules, seller, manager, boss, make_user,
                                                                      customer, laptop):
    """The route on the order page names each approver's decision, who acted for whom and the comments."""
    stand_in = make_user(Role.FINANCE, first_name="敏", last_name="赵")
    delegate(boss, to=stand_in)
    order = waiting_order(seller, customer, laptop, quantity=40)  # ¥226,000: manager, then general manager
    approval = pending_request(order)
    response = browser(manager).post(f"/approvals/{approval.pk}/approve/", {"comment": "一审通过"}, follow=True)
    assert "your approval is recorded; the order waits for the remaining approvals." in page(response)
    browser(stand_in).post(f"/approvals/{approval.pk}/approve/", {"comment": "代总经理批准", "next": "order"})
    assert ApprovalRequest.objects.get(pk=approval.pk).status == RequestStatus.APPROVED
    route = page(browser(seller).get(f"/orders/{order.pk}/")).split('id="approval-route"')[1].split("</section>")[0]
    assert "一审通过" in route and "代总经理批准" in route
    assert f"赵敏 for {display_name(boss)}" in route
    assert route.count("Approved") >= 3  # the request, both steps
