"""Setting up approvals: rules (administrators), delegations (each approver their own), credit
overrides (finance). Every bad field is named in one ValidationFailed and nothing is written;
every write is audited."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kaidan.approvals import services
from kaidan.approvals.models import ApprovalRule, CreditOverride, Delegation, RuleStep
from kaidan.core.errors import Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from tests.approvals.factories import audit_event

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def days(n: int) -> str:
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


def band(**changes) -> dict:
    """A valid rule as the editor sends it: ¥50,000–200,000 to any sales manager."""
    return {"name": "¥5万–20万", "kind": "amount", "min_amount": "50000", "max_amount": "200000",
            "steps": [{"role": "sales_manager", "mode": "any"}], **changes}


def refused_fields(call) -> dict[str, list[str]]:
    """Run a service expected to refuse the input; return the fields it named."""
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert refused.value.status == 422
    assert AuditEvent.objects.count() == events
    return refused.value.fields


class TestCreateRule:
    def test_a_valid_rule_is_stored_with_its_steps_and_audited(self, admin, boss, finance):
        rule = services.create_rule(actor=admin, data=band(steps=[
            {"role": "sales_manager", "mode": "any"}, {"user_ids": [finance.pk, boss.pk], "mode": "all"}]))

        assert (rule.kind, rule.min_amount, rule.max_amount, rule.active, rule.version) == (
            "amount", D("50000.00"), D("200000.00"), True, 1)
        steps = list(rule.steps.all())
        assert [(s.position, s.role, s.mode) for s in steps] == [(1, "sales_manager", "any"), (2, "", "all")]
        assert set(steps[1].users.all()) == {boss, finance}
        created = audit_event(rule, "created")
        assert created.actor == admin
        assert created.after["steps"] == [{"role": "sales_manager", "users": [], "mode": "any"},
                                          {"role": "", "users": sorted([boss.pk, finance.pk]), "mode": "all"}]

    @pytest.mark.parametrize("kind, fields", [
        ("discount", {"percent": "10"}), ("margin", {"percent": "15.5"}), ("credit", {}), ("overdue", {"days": "30"}),
        ("customer_blocked", {}), ("customer_new", {}), ("amount", {"min_amount": "200000"}),
    ])
    def test_each_kind_takes_its_own_threshold(self, admin, kind, fields):
        rule = services.create_rule(actor=admin, data={"name": kind, "kind": kind, "steps": [{"role": "finance"}],
                                                       **fields})
        assert rule.kind == kind and rule.steps.get().mode == "any"

    def test_thresholds_of_another_kind_are_not_kept(self, admin):
        rule = services.create_rule(actor=admin, data={"name": "折扣", "kind": "discount", "percent": "10",
                                                       "min_amount": "5", "days": "3", "steps": [{"role": "finance"}]})
        assert (rule.min_amount, rule.days, rule.percent) == (None, None, D("10.00"))

    def test_a_rule_may_be_saved_inactive(self, admin):
        assert services.create_rule(actor=admin, data=band(active="false")).active is False

    @pytest.mark.parametrize("changes, fields", [
        ({"name": ""}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 101}, {"name"}),
        ({"name": "价格\x00规则"}, {"name"}),
        ({"kind": "weather"}, {"kind"}),
        ({"kind": ""}, {"kind"}),
        ({"min_amount": ""}, {"min_amount"}),
        ({"min_amount": "-1"}, {"min_amount"}),
        ({"min_amount": "1.234"}, {"min_amount"}),
        ({"min_amount": "abc"}, {"min_amount"}),
        ({"max_amount": "50000"}, {"max_amount"}),  # not above "from"
        ({"max_amount": "40000"}, {"max_amount"}),
        ({"position": "-1"}, {"position"}),
        ({"steps": []}, {"steps"}),
        ({"steps": None}, {"steps"}),
        ({"steps": "sales_manager"}, {"steps"}),
        ({"steps": [{"role": "sales_manager"}] * 11}, {"steps"}),
        ({"steps": ["sales_manager"]}, {"steps.0"}),
        ({"steps": [{"mode": "any"}]}, {"steps.0"}),  # neither a role nor people
        ({"steps": [{"role": "wizard"}]}, {"steps.0.role"}),
        ({"steps": [{"role": "sales_manager", "mode": "most"}]}, {"steps.0.mode"}),
        ({"steps": [{"role": "finance"}, {"user_ids": ["abc"]}]}, {"steps.1.user_ids"}),
        ({"steps": [{"user_ids": [987654]}]}, {"steps.0.user_ids"}),
        ({"steps": [{"user_ids": list(range(1, 52))}]}, {"steps.0.user_ids"}),
        ({"colour": "red"}, {"colour"}),
    ])
    def test_every_bad_field_is_named_and_nothing_is_written(self, admin, changes, fields):
        assert set(refused_fields(lambda: services.create_rule(actor=admin, data=band(**changes)))) == fields
        assert not ApprovalRule.objects.exists() and not RuleStep.objects.exists()

    @pytest.mark.parametrize("kind, changes, fields", [
        ("discount", {"percent": "101"}, {"percent"}),
        ("discount", {"percent": "-0.01"}, {"percent"}),
        ("discount", {}, {"percent"}),
        ("margin", {"percent": "10.001"}, {"percent"}),
        ("overdue", {"days": "-1"}, {"days"}),
        ("overdue", {"days": "1.5"}, {"days"}),
        ("overdue", {}, {"days"}),
    ])
    def test_percent_and_days_are_checked_for_the_kinds_that_need_them(self, admin, kind, changes, fields):
        data = {"name": kind, "kind": kind, "steps": [{"role": "finance"}], **changes}
        assert set(refused_fields(lambda: services.create_rule(actor=admin, data=data))) == fields

    def test_a_step_naming_both_a_role_and_people_is_refused(self, admin, boss):
        data = band(steps=[{"role": "general_manager", "user_ids": [boss.pk]}])
        assert set(refused_fields(lambda: services.create_rule(actor=admin, data=data))) == {"steps.0"}

    def test_an_inactive_user_cannot_be_named(self, admin, boss):
        boss.is_active = False
        boss.save(update_fields=["is_active"])
        data = band(steps=[{"user_ids": [boss.pk]}])
        assert set(refused_fields(lambda: services.create_rule(actor=admin, data=data))) == {"steps.0.user_ids"}

    def test_several_bad_fields_are_named_together(self, admin):
        data = {"name": "", "kind": "discount", "percent": "150", "steps": [{"role": "wizard", "mode": "x"}],
                "extra": 1}
        assert set(refused_fields(lambda: services.create_rule(actor=admin, data=data))) == {
            "name", "percent", "steps.0.role", "steps.0.mode", "extra"}

    @pytest.mark.parametrize("role", [Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE])
    def test_only_an_administrator_sets_up_rules(self, make_user, role):
        with pytest.raises(Forbidden):
            services.create_rule(actor=make_user(role), data=band())
        assert not ApprovalRule.objects.exists()


class TestUpdateAndDeleteRule:
    @pytest.fixture
    def rule(self, admin):
        return services.create_rule(actor=admin, data=band())

    def test_an_update_replaces_thresholds_and_steps_and_records_what_changed(self, admin, rule, boss):
        updated = services.update_rule(actor=admin, rule_id=rule.pk, version=1, data=band(
            max_amount="300000", steps=[{"user_ids": [boss.pk], "mode": "any"}]))

        assert updated.version == 2 and updated.max_amount == D("300000.00")
        assert [(s.role, list(s.users.all())) for s in updated.steps.all()] == [("", [boss])]
        change = audit_event(rule, "updated")
        assert set(change.after) == {"max_amount", "steps"}
        assert change.before["max_amount"] == "200000.00" and change.after["max_amount"] == "300000.00"

    def test_a_stale_version_is_refused_and_nothing_changes(self, admin, rule):
        services.update_rule(actor=admin, rule_id=rule.pk, version=1, data=band(name="新名称"))
        with pytest.raises(StaleEdit) as stale:
            services.update_rule(actor=admin, rule_id=rule.pk, version=1, data=band(name="又一个名称"))
        assert stale.value.status == 409 and stale.value.detail == {"current_version": 2}
        assert ApprovalRule.objects.get(pk=rule.pk).name == "新名称"
        with pytest.raises(StaleEdit):
            services.delete_rule(actor=admin, rule_id=rule.pk, version=1)
        assert ApprovalRule.objects.filter(pk=rule.pk).exists()

    def test_a_bad_update_changes_nothing(self, admin, rule):
        fields = refused_fields(lambda: services.update_rule(actor=admin, rule_id=rule.pk, version=1,
                                                             data=band(steps=[])))
        assert set(fields) == {"steps"}
        stored = ApprovalRule.objects.get(pk=rule.pk)
        assert stored.version == 1 and stored.steps.count() == 1

    def test_unknown_rules_are_not_found(self, admin):
        with pytest.raises(NotFound):
            services.update_rule(actor=admin, rule_id=987654, data=band())
        with pytest.raises(NotFound):
            services.delete_rule(actor=admin, rule_id=987654)

    def test_only_an_administrator_changes_or_deletes_rules(self, make_user, rule):
        manager = make_user(Role.SALES_MANAGER)
        with pytest.raises(Forbidden):
            services.update_rule(actor=manager, rule_id=rule.pk, data=band(name="改"))
        with pytest.raises(Forbidden):
            services.delete_rule(actor=manager, rule_id=rule.pk)
        assert ApprovalRule.objects.get(pk=rule.pk).name == "¥5万–20万"

    def test_a_deleted_rule_leaves_its_snapshot_in_the_audit_trail(self, admin, rule):
        services.delete_rule(actor=admin, rule_id=rule.pk, version=1)
        assert not ApprovalRule.objects.exists() and not RuleStep.objects.exists()
        deleted = AuditEvent.objects.get(object_type="approvals.approvalrule", object_id=str(rule.pk),
                                         action="deleted")
        assert deleted.actor == admin and deleted.before["name"] == "¥5万–20万"
        assert deleted.before["steps"] == [{"role": "sales_manager", "users": [], "mode": "any"}]


class TestDelegations:
    def valid(self, delegate, **changes) -> dict:
        return {"delegate_id": delegate.pk, "starts_on": days(0), "ends_on": days(3), "note": "出差三天", **changes}

    def test_an_approver_names_a_stand_in_and_it_is_audited(self, manager, manager2):
        given = services.create_delegation(actor=manager, data=self.valid(manager2))
        assert (given.delegator, given.delegate, given.ends_on) == (manager, manager2, TODAY() + datetime.timedelta(3))
        assert audit_event(given, "created").after["delegate"] == manager2.pk

    def test_a_delegation_may_last_a_year(self, manager, manager2):
        services.create_delegation(actor=manager, data=self.valid(manager2, starts_on=days(1), ends_on=days(366)))

    @pytest.mark.parametrize("changes, fields", [
        ({"delegate_id": ""}, {"delegate_id"}),
        ({"delegate_id": "abc"}, {"delegate_id"}),
        ({"delegate_id": 987654}, {"delegate_id"}),
        ({"starts_on": ""}, {"starts_on"}),
        ({"starts_on": "2026/12/01"}, {"starts_on"}),
        ({"starts_on": days(-1)}, {"starts_on"}),  # no back-dating
        ({"ends_on": ""}, {"ends_on"}),
        ({"starts_on": days(3), "ends_on": days(2)}, {"ends_on"}),  # ends before it starts
        ({"starts_on": days(-5), "ends_on": days(-1)}, {"starts_on", "ends_on"}),  # already over
        ({"ends_on": days(367)}, {"ends_on"}),  # more than a year
        ({"note": "x" * 201}, {"note"}),
        ({"note": "a\x00b"}, {"note"}),
        ({"delegator_id": 1}, {"delegator_id"}),
    ])
    def test_every_bad_field_is_named_and_nothing_is_written(self, manager, manager2, changes, fields):
        data = self.valid(manager2, **changes)
        assert set(refused_fields(lambda: services.create_delegation(actor=manager, data=data))) == fields
        assert not Delegation.objects.exists()

    def test_nobody_stands_in_for_himself(self, manager):
        fields = refused_fields(lambda: services.create_delegation(actor=manager, data=self.valid(manager)))
        assert set(fields) == {"delegate_id"}

    def test_an_inactive_user_cannot_stand_in(self, manager, manager2):
        manager2.is_active = False
        manager2.save(update_fields=["is_active"])
        fields = refused_fields(lambda: services.create_delegation(actor=manager, data=self.valid(manager2)))
        assert set(fields) == {"delegate_id"}

    def test_only_the_approver_cancels_his_delegation_and_once(self, manager, manager2):
        given = services.create_delegation(actor=manager, data=self.valid(manager2))
        with pytest.raises(NotFound):
            services.cancel_delegation(actor=manager2, delegation_id=given.pk)  # not his to cancel

        services.cancel_delegation(actor=manager, delegation_id=given.pk)
        services.cancel_delegation(actor=manager, delegation_id=given.pk)

        assert Delegation.objects.get(pk=given.pk).cancelled_at is not None
        assert AuditEvent.objects.filter(object_type="approvals.delegation", action="revoked").count() == 1


class TestCreditOverrides:
    def valid(self, **changes) -> dict:
        return {"amount": "50000", "expires_on": days(30), "reason": "年底备货，分期付款已确认", **changes}

    def test_finance_grants_an_override_and_it_is_audited_on_the_customer(self, finance, customer):
        override = services.grant_override(actor=finance, customer_id=customer.pk, data=self.valid())
        assert (override.amount, override.granted_by, override.revoked_at) == (D("50000.00"), finance, None)
        granted = audit_event(customer, "credit_override_granted")
        assert granted.actor == finance
        assert granted.after == {"override": override.pk, "extra_credit": "50000.00", "valid_until": days(30),
                                 "reason": "年底备货，分期付款已确认"}

    def test_no_amount_is_an_unlimited_override_and_an_administrator_may_grant_too(self, admin, customer):
        override = services.grant_override(actor=admin, customer_id=customer.pk, data=self.valid(amount=""))
        assert override.amount is None

    @pytest.mark.parametrize("changes, fields", [
        ({"amount": "0"}, {"amount"}),
        ({"amount": "-100"}, {"amount"}),
        ({"amount": "1.001"}, {"amount"}),
        ({"amount": "lots"}, {"amount"}),
        ({"expires_on": days(-1)}, {"expires_on"}),
        ({"expires_on": days(367)}, {"expires_on"}),
        ({"expires_on": ""}, {"expires_on"}),
        ({"expires_on": "tomorrow"}, {"expires_on"}),
        ({"reason": ""}, {"reason"}),
        ({"reason": "  "}, {"reason"}),
        ({"reason": "x" * 201}, {"reason"}),
        ({"reason": "bad\x00"}, {"reason"}),
        ({"customer_id": 3}, {"customer_id"}),
    ])
    def test_every_bad_field_is_named_and_nothing_is_written(self, finance, customer, changes, fields):
        data = self.valid(**changes)
        assert set(refused_fields(lambda: services.grant_override(actor=finance, customer_id=customer.pk,
                                                                  data=data))) == fields
        assert not CreditOverride.objects.exists()

    def test_an_override_may_end_today(self, finance, customer):
        services.grant_override(actor=finance, customer_id=customer.pk, data=self.valid(expires_on=days(0)))

    @pytest.mark.parametrize("role", [Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.WAREHOUSE])
    def test_only_finance_and_administrators_grant_or_revoke(self, make_user, finance, customer, role):
        someone = make_user(role)
        with pytest.raises(Forbidden):
            services.grant_override(actor=someone, customer_id=customer.pk, data=self.valid())
        override = services.grant_override(actor=finance, customer_id=customer.pk, data=self.valid())
        with pytest.raises(Forbidden):
            services.revoke_override(actor=someone, override_id=override.pk)
        assert CreditOverride.objects.get().revoked_at is None

    def test_an_unknown_customer_or_override_is_not_found(self, finance):
        with pytest.raises(NotFound):
            services.grant_override(actor=finance, customer_id=987654, data=self.valid())
        with pytest.raises(NotFound):
            services.revoke_override(actor=finance, override_id=987654)

    def test_revoking_ends_it_once_and_is_audited(self, finance, customer):
        override = services.grant_override(actor=finance, customer_id=customer.pk, data=self.valid())
        services.revoke_override(actor=finance, override_id=override.pk)
        services.revoke_override(actor=finance, override_id=override.pk)
        assert CreditOverride.objects.get().revoked_at is not None
        assert AuditEvent.objects.filter(action="credit_override_revoked").count() == 1
