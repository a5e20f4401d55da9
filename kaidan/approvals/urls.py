from django.urls import path

from kaidan.approvals import views, views_credit, views_rules

urlpatterns = [
    path("", views.inbox, name="approval_inbox"),
    path("history/", views.history, name="approval_history"),
    path("<int:approval_id>/approve/", views.approve, name="approval_approve"),
    path("<int:approval_id>/reject/", views.reject, name="approval_reject"),
    path("delegations/", views.delegations, name="approval_delegations"),
    path("delegations/<int:delegation_id>/cancel/", views.delegation_cancel, name="approval_delegation_cancel"),
    path("rules/", views_rules.rule_list, name="approval_rule_list"),
    path("rules/new/", views_rules.rule_create, name="approval_rule_create"),
    path("rules/preview/", views_rules.rule_preview, name="approval_rule_preview"),
    path("rules/<int:approval_rule_id>/edit/", views_rules.rule_edit, name="approval_rule_edit"),
    path("rules/<int:approval_rule_id>/preview/", views_rules.rule_preview, name="approval_rule_preview_edit"),
    path("rules/<int:approval_rule_id>/delete/", views_rules.rule_delete, name="approval_rule_delete"),
    path("credit/<int:customer_id>/overrides/", views_credit.override_grant, name="credit_override_grant"),
    path("credit/overrides/<int:override_id>/revoke/", views_credit.override_revoke, name="credit_override_revoke"),
]
