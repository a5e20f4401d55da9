"""REST endpoints of Excel imports: upload a workbook to check (dry_run) or import; then poll the job.
The import runs in the background: the POST answers 202 with the job, GET /imports/{id} its progress."""


from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Path, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kaidan.core.access import SIGNED_IN, api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.core.uploads import refuse_large_uploads
from kaidan.transfer import excel, selectors, services
from kaidan.transfer.schemas import ImportJobOut

router = Router(tags=["imports"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _import_limit() -> int:
    return settings.KAIDAN_IMPORT_MAX_BYTES


refuse_large_files = decorate_view(refuse_large_uploads(limit=_import_limit, message=excel.too_large_message))


def _start(request, kind: str, file: UploadedFile, dry_run: bool):
    job = services.start_import(actor=request.auth, kind=kind, upload=file, name=file.name or "", dry_run=dry_run)
    return Status(202, job)


@router.post("/imports/customers", response={202: ImportJobOut, **ERRORS})
@refuse_large_files
@idempotent
@api_requires(Capability.IMPORT_CUSTOMERS)
def import_customers(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Upload an .xlsx of customers (the template's columns). `dry_run=true` only checks and lists the
    problems; otherwise every row is imported, or none if any has a problem. Poll GET /imports/{id}."""
    return _start(request, "customers", file, dry_run)


@router.post("/imports/products", response={202: ImportJobOut, **ERRORS})
@refuse_large_files
@idempotent
@api_requires(Capability.IMPORT_PRODUCTS)
def import_products(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Upload an .xlsx of products (the template's columns); see POST /imports/customers."""
    return _start(request, "products", file, dry_run)


@router.get("/imports", response={200: list[ImportJobOut], **ERRORS})
@api_requires(SIGNED_IN)
@paginate(KaidanPagination)
def list_imports(request: HttpRequest):
    """Your imports, newest first (administrators: everyone's)."""
    return selectors.jobs_visible_to(request.auth)


@router.get("/imports/{job_id}", response={200: ImportJobOut, **ERRORS})
@api_requires(SIGNED_IN)
def get_import(request: HttpRequest, job_id: Path[DbId]):
    """One of your imports: status, rows checked of the total, counts and problems."""
    job = selectors.job_for(request.auth, job_id)
    if job is None:
        raise NotFound()
    return job
