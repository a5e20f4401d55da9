"""Picture pages: upload, choose the primary one, remove, and stream a stored picture or thumbnail.

Media files are not public (whitenoise serves only static files): they are streamed from Django's
default storage to signed-in users by ``product_image_file`` and ``product_image_thumb``."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaidan.catalog import image_services, imaging, selectors
from kaidan.catalog.forms import ImageUploadForm
from kaidan.catalog.views import detail_context, get_product_or_404, is_partial
from kaidan.core.access import view_requires
from kaidan.core.errors import NotFound, ValidationFailed
from kaidan.core.roles import Capability
from kaidan.core.views import apply_errors

VIEW, CHANGE = Capability.VIEW_PRODUCTS, Capability.CHANGE_PRODUCTS
MULTIPART_SLACK = 64 * 1024


def _images_response(request, product_id: int, form=None):
    """The pictures fragment for htmx; otherwise back to the product page (errors as a message)."""
    product = get_product_or_404(product_id)
    if is_partial(request):
        context = detail_context(request, product, upload_form=form or ImageUploadForm(), oob_history=True)
        return render(request, "catalog/_product_images.html", context)
    if form is not None and form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("product_detail", product_id=product_id)


@view_requires(CHANGE)
@require_POST
def image_upload(request, product_id: int):
    get_product_or_404(product_id)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > imaging.MAX_IMAGE_BYTES + MULTIPART_SLACK:  # refused before the body is read
        form = ImageUploadForm()
        form.add_error(None, imaging.too_large_message())
        return _images_response(request, product_id, form)
    form = ImageUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image_services.add_product_image(actor=request.user, product_id=product_id,
                                             upload=form.cleaned_data["file"])
        except NotFound:
            raise Http404 from None
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if not is_partial(request):
                messages.success(request, _("Picture added."))
            form = None
    return _images_response(request, product_id, form)


@view_requires(CHANGE)
@require_POST
def image_primary(request, product_id: int, image_id: int):
    try:
        image_services.set_primary_image(actor=request.user, product_id=product_id, image_id=image_id)
    except NotFound:
        raise Http404 from None
    return _images_response(request, product_id)


@view_requires(CHANGE)
@require_POST
def image_delete(request, product_id: int, image_id: int):
    try:
        image_services.remove_product_image(actor=request.user, product_id=product_id, image_id=image_id)
    except NotFound:
        raise Http404 from None
    return _images_response(request, product_id)


def _stream(image_id: int, *, thumbnail: bool) -> FileResponse:
    image = selectors.product_image(image_id)
    if image is None:
        raise Http404
    name = image.thumbnail.name if thumbnail else image.file.name
    try:
        handle = default_storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg" if thumbnail else image.content_type)
    # A stored file never changes (a new upload gets a new id), so browsers may keep it.
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@view_requires(VIEW)
@require_safe
def product_image_file(request, image_id: int):
    return _stream(image_id, thumbnail=False)


@view_requires(VIEW)
@require_safe
def product_image_thumb(request, image_id: int):
    return _stream(image_id, thumbnail=True)
