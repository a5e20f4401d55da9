from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How the history panel names what the approval services record.
ACTION_LABELS = {
    "approval_evaluated": pgettext_lazy("audit action", "Approval rules evaluated"),
    "approval_requested": pgettext_lazy("audit action", "Sent for approval"),
    "pending_approval": pgettext_lazy("audit action", "Waiting for approval"),
    "approval_given": pgettext_lazy("audit action", "Approved (step)"),
    "approval_approved": pgettext_lazy("audit action", "Approval complete"),
    "approval_rejected": pgettext_lazy("audit action", "Approval rejected"),
    "approval_withdrawn": pgettext_lazy("audit action", "Approval withdrawn"),
    "returned_to_draft": pgettext_lazy("audit action", "Returned to draft"),
    "credit_override_granted": pgettext_lazy("audit action", "Credit override granted"),
    "credit_override_revoked": pgettext_lazy("audit action", "Credit override revoked"),
}

# How history panels (orders, customers) name the keys the approval services record.
HISTORY_LABELS = {
    "reasons": _("Reasons"),
    "route": _("Route"),
    "request": _("Approval request"),
    "steps": _("Steps"),
    "step": _("Step"),
    "approver": _("Approver"),
    "acted_by": _("Decided by (stand-in)"),
    "comment": _("Comment"),
    "why": _("Why"),
    "override": _("Credit override"),
    "extra_credit": _("Extra credit"),
    "valid_until": _("Valid until"),
    "reason": _("Reason"),
}

# How notifications read (the reader's language, at reading time).
MESSAGES = {
    "approval_needed": _("%(number)s (%(customer)s) is waiting for your approval."),
    "approval_approved": _("%(number)s was approved by %(by)s and is confirmed."),
    "approval_rejected": _("%(number)s was rejected by %(by)s: %(comment)s"),
}


def reasons_in_words(reasons) -> str:
    """Stored reasons as the history panel shows them: in the reader's language, no cost figures."""
    from kaidan.approvals.conditions import reason_text

    return "; ".join(reason_text(r, show_cost=False) if isinstance(r, dict) and "code" in r else str(r)
                     for r in reasons)


class ApprovalsConfig(AppConfig):
    name = "kaidan.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from kaidan.approvals.flow import Gate
        from kaidan.approvals.panels import route_context
        from kaidan.approvals.selectors import inbox_count
        from kaidan.core.audit import register_action_labels, register_key_labels
        from kaidan.core.context_processors import register_count
        from kaidan.core.notifications import register_messages
        from kaidan.sales import approval_gate, panels

        register_action_labels(ACTION_LABELS)
        register_key_labels(HISTORY_LABELS, {"reasons": reasons_in_words})
        register_messages(MESSAGES)
        register_count("approval_inbox", inbox_count)
        approval_gate.register(Gate())
        panels.register("top", "approvals/_route.html", route_context)
