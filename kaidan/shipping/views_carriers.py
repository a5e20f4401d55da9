"""Carriers (settings): the list everyone who sees deliveries may read, and for the warehouse and
administrators (MANAGE_CARRIERS) the form to add or edit one and the button that makes the key its
integration posts tracking events with — shown once, on the page that answers the button, and
stored only hashed. Edits carry the carrier's version: a carrier changed meanwhile is refused."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden, NotFound, StaleEdit
from kaidan.shipping import carriers as carrier_services
from kaidan.shipping.forms import CarrierForm
from kaidan.shipping.models import Carrier
from kaidan.shipping.views import MANAGE, VIEW, can, show_errors


def _carrier_or_404(carrier_id: int) -> Carrier:
    carrier = Carrier.objects.filter(pk=carrier_id).first()
    if carrier is None:
        raise Http404
    return carrier


@view_requires(VIEW)
@require_safe
def carrier_list(request):
    return render(request, "shipping/carrier_list.html", {
        "carriers": Carrier.objects.order_by("-active", "code"), "can": can(request), "tab": "carriers"})


def _carrier_page(request, carrier: Carrier | None = None):
    form = CarrierForm(request.POST or None, carrier=carrier)
    if request.method == "POST" and (form.is_valid() or not set(form.errors) - {"version"}):
        version = form.cleaned_data.get("version")
        try:
            if carrier is None:
                saved = carrier_services.create_carrier(actor=request.user, data=form.service_data())
            else:
                if version is None:
                    raise StaleEdit()
                saved = carrier_services.update_carrier(actor=request.user, carrier_id=carrier.pk,
                                                        data=form.service_data(), version=version)
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None
        except StaleEdit:
            form.add_error(None, _("Someone else changed this carrier since you opened it. Reload the page and "
                                   "make your change again."))
            return render(request, "shipping/carrier_form.html", {"form": form, "carrier": carrier,
                                                                   "tab": "carriers"}, status=409)
        except DomainError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Carrier %(name)s saved.") % {"name": saved})
            return redirect("carrier_list")
    return render(request, "shipping/carrier_form.html", {"form": form, "carrier": carrier, "tab": "carriers"},
                  status=422 if form.is_bound else 200)


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def carrier_create(request):
    return _carrier_page(request)


@view_requires(MANAGE)
@require_http_methods(["GET", "POST"])
def carrier_edit(request, carrier_id: int):
    return _carrier_page(request, _carrier_or_404(carrier_id))


@view_requires(MANAGE)
@require_POST
def carrier_key(request, carrier_id: int):
    """Make (or replace) the carrier's integration key and show it, once."""
    try:
        carrier, key = carrier_services.new_api_key(actor=request.user, carrier_id=carrier_id)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    response = render(request, "shipping/carrier_key.html", {"carrier": carrier, "key": key, "tab": "carriers"})
    response["Cache-Control"] = "no-store"
    return response
