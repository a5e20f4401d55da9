"""API schemas of approvals: rules with their steps, an order's route in words, the inbox, delegations
and credit (the position and finance's overrides). Money and percents travel as decimal strings; ids
are bounded; text storable. Thresholds are checked by services.check_rule (every bad field named);
the schemas say what is expected."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, FilterSchema, Schema
from pydantic import AfterValidator

from kaidan.approvals.conditions import Kind
from kaidan.approvals.services import MAX_PEOPLE, MAX_STEPS
from kaidan.core.api_types import DbId, Text
from kaidan.core.display import display_name
from kaidan.core.roles import Role
from kaidan.core.schemas import StrictIn

AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
MoneyIn = Annotated[str, Field(pattern=AMOUNT_PATTERN, examples=["50000.00"])]
PercentIn = Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$", examples=["10"])]
# Figures out are given with 2 decimals whatever the database's arithmetic returned ("5650" or "5650.00").
Money = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.01")))]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")]
KINDS = Literal[tuple(Kind.values)]
ROLES = Literal[tuple(Role.values)]
MODES = Literal["any", "all"]


# -- rules ---------------------------------------------------------------------------------------------

class StepIn(StrictIn):
    role: ROLES | None = Field(None, description="A role: everyone in it may (any) or must (all) approve")
    user_ids: list[DbId] = Field(default_factory=list, max_length=MAX_PEOPLE,
                                 description="Or named people (active users); give a role or people, not both")
    mode: MODES = Field("any", description="any: one of them decides (或签); all: each of them must approve (会签)")


class RuleIn(StrictIn):
    name: Text = Field(..., max_length=100)
    kind: KINDS = Field(..., description="amount: the order total in [min_amount, max_amount); discount: a line "
                                         "discount above percent; margin: the order margin below percent; credit: "
                                         "the credit limit exceeded; overdue: an invoice overdue more than days; "
                                         "customer_blocked; customer_new")
    min_amount: MoneyIn | None = Field(None, description="amount: from (included); required")
    max_amount: MoneyIn | None = Field(None, description="amount: up to (not included); omit for no upper end")
    percent: PercentIn | None = Field(None, description="discount / margin: the limit, 0 to 100")
    days: int | None = Field(None, ge=0, le=3650, description="overdue: the days")
    position: int = Field(0, ge=0, le=10000, description="Rules are evaluated (and their steps routed) in this "
                                                         "order")
    active: bool = True
    steps: list[StepIn] = Field(..., max_length=MAX_STEPS, description=f"1 to {MAX_STEPS} steps, in order")


class RuleUpdateIn(RuleIn):
    version: Version


class PreviewIn(RuleIn):
    order_id: DbId = Field(..., description="An order you may see, to try the rule on")


class PersonOut(Schema):
    id: int
    name: str


class RuleStepOut(Schema):
    position: int
    role: str = Field(description="The role, or empty when the step names people")
    users: list[PersonOut]
    mode: str
    text: str = Field(description="Who and how, in words")


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    min_amount: Money | None
    max_amount: Money | None
    percent: Decimal | None
    days: int | None
    position: int
    active: bool
    description: str = Field(description="The condition in plain words")
    steps: list[RuleStepOut]
    version: int
    created_at: datetime
    updated_at: datetime


class RuleFilter(FilterSchema):
    active: bool | None = None
    kind: KINDS | None = None


class PreviewOut(Schema):
    order_id: int
    order_number: str
    matches: bool = Field(description="Whether the rule would send this order for approval now")
    reason: str | None = Field(description="Why, in words; null when it does not match")
    facts: dict[str, Any] = Field(description="What the rule looked at (margin only for roles that see costs)")
    steps: list[str] = Field(description="Who the rule would ask, step by step")


# -- an order's route --------------------------------------------------------------------------------

class ChoiceOut(Schema):
    user_id: int
    name: str
    is_self: bool = Field(description="False: someone the caller stands in for (a delegation)")


class RouteApproverOut(Schema):
    user_id: int
    name: str
    decision: str = Field(description="'' (not decided), approved, rejected or skipped (another decided)")
    decision_label: str
    acted_by: str | None = Field(description="Who clicked: the approver or their delegate")
    on_behalf: bool
    comment: str
    decided_at: datetime | None


class RouteStepOut(Schema):
    position: int
    who: str = Field(description="The role or the people, in words")
    role: str
    mode: str
    mode_label: str
    status: str = Field(description="waiting, pending (its turn), approved, rejected or withdrawn")
    status_label: str
    reasons: list[str] = Field(description="Why this step is on the route, in words")
    rules: list[str] = Field(description="The rules that put it there")
    started_at: datetime | None
    decided_at: datetime | None
    approvers: list[RouteApproverOut]


class RouteOut(Schema):
    """An order's approval request: its route, every reason in words and what the caller may decide."""

    id: int
    order_id: int
    order_number: str
    status: str = Field(description="pending, approved, rejected or withdrawn")
    status_label: str
    revision: int = Field(description="The order's revision that was submitted")
    submitted_by: str
    submitted_at: datetime
    decided_at: datetime | None
    comment: str
    reasons: list[str]
    facts: dict[str, Any] = Field(description="The order's facts at submission (margin only for roles that see "
                                              "costs)")
    steps: list[RouteStepOut]
    can_decide: list[ChoiceOut] = Field(description="Whom the caller may approve or reject for now: themselves "
                                                    "and/or people they stand in for; empty: nothing for them")


class DecisionIn(StrictIn):
    comment: Text = Field("", max_length=500)
    on_behalf_of: DbId | None = Field(None, description="Decide for this person you stand in for (default: "
                                                        "yourself first, else the one you stand in for)")


class RejectIn(DecisionIn):
    comment: Text = Field(..., max_length=500, description="Why, so the salesperson knows what to change")


class InboxItemOut(Schema):
    request_id: int
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    currency: str
    gross_amount: Money
    submitted_by: str
    submitted_at: datetime
    age_seconds: int = Field(description="Since this step started waiting")
    step: int = Field(description="The step waiting on you")
    steps: int = Field(description="How many steps the route has")
    reasons: list[str]
    exposure: Money | None
    credit_limit: Money | None
    margin: Decimal | None = Field(description="Percent; only for roles that see costs")
    for_people: list[ChoiceOut] = Field(description="Whom you may decide for: yourself and/or whom you stand in for")


# -- delegations -----------------------------------------------------------------------------------------

class DelegationFilter(FilterSchema):
    direction: Literal["given", "received"] | None = Field(None, description="given: your stand-ins; received: "
                                                                             "whom you stand in for")


class DelegationOut(Schema):
    id: int
    delegator_id: int
    delegator: str
    delegate_id: int
    delegate: str
    starts_on: date
    ends_on: date
    note: str
    state: Literal["scheduled", "active", "ended", "cancelled"]
    cancelled_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_delegator(obj) -> str:
        return display_name(obj.delegator)

    @staticmethod
    def resolve_delegate(obj) -> str:
        return display_name(obj.delegate)

    @staticmethod
    def resolve_state(obj) -> str:
        today = timezone.localdate()
        if obj.cancelled_at is not None:
            return "cancelled"
        if obj.ends_on < today:
            return "ended"
        return "active" if obj.starts_on <= today else "scheduled"


class DelegationIn(StrictIn):
    delegate_id: DbId
    starts_on: date
    ends_on: date = Field(..., description="Included; at most a year from today")
    note: Text = Field("", max_length=200)


# -- credit ---------------------------------------------------------------------------------------------

class OverrideOut(Schema):
    id: int
    customer_id: int
    amount: Money | None = Field(description="Extra credit; null: without limit")
    expires_on: date = Field(description="Valid until (included)")
    reason: str
    granted_by: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool = Field(description="Not revoked and not expired")

    @staticmethod
    def resolve_granted_by(obj) -> str:
        return display_name(obj.granted_by)

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.revoked_at is None and obj.expires_on >= timezone.localdate()


class OverrideIn(StrictIn):
    amount: MoneyIn | None = Field(None, description="Extra credit above the limit; omit to lift the limit")
    expires_on: date = Field(..., description="Today or later, at most a year ahead")
    reason: Text = Field(..., max_length=200)


class CreditOut(Schema):
    customer_id: int
    credit_control: str = Field(description="warn: orders over the limit go to approval (with a credit rule); "
                                            "block: they are refused")
    credit_control_label: str
    credit_limit: Money = Field(description="0: no limit set")
    extra_from_overrides: Money
    unlimited_override: bool
    effective_limit: Money
    unpaid_invoices: Money
    open_orders: Money = Field(description="Confirmed orders not yet invoiced")
    exposure: Money
    available: Money | None = Field(description="Below the limit; null: no limit")
    overdue_days: int
    active_overrides: list[OverrideOut]
