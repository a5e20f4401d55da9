"""The approvals demo of `kaidan load_demo`: the example rules, orders waiting at every step for the
right reasons, a rejected one back in draft with its comment, one approved at both steps and
confirmed, a blocked customer let through by an override, a delegation — loaded once, stock intact."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from kaidan.approvals import credit
from kaidan.approvals.models import ApprovalRequest, ApprovalRule, CreditOverride, Delegation
from kaidan.core.models import AuditEvent, Notification
from kaidan.inventory.models import Reservation
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder
from tests.demo_loading import fewer_pictures, load_all  # noqa: F401 (fewer_pictures: an autouse fixture)

pytestmark = pytest.mark.django_db
LOADER = "kaidan.approvals.demo.load_demo"


@pytest.fixture(autouse=True)
def warehouse():
    """The demo makes its own warehouses (replaces the approvals tests' default one)."""


def counts() -> tuple[int, ...]:
    return (ApprovalRule.objects.count(), ApprovalRequest.objects.count(), SalesOrder.objects.count(),
            CreditOverride.objects.count(), Delegation.objects.count(), Notification.objects.count(),
            AuditEvent.objects.count())


def waiting(role: str, position: int = 1) -> list[ApprovalRequest]:
    """Requests whose current step is ``position`` and asks ``role``."""
    return [r for r in ApprovalRequest.objects.filter(status="pending").select_related("order")
            if (step := r.steps.get(status="pending")).role == role and step.position == position]


def codes(request: ApprovalRequest) -> list[str]:
    return [reason["code"] for reason in request.reasons]


def test_the_approval_story_is_loaded_once_after_the_sales_demo_and_stock_still_adds_up():
    """One test, as loading the whole demo takes seconds."""
    # given
    loaders = settings.KAIDAN_DEMO_LOADERS
    assert loaders.index(LOADER) == loaders.index("kaidan.sales.demo.load_demo") + 1
    # when
    first = load_all()
    loaded = counts()
    second = load_all()
    # then
    assert first[LOADER] == ["6 approval rules", "7 orders through approval (4 waiting)", "1 credit override",
                             "1 delegation"]
    assert all(lines == [] for lines in second.values()), second
    assert counts() == loaded
    _assert_the_example_rules()
    _assert_orders_wait_at_every_step()
    _assert_decided_orders()
    _assert_override_and_delegation()
    out = io.StringIO()
    call_command("check_stock", stdout=out)
    assert out.getvalue().strip() == "stock OK"


def _assert_the_example_rules() -> None:
    rules = {rule.name: rule for rule in ApprovalRule.objects.prefetch_related("steps")}
    bands = sorted((r.min_amount, r.max_amount, [s.role for s in r.steps.all()])
                   for r in rules.values() if r.kind == "amount")
    assert bands == [(Decimal("50000.00"), Decimal("200000.00"), ["sales_manager"]),
                     (Decimal("200000.00"), None, ["sales_manager", "general_manager"])]
    by_kind = {r.kind: r for r in rules.values() if r.kind != "amount"}
    assert set(by_kind) == {"discount", "credit", "margin", "overdue"}
    assert by_kind["discount"].percent == Decimal("10.00") and by_kind["margin"].percent == Decimal("0.00")
    assert by_kind["overdue"].days == 30
    assert {kind: [s.role for s in r.steps.all()] for kind, r in by_kind.items()} == {
        "discount": ["sales_manager"], "credit": ["finance"], "margin": ["general_manager"],
        "overdue": ["finance"]}
    assert all(s.mode == "any" for r in rules.values() for s in r.steps.all())


def _assert_orders_wait_at_every_step() -> None:
    at_manager = waiting("sales_manager")
    assert len(at_manager) == 2
    by_amount = next(r for r in at_manager if codes(r) == ["amount"])
    assert Decimal("80000") <= by_amount.order.gross_amount < Decimal("85000")
    by_discount = next(r for r in at_manager if codes(r) == ["discount"])
    assert by_discount.reasons[0]["params"]["percent"] == "18.00"
    assert by_discount.order.gross_amount < Decimal("50000")

    [at_boss] = waiting("general_manager", position=2)
    assert codes(at_boss) == ["amount"] and at_boss.order.gross_amount >= Decimal("200000")
    first = at_boss.steps.get(position=1)
    assert first.status == "approved" and first.approvers.get().acted_by.username == "manager"

    [at_finance] = waiting("finance")
    assert codes(at_finance) == ["credit"]
    customer = at_finance.order.customer
    assert customer.credit_limit == Decimal("20000.00") and customer.credit_control == "warn"
    assert at_finance.order.gross_amount > customer.credit_limit

    pending = {r.order for r in ApprovalRequest.objects.filter(status="pending")}
    assert {o.status for o in pending} == {"pending_approval"}
    assert all(o.salesperson_id == o.customer.owner_id and o.salesperson.username == "sales" for o in pending)
    assert {o.order_date for o in pending} == {timezone.localdate()}


def _assert_decided_orders() -> None:
    rejected = ApprovalRequest.objects.get(status="rejected")
    assert rejected.order.status == "draft"
    assert rejected.comment and rejected.steps.get().approvers.get().comment == rejected.comment
    assert Notification.objects.filter(user=rejected.order.salesperson, key="approval_rejected").exists()

    approved = ApprovalRequest.objects.get(status="approved")
    assert approved.order.status == "confirmed"
    assert Reservation.objects.filter(order_id=approved.order_id, status="open").exists()
    assert [(s.role, s.status, s.approvers.get().acted_by.username) for s in approved.steps.all()] == [
        ("sales_manager", "approved", "manager"), ("general_manager", "approved", "gm")]


def _assert_override_and_delegation() -> None:
    today = timezone.localdate()
    override = CreditOverride.objects.get()
    customer = Customer.objects.get(pk=override.customer_id)
    assert override.granted_by.username == "finance" and override.revoked_at is None and override.expires_on > today
    assert customer.credit_control == "block"
    position = credit.position(customer)
    assert position.open_orders > customer.credit_limit  # over its own limit …
    assert position.exceeded_by(Decimal("0")) == 0  # … within the override
    order = SalesOrder.objects.get(customer=customer)
    assert order.status == "confirmed" and not order.approval_requests.exists()

    delegation = Delegation.objects.get()
    assert (delegation.delegator.username, delegation.delegate.username) == ("manager", "gm")
    assert delegation.starts_on == today and delegation.ends_on == today + datetime.timedelta(days=6)
    assert delegation.cancelled_at is None
