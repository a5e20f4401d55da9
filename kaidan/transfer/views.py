"""Pages of Excel import and export: the upload form (check only, or import), the job page that
polls its progress with htmx every second, the template download, and the exports of the customer
and product lists with the list page's filters."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core.access import SIGNED_IN, view_requires
from kaidan.core.errors import DomainError, NotFound
from kaidan.core.roles import Capability
from kaidan.core.views import apply_errors
from kaidan.transfer import excel, selectors, services, workbooks
from kaidan.transfer.forms import ImportForm

LIST_PAGES = {"customers": "customer_list", "products": "product_list"}
TEMPLATES = {"customers": "customer_import_template", "products": "product_import_template"}
IMPORT_PAGES = {"customers": "customer_import", "products": "product_import"}


def _xlsx_response(write, filename: str) -> FileResponse:
    handle = tempfile.TemporaryFile()
    write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=excel.CONTENT_TYPE)


def _import_page(request, kind: str):
    importer = services.importer_for(kind)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_import(actor=request.user, kind=kind, upload=upload, name=upload.name,
                                        dry_run=form.dry_run)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("import_job", job_id=job.pk)
    return render(request, "transfer/import.html", {
        "form": form, "importer": importer, "list_url": LIST_PAGES[kind], "template_url": TEMPLATES[kind],
        "jobs": selectors.jobs_visible_to(request.user, kind=kind).filter(user=request.user)[:10],
        "max_rows": settings.KAIDAN_IMPORT_MAX_ROWS, "max_size": excel.megabytes(settings.KAIDAN_IMPORT_MAX_BYTES),
    })


@view_requires(Capability.IMPORT_CUSTOMERS)
@require_http_methods(["GET", "POST"])
def customer_import(request):
    return _import_page(request, "customers")


@view_requires(Capability.IMPORT_PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_import(request):
    return _import_page(request, "products")


def _template(kind: str) -> FileResponse:
    importer = services.importer_for(kind)
    return _xlsx_response(lambda out: workbooks.write_template(importer, out), f"{kind}-template.xlsx")


@view_requires(Capability.IMPORT_CUSTOMERS)
@require_safe
def customer_template(request):
    return _template("customers")


@view_requires(Capability.IMPORT_PRODUCTS)
@require_safe
def product_template(request):
    return _template("products")


def _export(request, kind: str) -> FileResponse:
    importer = services.importer_for(kind)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(lambda out: workbooks.write_export(importer, request.user, request.GET, out),
                          f"{kind}-{stamp}.xlsx")


@view_requires(Capability.VIEW_CUSTOMERS)
@require_safe
def customer_export(request):
    """The customer list as .xlsx, with the list page's search and filters (and the record rule)."""
    return _export(request, "customers")


@view_requires(Capability.VIEW_PRODUCTS)
@require_safe
def product_export(request):
    """The product list as .xlsx, with the list page's search, filters and sort."""
    return _export(request, "products")


def _job_or_404(request, job_id: int):
    job = selectors.job_for(request.user, job_id)
    if job is None:
        raise Http404
    return job


def _job_context(job) -> dict:
    return {"job": job, "list_url": LIST_PAGES.get(job.kind), "import_url": IMPORT_PAGES.get(job.kind)}


@view_requires(SIGNED_IN)
@require_safe
def job_list(request):
    page = Paginator(selectors.jobs_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "transfer/job_list.html", {"page": page,
                                                      "sees_all": selectors.sees_all_jobs(request.user)})


@view_requires(SIGNED_IN)
@require_safe
def job_detail(request, job_id: int):
    job = _job_or_404(request, job_id)
    template = "transfer/_job_progress.html" if request.htmx else "transfer/job.html"
    return render(request, template, _job_context(job))


@view_requires(SIGNED_IN)
@require_safe
def job_progress(request, job_id: int):
    """The polled part of the job page: progress while running, the outcome and problems when done."""
    return render(request, "transfer/_job_progress.html", _job_context(_job_or_404(request, job_id)))


@view_requires(SIGNED_IN)
@require_POST
def job_commit(request, job_id: int):
    """Import the file of a check that found no problems (the service checks it all again)."""
    try:
        job = services.import_checked_file(actor=request.user, job_id=job_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("import_job", job_id=job_id)
    return redirect("import_job", job_id=job.pk)
