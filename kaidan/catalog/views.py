"""Product pages: the list with live search, the detail page, create/edit, deactivate/delete, and
the substitute list. (Pictures: image_views.py; categories: category_views.py.)"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.catalog import selectors, services
from kaidan.catalog.forms import ImageUploadForm, ProductFilterForm, ProductForm, SubstitutesForm
from kaidan.core.access import view_requires
from kaidan.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability, has_capability
from kaidan.core.views import apply_errors

VIEW, CHANGE = Capability.VIEW_PRODUCTS, Capability.CHANGE_PRODUCTS
PAGE_SIZE = 50
SORTABLE = [("sku", gettext_lazy("SKU")), ("name", gettext_lazy("Name")), ("brand", gettext_lazy("Brand")),
            ("list_price", gettext_lazy("List price"))]


def is_partial(request) -> bool:
    """An htmx request for a fragment (not the full page htmx asks for when going back in history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def get_product_or_404(product_id: int):
    product = selectors.product_detail(product_id)
    if product is None:
        raise Http404
    return product


def _sort_columns(sort: str) -> list[dict]:
    columns = []
    for key, label in SORTABLE:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns.append({"key": key, "label": label, "next": f"-{key}" if current and not descending else key,
                        "arrow": ("▼" if descending else "▲") if current else ""})
    return columns


@view_requires(VIEW)
@require_safe
def product_list(request):
    filters = ProductFilterForm(request.GET)
    sort = request.GET.get("sort") or "sku"
    products = selectors.products(**filters.wanted())
    try:
        products = apply_sort(products, sort, allowed=selectors.PRODUCT_SORTS, default=["sku"])
    except ValidationFailed:
        sort, products = "sku", apply_sort(products, None, allowed=selectors.PRODUCT_SORTS, default=["sku"])
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "columns": _sort_columns(sort),
               "can_change": has_capability(request.user, CHANGE)}
    template = "catalog/_product_rows.html" if is_partial(request) else "catalog/product_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def substitute_rows(product) -> list[dict]:
    """Each substitute with the whole list as it would be after moving it up, down, or removing it."""
    links = list(product.substitute_links.all())
    ids = [link.substitute_id for link in links]

    def joined(order):
        return ",".join(str(pk) for pk in order)

    rows = []
    for i, link in enumerate(links):
        up = ids[:i - 1] + [ids[i], ids[i - 1]] + ids[i + 1:] if i > 0 else None
        down = ids[:i] + [ids[i + 1], ids[i]] + ids[i + 2:] if i < len(ids) - 1 else None
        rows.append({"link": link, "up": up and joined(up), "down": down and joined(down),
                     "remove": joined(ids[:i] + ids[i + 1:])})
    return rows


def detail_context(request, product, **extra) -> dict:
    return {
        "product": product,
        "images": list(product.images.all()),
        "substitutes": substitute_rows(product),
        "substitute_ids": ",".join(str(link.substitute_id) for link in product.substitute_links.all()),
        "category_path": selectors.category_path(product.category_id),
        "can_change": has_capability(request.user, CHANGE),
        "upload_form": ImageUploadForm(),
        "history": selectors.product_history(product),
        **extra,
    }


@view_requires(VIEW)
@require_safe
def product_detail(request, product_id: int):
    product = get_product_or_404(product_id)
    return render(request, "catalog/product_detail.html", detail_context(request, product))


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(actor=request.user, data=form.service_data())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
            return redirect("product_detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": None})


@view_requires(CHANGE)
@require_http_methods(["GET", "POST"])
def product_edit(request, product_id: int):
    product = get_product_or_404(product_id)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(actor=request.user, product_id=product.pk, version=form.cleaned_data["version"],
                                    data=form.service_data())
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect("product_detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@view_requires(CHANGE)
@require_POST
def product_deactivate(request, product_id: int):
    try:
        services.deactivate_product(actor=request.user, product_id=product_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Product deactivated: it can no longer be picked for new orders."))
    return redirect("product_detail", product_id=product_id)


@view_requires(CHANGE)
@require_POST
def product_delete(request, product_id: int):
    try:
        services.delete_product(actor=request.user, product_id=product_id)
    except NotFound:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("product_detail", product_id=product_id)
    messages.success(request, _("Product deleted."))
    return redirect("product_list")


@view_requires(CHANGE)
@require_POST
def product_substitutes(request, product_id: int):
    """Save the whole ordered list of substitutes (every button of the list posts the list it wants)."""
    form = SubstitutesForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.set_substitutes(actor=request.user, product_id=product_id, substitute_ids=form.cleaned_data["ids"])
        except NotFound:
            raise Http404 from None
        except ValidationFailed as exc:
            error = "; ".join(msg for msgs in exc.fields.values() for msg in msgs)
    else:
        error = "; ".join(form.errors.get("ids", []))
    product = get_product_or_404(product_id)
    if is_partial(request):
        return render(request, "catalog/_substitutes.html",
                      detail_context(request, product, substitute_error=error, oob_history=True))
    if error:
        messages.error(request, error)
    return redirect("product_detail", product_id=product_id)


@view_requires(CHANGE)
@require_safe
def substitute_candidates(request, product_id: int):
    """The picker under the substitute list: active products matching the words, not yet listed."""
    product = get_product_or_404(product_id)
    current = [link.substitute_id for link in product.substitute_links.all()]
    q = (request.GET.get("q") or "").replace("\x00", "")[:200]
    found = selectors.picker(q, limit=10, exclude_ids={product.pk, *current}) if q.strip() else []
    base = ",".join(str(pk) for pk in current)
    candidates = [{**row, "ids": f"{base},{row['id']}" if base else str(row["id"])} for row in found]
    return render(request, "catalog/_substitute_candidates.html",
                  {"product": product, "candidates": candidates, "q": q})
