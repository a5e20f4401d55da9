"""Template filters: {{ amount|money }}, {{ amount|money:"USD" }}, {{ amount|capitals }}, {{ user|person }}."""

from django import template

from kaidan.core import money as money_module
from kaidan.core.audit import action_label
from kaidan.core.display import display_name

register = template.Library()


@register.filter
def money(amount, currency="CNY"):
    if amount is None or amount == "":
        return ""
    return money_module.format_money(amount, currency)


@register.filter
def capitals(amount):
    if amount is None or amount == "":
        return ""
    return money_module.chinese_capitals(amount)


@register.filter
def person(user):
    return display_name(user) if user is not None else "—"


@register.filter
def audit_action(action):
    return action_label(action)
