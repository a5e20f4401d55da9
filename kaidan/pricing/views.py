"""Pricing pages: price lists (with their items), promotions and the discount limits per role.
Every role may look (VIEW_PRICING); sales managers and admins edit (CHANGE_PRICING). The views only
shape input and call the services, whose errors are shown beside the fields."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core import selectors as core_selectors
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, NotFound, ValidationFailed
from kaidan.core.roles import Capability, Role, has_capability
from kaidan.core.views import apply_errors
from kaidan.pricing import promotion_services, selectors, services
from kaidan.pricing.forms import (
    DiscountLimitForm,
    PriceListForm,
    PriceListItemForm,
    PromotionForm,
    renamed,
)
from kaidan.pricing.models import Promotion

VIEW, CHANGE = Capability.VIEW_PRICING, Capability.CHANGE_PRICING
PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 100
STATES = [("", gettext_lazy("All")), ("active", gettext_lazy("Active")), ("inactive", gettext_lazy("Inactive"))]


class ListFilterForm(django_forms.Form):
    q = django_forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    state = django_forms.ChoiceField(label=gettext_lazy("State"), required=False, choices=STATES)
    kind = django_forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                                    choices=[("", gettext_lazy("All"))] + list(Promotion.Kind.choices))

    def wanted(self) -> dict:
        """The filters to apply; a bad value is ignored rather than shown as an error."""
        self.is_valid()
        data = self.cleaned_data
        return {"q": data.get("q") or None, "active": {"active": True, "inactive": False}.get(data.get("state")),
                "kind": data.get("kind") or None}


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def show_errors(form, exc: DomainError) -> None:
    """The service's error beside the form's field (under the form's name for it), the rest on top."""
    if isinstance(exc, ValidationFailed):
        exc = renamed(exc, getattr(form, "SERVICE_NAMES", {}))
    apply_errors(form, exc)


def _price_list_or_404(request, price_list_id: int):
    price_list = selectors.price_list_detail(request.user, price_list_id)
    if price_list is None:
        raise Http404
    return price_list


def _promotion_or_404(promotion_id: int):
    promotion = selectors.promotion_detail(promotion_id)
    if promotion is None:
        raise Http404
    return promotion


@view_requires(VIEW)
@require_safe
def price_list_list(request):
    filters = ListFilterForm(request.GET)
    wanted = filters.wanted()
    lists = selectors.price_list_list(request.user, q=wanted["q"], active=wanted["active"])
    page = Paginator(lists, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "can_change": has_capability(request.user, CHANGE)}
    template = "pricing/_price_list_rows.html" if is_partial(request) else "pricing/price_list_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _items_context(request, price_list, item_form=None) -> dict:
    items = selectors.price_list_items(price_list.pk)
    return {"price_list": price_list, "can_change": has_capability(request.user, CHANGE),
            "items": Paginator(items, ITEMS_PAGE_SIZE).get_page(request.GET.get("page")),
            "item_form": item_form or PriceListItemForm(initial={"min_quantity": 0})}


def _detail(request, price_list, item_form=None, status=200):
    context = {**_items_context(request, price_list, item_form), "history": core_selectors.history_panel(price_list)}
    return render(request, "pricing/price_list_detail.html", context, status=status)


@view_requires(VIEW)
@require_safe
def price_list_detail(request, price_list_id: int):
    return _detail(request, _price_list_or_404(request, price_list_id))


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def price_list_create(request):
    form = PriceListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            price_list = services.create_price_list(actor=request.user, data=form.service_data())
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Price list %(code)s created.") % {"code": price_list.code})
            return redirect("price_list_detail", price_list_id=price_list.pk)
    return render(request, "pricing/price_list_form.html", {"form": form, "price_list": None},
                  status=422 if form.errors else 200)


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def price_list_edit(request, price_list_id: int):
    price_list = _price_list_or_404(request, price_list_id)
    form = PriceListForm(request.POST or None, user=request.user, instance=price_list)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_price_list(actor=request.user, price_list_id=price_list.pk,
                                       version=form.cleaned_data["version"] or 0, data=form.service_data())
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Price list saved."))
            return redirect("price_list_detail", price_list_id=price_list.pk)
    return render(request, "pricing/price_list_form.html", {"form": form, "price_list": price_list},
                  status=422 if form.errors else 200)


@view_requires(CHANGE)
@require_POST
def price_list_deactivate(request, price_list_id: int):
    try:
        services.deactivate_price_list(actor=request.user, price_list_id=price_list_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Price list deactivated: it no longer prices new orders."))
    return redirect("price_list_detail", price_list_id=price_list_id)


def _items_answer(request, price_list_id: int, form=None, ok_message: str = ""):
    """After adding or removing an item: the items partial for htmx, else the page (422 with errors)."""
    price_list = _price_list_or_404(request, price_list_id)
    failed = form is not None and bool(form.errors)
    if is_partial(request):
        return render(request, "pricing/_items.html",
                      {**_items_context(request, price_list, form if failed else None), "oob_history": not failed,
                       "history": [] if failed else core_selectors.history_panel(price_list)})
    if failed:
        return _detail(request, price_list, form, status=422)
    if ok_message:
        messages.success(request, ok_message)
    return redirect("price_list_detail", price_list_id=price_list_id)


@view_requires(CHANGE)
@require_POST
def price_list_item_add(request, price_list_id: int):
    form = PriceListItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_price_list_item(actor=request.user, price_list_id=price_list_id, data=form.service_data())
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            show_errors(form, exc)
    return _items_answer(request, price_list_id, form, _("Price added."))


@view_requires(CHANGE)
@require_POST
def price_list_item_remove(request, price_list_id: int, item_id: int):
    try:
        services.remove_price_list_item(actor=request.user, price_list_id=price_list_id, item_id=item_id)
    except NotFound:
        raise Http404 from None
    return _items_answer(request, price_list_id, ok_message=_("Price removed."))


@view_requires(VIEW)
@require_safe
def promotion_list(request):
    filters = ListFilterForm(request.GET)
    page = Paginator(selectors.promotion_list(**filters.wanted()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "can_change": has_capability(request.user, CHANGE)}
    template = "pricing/_promotion_rows.html" if is_partial(request) else "pricing/promotion_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@view_requires(VIEW)
@require_safe
def promotion_detail(request, promotion_id: int):
    promotion = _promotion_or_404(promotion_id)
    return render(request, "pricing/promotion_detail.html", {
        "promotion": promotion, "can_change": has_capability(request.user, CHANGE),
        "history": core_selectors.history_panel(promotion)})


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def promotion_create(request):
    form = PromotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            promotion = promotion_services.create_promotion(actor=request.user, data=form.service_data())
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Promotion %(code)s created.") % {"code": promotion.code})
            return redirect("promotion_detail", promotion_id=promotion.pk)
    return render(request, "pricing/promotion_form.html", {"form": form, "promotion": None},
                  status=422 if form.errors else 200)


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def promotion_edit(request, promotion_id: int):
    promotion = _promotion_or_404(promotion_id)
    form = PromotionForm(request.POST or None, instance=promotion)
    if request.method == "POST" and form.is_valid():
        try:
            promotion_services.update_promotion(actor=request.user, promotion_id=promotion.pk,
                                                version=form.cleaned_data["version"] or 0, data=form.service_data())
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Promotion saved."))
            return redirect("promotion_detail", promotion_id=promotion.pk)
    return render(request, "pricing/promotion_form.html", {"form": form, "promotion": promotion},
                  status=422 if form.errors else 200)


@view_requires(CHANGE)
@require_POST
def promotion_deactivate(request, promotion_id: int):
    try:
        promotion_services.deactivate_promotion(actor=request.user, promotion_id=promotion_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Promotion deactivated."))
    return redirect("promotion_detail", promotion_id=promotion_id)


def _limit_rows(failed_form=None, failed_role: str | None = None) -> list[dict]:
    rows = []
    for row in selectors.discount_limits():
        form = failed_form if row["role"] == failed_role else DiscountLimitForm(
            prefix=row["role"], initial={"max_percent": row["max_percent"]})
        rows.append({**row, "form": form})
    return rows


@view_requires(VIEW)
@require_safe
def discount_limits(request):
    return render(request, "pricing/discount_limits.html",
                  {"rows": _limit_rows(), "can_change": has_capability(request.user, CHANGE)})


@view_requires(CHANGE)
@require_POST
def discount_limit_save(request, role: str):
    if role not in Role.values:
        raise Http404
    form = DiscountLimitForm(request.POST, prefix=role)
    if form.is_valid():
        try:
            services.set_discount_limit(actor=request.user, role=role, max_percent=form.cleaned_data["max_percent"])
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Discount limit saved."))
            return redirect("discount_limits")
    return render(request, "pricing/discount_limits.html",
                  {"rows": _limit_rows(form, role), "can_change": True}, status=422)

