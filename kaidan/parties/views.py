"""Customer pages: list with live search, detail with addresses/contacts/history, create and edit.
The views only shape input and call the services; the record rule comes from the selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.approvals import panels as approval_panels
from kaidan.core import selectors as core_selectors
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError
from kaidan.core.roles import Capability, has_capability
from kaidan.core.views import apply_errors
from kaidan.parties import selectors, services, services_people
from kaidan.parties.forms import AddressForm, BlockForm, ContactForm, CustomerFilterForm, CustomerForm
from kaidan.parties.models import Address, Contact

PAGE_SIZE = 50


def _customer_or_404(request, customer_id: int):
    customer = selectors.customer_detail(request.user, customer_id)
    if customer is None:
        raise Http404
    return customer


@view_requires(Capability.VIEW_CUSTOMERS)
@require_safe
def customer_list(request):
    filters = CustomerFilterForm(request.GET)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    customers = selectors.customer_list(request.user, q=wanted.get("q"), status=wanted.get("status") or None,
                                        group_id=wanted["group"].pk if wanted.get("group") else None,
                                        sort=wanted.get("sort") or None)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "query": request.GET.urlencode(),
               "can_add": has_capability(request.user, Capability.ADD_CUSTOMER)}
    template = "parties/_customer_rows.html" if request.htmx else "parties/customer_list.html"
    return render(request, template, context)


@view_requires(Capability.VIEW_CUSTOMERS)
@require_safe
def customer_detail(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    user = request.user
    return render(request, "parties/customer_detail.html", {
        "customer": customer,
        "history": core_selectors.history_panel(customer, Address, Contact),
        "can_change": has_capability(user, Capability.CHANGE_CUSTOMER),
        "can_block": has_capability(user, Capability.SET_CREDIT_LIMIT),
        "address_form": AddressForm(prefix="address"),
        "contact_form": ContactForm(prefix="contact"),
        "block_form": BlockForm(),
        **approval_panels.credit_context(request, customer),
    })


@view_requires(Capability.ADD_CUSTOMER)
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(actor=request.user, data=form.service_data())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "parties/customer_form.html", {"form": form, "customer": None})


@view_requires(Capability.CHANGE_CUSTOMER)
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user,
                        initial={"version": customer.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(actor=request.user, customer_id=customer.pk,
                                     version=form.cleaned_data["version"] or 0, data=form.service_data())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "parties/customer_form.html", {"form": form, "customer": customer})


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def customer_status(request, customer_id: int, status: str):
    form = BlockForm(request.POST) if status == "blocked" else None
    reason = form.cleaned_data["reason"] if form is not None and form.is_valid() else ""
    try:
        services.set_customer_status(actor=request.user, customer_id=customer_id, status=status, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message if not getattr(exc, "fields", None)
                       else "; ".join(m for msgs in exc.fields.values() for m in msgs))
    else:
        messages.success(request, _("Status changed."))
    return redirect("customer_detail", customer_id=customer_id)


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def customer_delete(request, customer_id: int):
    try:
        services.delete_customer(actor=request.user, customer_id=customer_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("customer_detail", customer_id=customer_id)
    messages.success(request, _("Customer deleted."))
    return redirect("customer_list")


def _save_child(request, customer_id, form_class, prefix, save, child_id=None, instance=None):
    customer = _customer_or_404(request, customer_id)
    form = form_class(request.POST, prefix=prefix, instance=instance)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form_class.Meta.fields}
        try:
            save(actor=request.user, customer_id=customer.pk, data=data, **child_id)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "parties/child_form.html", {"form": form, "customer": customer}, status=422)


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def address_save(request, customer_id: int, address_id: int | None = None):
    instance = Address.objects.filter(pk=address_id, customer_id=customer_id).first() if address_id else None
    kwargs = {"address_id": address_id} if address_id else {}
    return _save_child(request, customer_id, AddressForm, "address", services_people.save_address, kwargs, instance)


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def contact_save(request, customer_id: int, contact_id: int | None = None):
    instance = Contact.objects.filter(pk=contact_id, customer_id=customer_id).first() if contact_id else None
    kwargs = {"contact_id": contact_id} if contact_id else {}
    return _save_child(request, customer_id, ContactForm, "contact", services_people.save_contact, kwargs, instance)


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def address_delete(request, customer_id: int, address_id: int):
    try:
        services_people.delete_address(actor=request.user, customer_id=customer_id, address_id=address_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customer_detail", customer_id=customer_id)


@view_requires(Capability.CHANGE_CUSTOMER)
@require_POST
def contact_delete(request, customer_id: int, contact_id: int):
    try:
        services_people.delete_contact(actor=request.user, customer_id=customer_id, contact_id=contact_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customer_detail", customer_id=customer_id)
