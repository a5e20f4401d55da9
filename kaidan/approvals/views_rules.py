"""Approval rules: the list (everyone may look), the editor (administrators) with its route of steps,
and the "test this rule on an order" preview, which evaluates the unsaved rule without writing.
Edits carry the rule's version: a rule changed by someone else meanwhile is refused, never
overwritten."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.approvals import selectors, services
from kaidan.approvals.forms import PreviewForm, RuleForm, step_formset
from kaidan.approvals.views import banner, is_partial
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.money import format_money, plain_number
from kaidan.core.roles import Capability, has_capability
from kaidan.sales.selectors import orders_visible_to

VIEW, MANAGE = Capability.VIEW_APPROVAL_RULES, Capability.MANAGE_APPROVAL_RULES


@view_requires(VIEW)
@require_safe
def rule_list(request):
    rules = list(selectors.rules())
    rows = [{"rule": r, "condition": selectors.condition_text(r), "steps": selectors.rule_steps_text(r)} for r in rules]
    return render(request, "approvals/rule_list.html", {
        "rows": rows, "tab": "rules", "can_manage": has_capability(request.user, MANAGE)})


def _show_rule_errors(form, steps, rows: list[int], exc: DomainError) -> list[str]:
    """The service's errors beside the fields: ``steps.N.role`` on the row of the page that became
    step N; errors about the route as a whole are returned, to show above the steps."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, str(exc.message))
        return []
    route_errors = []
    for field, field_messages in exc.fields.items():
        parts = field.split(".")
        for message in field_messages:
            if parts[0] != "steps":
                form.add_error(parts[0] if parts[0] in form.fields else None, message)
            elif len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = steps.forms[rows[int(parts[1])]]
                name = row.SERVICE_NAMES.get(parts[2], parts[2]) if len(parts) > 2 else None
                row.add_error(name if name in row.fields else None, message)
            else:
                route_errors.append(message)
    return route_errors


def _shaped(form, steps) -> tuple[dict | None, list[int]]:
    """The rule as the service wants it, or None when a form field could not even be read."""
    if not (form.is_valid() and steps.is_valid()):
        return None, []
    items, rows = steps.service_steps()
    return form.service_data(items), rows


def _editor(request, rule, form, steps, *, status: int = 200, route_errors=(), preview=None, preview_form=None):
    context = {"form": form, "steps": steps, "rule": rule, "route_errors": list(route_errors), "tab": "rules",
               "preview": preview, "preview_form": preview_form or PreviewForm()}
    template = "approvals/_rule_editor.html" if is_partial(request) else "approvals/rule_form.html"
    return render(request, template, context, status=status)


def _rule_page(request, rule=None):
    data = request.POST if request.method == "POST" else None
    more = data is not None and "more" in data
    form = RuleForm(data, rule=rule)
    steps = step_formset(data, rule=rule, more=more)
    if data is None or more:
        return _editor(request, rule, form, steps)
    shaped, rows = _shaped(form, steps)
    if shaped is None:
        return _editor(request, rule, form, steps, status=422)
    version = form.cleaned_data.get("version")
    try:
        if rule is None:
            saved = services.create_rule(actor=request.user, data=shaped)
        else:
            if version is None:
                raise StaleEdit()
            saved = services.update_rule(actor=request.user, rule_id=rule.pk, data=shaped, version=version)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except StaleEdit as exc:
        form.add_error(None, str(exc.message))
        return _editor(request, rule, form, steps, status=409)
    except DomainError as exc:
        route_errors = _show_rule_errors(form, steps, rows, exc)
        return _editor(request, rule, form, steps, status=422, route_errors=route_errors)
    messages.success(request, _("Approval rule “%(name)s” saved.") % {"name": saved.name})
    return redirect("approval_rule_list")


def _rule_or_404(rule_id: int):
    rule = selectors.rules().filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_create(request):
    return _rule_page(request)


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request, approval_rule_id: int):
    return _rule_page(request, _rule_or_404(approval_rule_id))


@view_requires(MANAGE)
@require_POST
def rule_delete(request, approval_rule_id: int):
    raw = request.POST.get("version") or ""
    try:
        services.delete_rule(actor=request.user, rule_id=approval_rule_id,
                             version=int(raw) if raw.isdigit() and len(raw) < 10 else -1)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, banner(exc))
        return redirect("approval_rule_edit", approval_rule_id=approval_rule_id)
    messages.success(request, _("Approval rule deleted."))
    return redirect("approval_rule_list")


# -- preview -----------------------------------------------------------------------------------------

def _find_order(user, typed: str):
    typed = typed.strip().replace("\x00", "")[:40]
    if not typed:
        return None
    orders = orders_visible_to(user).select_related("customer")
    query = Q(number__iexact=typed)
    if typed.isdigit() and len(typed) < 19:
        query |= Q(pk=int(typed))
    return orders.filter(query).order_by("-pk").first()


def _facts_in_words(facts: dict) -> list[tuple[str, str]]:
    currency = facts.get("currency") or "CNY"

    def money(name):
        return format_money(Decimal(facts[name]), currency)

    discount = _("%(percent)s%%") % {"percent": plain_number(Decimal(facts["max_discount"]))}
    if facts.get("max_discount_line"):
        discount = _("%(percent)s%% on line %(line)s") % {"percent": plain_number(Decimal(facts["max_discount"])),
                                                          "line": facts["max_discount_line"]}
    if facts.get("unlimited_override"):
        limit = _("No limit (temporary override)")
    elif Decimal(facts["credit_limit"]) > 0:
        limit = money("credit_limit")
    else:
        limit = _("None set")
    margin = facts.get("margin")
    return [(_("Order total"), money("gross")), (_("Highest line discount"), discount),
            (_("Margin"), "—" if margin is None else _("%(percent)s%%") % {"percent": plain_number(Decimal(margin))}),
            (_("Exposure with this order"), money("exposure")), (_("Credit limit"), limit),
            (_("Most overdue invoice"), _("%(days)s days") % {"days": facts.get("overdue_days", 0)}),
            (_("Customer blocked"), _("Yes") if facts.get("customer_blocked") else _("No")),
            (_("New customer"), _("Yes") if facts.get("customer_new") else _("No"))]


@view_requires(MANAGE)
@require_POST
def rule_preview(request, approval_rule_id: int | None = None):
    """Would the rule as it stands in the editor (unsaved) hold for an existing order, and why."""
    rule = _rule_or_404(approval_rule_id) if approval_rule_id else None
    form = RuleForm(request.POST, rule=rule)
    steps = step_formset(request.POST, rule=rule)
    preview_form = PreviewForm(request.POST)
    preview_form.is_valid()
    preview = {"errors": []}
    order = _find_order(request.user, preview_form.cleaned_data.get("order") or "")
    shaped, rows = _shaped(form, steps)
    route_errors = []
    if order is None:
        preview_form.add_error("order", _("No order you can see has this number."))
    elif shaped is None:
        preview["errors"].append(_("Correct the rule first."))
    else:
        try:
            checked = services.check_rule(shaped)
        except ValidationFailed as exc:
            route_errors = _show_rule_errors(form, steps, rows, exc)
            preview["errors"].append(_("Correct the rule first."))
        else:
            result = selectors.preview(checked, order)
            preview.update(result, order=order, facts_text=_facts_in_words(result["facts"]))
    return _editor(request, rule, form, steps, route_errors=route_errors, preview=preview,
                   preview_form=preview_form)
