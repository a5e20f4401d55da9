"""Writes of approval set-up: rules with their steps (administrators), delegations (each approver
their own), credit overrides (finance). Each is one transaction, checked field by field, audited.
Deciding on orders is in flow.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.approvals.conditions import NEEDS, Kind
from kaidan.approvals.models import ApprovalRule, CreditOverride, Delegation, RuleStep
from kaidan.approvals.states import Mode
from kaidan.core import audit
from kaidan.core.errors import Forbidden, NotFound, StaleEdit
from kaidan.core.parsing import Errors, parse_date, parse_decimal, parse_id
from kaidan.core.roles import Capability, Role, has_capability
from kaidan.parties.models import Customer

User = get_user_model()
MAX_STEPS = 10
MAX_PEOPLE = 50
MAX_AMOUNT = Decimal("999999999999.99")
TEXT_MAX = {"name": 100, "note": 200, "reason": 200}
RULE_FIELDS = {"name", "kind", "min_amount", "max_amount", "percent", "days", "position", "active", "steps"}


def _text(data: dict, name: str, errors: Errors, *, required: bool = False) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    limit = TEXT_MAX[name]
    if "\x00" in value:
        errors.add(name, _("Remove the NUL character."))
    elif len(value) > limit:
        errors.add(name, _("Enter at most %(max)d characters.") % {"max": limit})
    elif required and not value:
        errors.add(name, _("This field is required."))
    return value[:limit]


def _cents(value: Decimal | None) -> Decimal | None:
    """Two decimals as stored, so what the audit trail and the caller see matches the database
    ("50000" would read as a change from "50000.00")."""
    return None if value is None else value.quantize(Decimal("0.01"))


def _bool(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes"}
    return bool(value)


@dataclass
class RuleInput:
    name: str
    kind: str
    min_amount: Decimal | None
    max_amount: Decimal | None
    percent: Decimal | None
    days: int | None
    position: int
    active: bool
    steps: list[tuple[str, list, str]]  # (role, users, mode)


def _check_steps(raw: Any, errors: Errors) -> list[tuple[str, list, str]]:
    if not isinstance(raw, list) or not raw:
        errors.add("steps", _("Add at least one step."))
        return []
    if len(raw) > MAX_STEPS:
        errors.add("steps", _("At most %(max)d steps.") % {"max": MAX_STEPS})
        return []
    steps = []
    for index, item in enumerate(raw):
        where = f"steps.{index}"
        if not isinstance(item, dict):
            errors.add(where, _("Give a role or people, and a mode."))
            continue
        role = str(item.get("role") or "").strip()
        raw_users = item.get("user_ids") or []
        mode = str(item.get("mode") or Mode.ANY)
        if mode not in Mode.values:
            errors.add(f"{where}.mode", _("Choose “any one of them” or “all of them”."))
        if role and role not in Role.values:
            errors.add(f"{where}.role", _("Choose a role."))
        if not isinstance(raw_users, list) or len(raw_users) > MAX_PEOPLE:
            errors.add(f"{where}.user_ids", _("Choose at most %(max)d people.") % {"max": MAX_PEOPLE})
            continue
        ids = [parse_id(v, errors, f"{where}.user_ids", required=True) for v in raw_users]
        ids = sorted({pk for pk in ids if pk is not None})
        if bool(role) == bool(raw_users):
            errors.add(where, _("Name either a role or people, not both and not neither."))
            continue
        users = list(User.objects.filter(pk__in=ids, is_active=True))
        if len(users) != len(ids):
            errors.add(f"{where}.user_ids", _("Choose active users."))
        steps.append((role, users, mode))
    return steps


def check_rule(data: dict[str, Any]) -> RuleInput:
    """Check a rule as sent (form or JSON); raises ValidationFailed naming every bad field."""
    errors = Errors()
    for name in sorted(set(data) - RULE_FIELDS):
        errors.add(name, _("Unknown field."))
    name = _text(data, "name", errors, required=True)
    kind = str(data.get("kind") or "")
    if kind not in Kind.values:
        errors.add("kind", _("Choose a condition."))
    needs = NEEDS.get(kind, ())

    def money(field):
        if data.get(field) in (None, ""):
            return None
        return _cents(parse_decimal(data.get(field), places=2, errors=errors, field=field, minimum=Decimal("0"),
                                    maximum=MAX_AMOUNT))

    min_amount = money("min_amount") if kind == Kind.AMOUNT else None
    max_amount = money("max_amount") if kind == Kind.AMOUNT else None
    percent = days = None
    if "percent" in needs:
        percent = _cents(parse_decimal(data.get("percent"), places=2, errors=errors, field="percent",
                                       minimum=Decimal("0"), maximum=Decimal("100")))
    if "days" in needs:
        raw = data.get("days")
        days = parse_decimal(raw, places=0, errors=errors, field="days", minimum=Decimal("0"), maximum=Decimal("3650"))
        days = int(days) if days is not None else None
    if "min_amount" in needs and min_amount is None and "min_amount" not in errors.fields:
        errors.add("min_amount", _("This field is required."))
    if min_amount is not None and max_amount is not None and max_amount <= min_amount:
        errors.add("max_amount", _("Enter an amount above “from”."))
    raw_position = data.get("position")
    position = parse_decimal(raw_position if raw_position not in (None, "") else 0, places=0, errors=errors,
                             field="position", minimum=Decimal("0"), maximum=Decimal("10000"))
    steps = _check_steps(data.get("steps"), errors)
    errors.raise_if_any()
    return RuleInput(name=name, kind=kind, min_amount=min_amount, max_amount=max_amount, percent=percent,
                     days=days, position=int(position), active=_bool(data.get("active"), True), steps=steps)


def _require(actor, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise Forbidden()


def _write_steps(rule: ApprovalRule, steps) -> None:
    rule.steps.all().delete()
    for position, (role, users, mode) in enumerate(steps, start=1):
        step = RuleStep.objects.create(rule=rule, position=position, role=role, mode=mode)
        if users:
            step.users.set(users)


def rule_snapshot(rule: ApprovalRule) -> dict:
    data = audit.snapshot(rule, ["name", "kind", "min_amount", "max_amount", "percent", "days", "position", "active"])
    data["steps"] = [{"role": s.role, "users": sorted(u.pk for u in s.users.all()), "mode": s.mode}
                     for s in rule.steps.all()]
    return data


@transaction.atomic
def create_rule(*, actor, data: dict[str, Any]) -> ApprovalRule:
    """A new rule; it applies to orders submitted from now on. Raises Forbidden, ValidationFailed."""
    _require(actor, Capability.MANAGE_APPROVAL_RULES)
    checked = check_rule(data)
    rule = ApprovalRule.objects.create(**{k: v for k, v in checked.__dict__.items() if k != "steps"})
    _write_steps(rule, checked.steps)
    audit.record(rule, "created", actor=actor, after=rule_snapshot(rule))
    return rule


def _locked_rule(rule_id: int, version: int | None) -> ApprovalRule:
    rule = ApprovalRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    if version is not None and version != rule.version:
        raise StaleEdit(current_version=rule.version)
    return rule


@transaction.atomic
def update_rule(*, actor, rule_id: int, data: dict[str, Any], version: int | None = None) -> ApprovalRule:
    """Change a rule; orders already waiting keep the route they started with. Raises Forbidden,
    NotFound, StaleEdit, ValidationFailed."""
    _require(actor, Capability.MANAGE_APPROVAL_RULES)
    rule = _locked_rule(rule_id, version)
    checked = check_rule(data)
    before = rule_snapshot(rule)
    for name, value in checked.__dict__.items():
        if name != "steps":
            setattr(rule, name, value)
    rule.version += 1
    rule.save()
    _write_steps(rule, checked.steps)
    audit.record(rule, "updated", actor=actor, before=before, after=rule_snapshot(rule))
    return rule


@transaction.atomic
def delete_rule(*, actor, rule_id: int, version: int | None = None) -> None:
    """Remove a rule (requests it raised keep their copy of the route). Raises Forbidden, NotFound, StaleEdit."""
    _require(actor, Capability.MANAGE_APPROVAL_RULES)
    rule = _locked_rule(rule_id, version)
    audit.record(rule, "deleted", actor=actor, before=rule_snapshot(rule))
    rule.delete()


# --- delegations ----------------------------------------------------------------------------------

@transaction.atomic
def create_delegation(*, actor, data: dict[str, Any]) -> Delegation:
    """Name a stand-in for one's approvals over a date range (today or later). Raises ValidationFailed."""
    errors = Errors()
    for name in sorted(set(data) - {"delegate_id", "starts_on", "ends_on", "note"}):
        errors.add(name, _("Unknown field."))
    delegate_id = parse_id(data.get("delegate_id"), errors, "delegate_id", required=True)
    delegate = User.objects.filter(pk=delegate_id, is_active=True).first() if delegate_id else None
    if delegate_id and delegate is None:
        errors.add("delegate_id", _("Choose an active user."))
    elif delegate is not None and delegate.pk == actor.pk:
        errors.add("delegate_id", _("Choose someone other than yourself."))
    starts_on = parse_date(data.get("starts_on"), errors=errors, field="starts_on")
    ends_on = parse_date(data.get("ends_on"), errors=errors, field="ends_on")
    today = timezone.localdate()
    if starts_on is None and "starts_on" not in errors.fields:
        errors.add("starts_on", _("This field is required."))
    if ends_on is None and "ends_on" not in errors.fields:
        errors.add("ends_on", _("This field is required."))
    if starts_on and starts_on < today:
        errors.add("starts_on", _("Enter today or a later date."))
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors.add("ends_on", _("Enter a date on or after the start."))
        elif ends_on < today:
            errors.add("ends_on", _("Enter today or a later date."))
        elif ends_on > today + datetime.timedelta(days=366):
            errors.add("ends_on", _("A delegation lasts at most a year."))
    note = _text(data, "note", errors)
    errors.raise_if_any()
    delegation = Delegation.objects.create(delegator=actor, delegate=delegate, starts_on=starts_on,
                                           ends_on=ends_on, note=note)
    audit.record(delegation, "created", actor=actor,
                 after=audit.snapshot(delegation, ["delegator", "delegate", "starts_on", "ends_on", "note"]))
    return delegation


@transaction.atomic
def cancel_delegation(*, actor, delegation_id: int) -> Delegation:
    """End one's own delegation now. Raises NotFound."""
    delegation = Delegation.objects.select_for_update().filter(pk=delegation_id, delegator=actor).first()
    if delegation is None:
        raise NotFound()
    if delegation.cancelled_at is None:
        delegation.cancelled_at = timezone.now()
        delegation.save(update_fields=["cancelled_at"])
        audit.record(delegation, "revoked", actor=actor, after=audit.snapshot(delegation, ["cancelled_at"]))
    return delegation


# --- credit overrides -----------------------------------------------------------------------------

@transaction.atomic
def grant_override(*, actor, customer_id: int, data: dict[str, Any]) -> CreditOverride:
    """Let a customer exceed its credit limit until a date, by an amount or (no amount) without limit.
    Raises Forbidden, NotFound, ValidationFailed."""
    _require(actor, Capability.GRANT_CREDIT_OVERRIDE)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    errors = Errors()
    for name in sorted(set(data) - {"amount", "expires_on", "reason"}):
        errors.add(name, _("Unknown field."))
    amount = None
    if data.get("amount") not in (None, ""):
        amount = _cents(parse_decimal(data.get("amount"), places=2, errors=errors, field="amount",
                                      above=Decimal("0"), maximum=MAX_AMOUNT))
    expires_on = parse_date(data.get("expires_on"), errors=errors, field="expires_on")
    today = timezone.localdate()
    if expires_on is None and "expires_on" not in errors.fields:
        errors.add("expires_on", _("This field is required."))
    elif expires_on is not None and expires_on < today:
        errors.add("expires_on", _("Enter today or a later date."))
    elif expires_on is not None and expires_on > today + datetime.timedelta(days=366):
        errors.add("expires_on", _("An override lasts at most a year."))
    reason = _text(data, "reason", errors, required=True)
    errors.raise_if_any()
    override = CreditOverride.objects.create(customer=customer, amount=amount, expires_on=expires_on,
                                             reason=reason, granted_by=actor)
    audit.record(customer, "credit_override_granted", actor=actor,
                 after={"override": override.pk, "extra_credit": None if amount is None else str(amount),
                        "valid_until": expires_on.isoformat(), "reason": reason})
    return override


@transaction.atomic
def revoke_override(*, actor, override_id: int) -> CreditOverride:
    """End an override now. Raises Forbidden, NotFound."""
    _require(actor, Capability.GRANT_CREDIT_OVERRIDE)
    override = CreditOverride.objects.select_for_update().filter(pk=override_id).first()
    if override is None:
        raise NotFound()
    if override.revoked_at is None:
        override.revoked_at = timezone.now()
        override.save(update_fields=["revoked_at"])
        audit.record(override.customer, "credit_override_revoked", actor=actor,
                     after={"override": override.pk, "reason": override.reason})
    return override
