"""Pages of the core app: home, company settings, numbering series, API tokens, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core import notifications, selectors, services
from kaidan.core.access import SIGNED_IN, public_view, view_requires
from kaidan.core.errors import DomainError, NotFound, ValidationFailed
from kaidan.core.forms import AuditFilterForm, CompanySettingsForm, SeriesForm, TokenForm
from kaidan.core.roles import Capability, has_capability


def apply_errors(form, exc: DomainError) -> None:
    """Show a service's error on the form: field errors on their fields, the rest on top."""
    if isinstance(exc, ValidationFailed):
        for field, msgs in exc.fields.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, exc.message)


@public_view
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@view_requires(SIGNED_IN)
@require_safe
def home(request):
    return render(request, "core/home.html", {"figures": selectors.home_figures()})


@view_requires(Capability.MANAGE_COMPANY)
@require_http_methods(["GET", "POST"])
def company_settings(request):
    company = selectors.company_settings()
    form = CompanySettingsForm(request.POST or None, instance=company,
                               initial={"version": company.version})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CompanySettingsForm.Meta.fields}
        try:
            services.update_company_settings(actor=request.user, version=form.cleaned_data["version"], data=data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("company_settings")
    history = selectors.history_panel(company) if company.version else []
    return render(request, "core/company.html", {"form": form, "history": history})


@view_requires(Capability.VIEW_SERIES)
@require_safe
def series_list(request):
    return render(request, "core/series.html", {
        "series": selectors.series_list(),
        "can_edit": has_capability(request.user, Capability.MANAGE_SERIES),
    })


@view_requires(Capability.MANAGE_SERIES)
@require_http_methods(["GET", "POST"])
def series_edit(request, doc_type: str):
    series = selectors.series_list().filter(doc_type=doc_type).first()
    if series is None:
        raise Http404
    form = SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_series(actor=request.user, doc_type=doc_type,
                                   data={n: form.cleaned_data[n] for n in SeriesForm.Meta.fields})
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Numbering series saved."))
            return redirect("series_list")
    return render(request, "core/series_edit.html", {"form": form, "series": series,
                                                     "history": selectors.history_panel(series)})


@view_requires(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    context = {"form": form, "tokens": selectors.tokens_of(request.user), "new_secret": new_secret}
    template = "core/_tokens.html" if request.htmx else "core/tokens.html"
    return render(request, template, context)


@view_requires(SIGNED_IN)
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.revoke_api_token(user=request.user, token_id=token_id)
    except NotFound:
        raise Http404 from None
    context = {"form": TokenForm(), "tokens": selectors.tokens_of(request.user), "new_secret": None}
    if request.htmx:
        return render(request, "core/_tokens.html", context)
    messages.success(request, _("Token revoked."))
    return redirect("tokens")


@view_requires(Capability.VIEW_AUDIT)
@require_safe
def audit_log(request):
    filters = AuditFilterForm(request.GET)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    events = selectors.audit_events(object_type=wanted.get("object_type") or None,
                                    action=wanted.get("action") or None).order_by("-at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "filters": filters})


@view_requires(SIGNED_IN)
@require_safe
def notification_list(request):
    """The user's notifications in their language; opening one marks it read."""
    page = Paginator(notifications.notifications_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {
        "page": page, "items": [{"n": n, "text": notifications.text_of(n)} for n in page]})


@view_requires(SIGNED_IN)
@require_POST
def notification_open(request, notification_id: int):
    found = notifications.notifications_of(request.user).filter(pk=notification_id).first()
    if found is None:
        raise Http404
    notifications.mark_read(request.user, [found.pk])
    if found.url and url_has_allowed_host_and_scheme(found.url, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return redirect(found.url)
    return redirect("notification_list")


@view_requires(SIGNED_IN)
@require_POST
def notifications_read(request):
    notifications.mark_read(request.user)
    messages.success(request, _("All notifications marked read."))
    return redirect("notification_list")
