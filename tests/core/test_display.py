"""Names and amounts as people read them."""

from decimal import Decimal

from django.contrib.auth.models import User
from django.template import Context, Template

from kaidan.core.display import display_name


def test_chinese_names_are_family_first_without_a_space():
    assert display_name(User(username="zm", first_name="敏", last_name="赵")) == "赵敏"


def test_western_names_are_given_then_family():
    assert display_name(User(username="ab", first_name="Anna", last_name="Berg")) == "Anna Berg"


def test_no_name_falls_back_to_the_username():
    assert display_name(User(username="warehouse")) == "warehouse"


def test_template_filters_format_money_and_capitals():
    html = Template("{% load kaidan %}{{ a|money }} {{ a|capitals }} {{ b|money:'USD' }}").render(
        Context({"a": Decimal("12345.67"), "b": Decimal("-3")}))
    assert html == "¥12,345.67 壹万贰仟叁佰肆拾伍元陆角柒分 -$3.00"
