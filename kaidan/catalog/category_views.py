"""Category pages: the tree, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kaidan.catalog import selectors, services
from kaidan.catalog.forms import CategoryForm
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, NotFound
from kaidan.core.roles import Capability, has_capability
from kaidan.core.selectors import history_panel
from kaidan.core.views import apply_errors


@view_requires(Capability.VIEW_PRODUCTS)
@require_safe
def category_list(request):
    return render(request, "catalog/category_list.html", {
        "nodes": selectors.category_tree(with_counts=True),
        "can_change": has_capability(request.user, Capability.CHANGE_PRODUCTS),
    })


@view_requires(Capability.CHANGE_PRODUCTS)
@require_http_methods(["GET", "POST"])
def category_create(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.create_category(actor=request.user, data=form.service_data())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Category %(name)s created.") % {"name": category.name})
            return redirect("category_list")
    return render(request, "catalog/category_form.html", {"form": form, "category": None})


@view_requires(Capability.CHANGE_PRODUCTS)
@require_http_methods(["GET", "POST"])
def category_edit(request, category_id: int):
    category = selectors.category(category_id)
    if category is None:
        raise Http404
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_category(actor=request.user, category_id=category.pk, data=form.service_data())
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("category_list")
    return render(request, "catalog/category_form.html",
                  {"form": form, "category": category, "history": history_panel(category)})
