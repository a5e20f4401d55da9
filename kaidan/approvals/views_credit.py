"""Finance's temporary credit overrides, granted and revoked from the customer page (whose credit panel
is approvals/_credit.html, filled by panels.credit_context). A grant with a field to fix shows its
own small page with the customer's credit and the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kaidan.approvals import panels, services
from kaidan.approvals.forms import OverrideForm
from kaidan.approvals.models import CreditOverride
from kaidan.approvals.views import show_errors
from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden, NotFound
from kaidan.core.roles import Capability
from kaidan.parties.selectors import customers_visible_to

GRANT = Capability.GRANT_CREDIT_OVERRIDE


def _customer_or_404(request, customer_id: int):
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer


@view_requires(GRANT)
@require_http_methods(["GET", "POST"])
def override_grant(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = OverrideForm(request.POST or None, auto_id="override-%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_override(actor=request.user, customer_id=customer.pk, data=form.service_data())
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Credit override granted to %(name)s.") % {"name": customer.name})
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "approvals/override_form.html",
                  {"customer": customer, **panels.credit_context(request, customer, form=form)},
                  status=422 if form.is_bound else 200)


@view_requires(GRANT)
@require_POST
def override_revoke(request, override_id: int):
    customer_id = CreditOverride.objects.filter(pk=override_id).values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise Http404
    _customer_or_404(request, customer_id)
    try:
        services.revoke_override(actor=request.user, override_id=override_id)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("Credit override revoked."))
    return redirect("customer_detail", customer_id=customer_id)
