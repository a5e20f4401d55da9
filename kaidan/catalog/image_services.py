"""Writes of product pictures: add (the first becomes primary), remove (the next one is promoted),
choose the primary one. Files go to Django's default storage under products/<product id>/ with
names made here, never the client's; they are removed only after the deleting transaction commits."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from kaidan.catalog import imaging, locks
from kaidan.catalog.models import Product, ProductImage
from kaidan.core import audit
from kaidan.core.errors import NotFound, ValidationFailed

logger = logging.getLogger(__name__)
MAX_IMAGES_PER_PRODUCT = 12


def delete_stored_files(names: list[str]) -> None:
    """Remove files from storage; a file already gone is not an error."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete stored file %s", name)


def _label(image: ProductImage) -> str:
    return image.original_name or f"#{image.pk}"


def add_product_image(*, actor, product_id: int, upload) -> ProductImage:
    """Check and store a picture of a product with its thumbnail; the first picture becomes primary.
    Raises NotFound, ValidationFailed (field ``file``: too big, not a JPEG/PNG/WebP, too many pixels,
    too many pictures)."""
    if not Product.objects.filter(pk=product_id).exists():
        raise NotFound()
    checked = imaging.check_upload(upload)  # decoding happens before any lock is taken
    with transaction.atomic():
        product = locks.lock_product(product_id)
        if product is None:
            raise NotFound()
        positions = list(product.images.values_list("position", flat=True))
        if len(positions) >= MAX_IMAGES_PER_PRODUCT:
            raise ValidationFailed.for_field(
                "file", _("A product can have at most %(n)d pictures.") % {"n": MAX_IMAGES_PER_PRODUCT})
        stem = f"products/{product.pk}/{uuid.uuid4().hex}"
        names = [default_storage.save(f"{stem}.{checked.extension}", ContentFile(checked.data)),
                 default_storage.save(f"{stem}-thumb.jpg", ContentFile(checked.thumbnail))]
        try:
            image = ProductImage.objects.create(
                product=product, file=names[0], thumbnail=names[1], content_type=checked.content_type,
                width=checked.width, height=checked.height, size_bytes=len(checked.data),
                original_name=checked.original_name, is_primary=not positions,
                position=max(positions, default=0) + 1, uploaded_by=actor if actor and actor.is_authenticated else None)
            audit.record(product, "image_added", actor=actor, after={"images": _label(image)})
        except BaseException:
            delete_stored_files(names)
            raise
    return image


def _lock_image(product_id: int, image_id: int) -> tuple[Product, ProductImage]:
    product = locks.lock_product(product_id)
    image = product.images.filter(pk=image_id).first() if product is not None else None
    if image is None:
        raise NotFound()
    return product, image


@transaction.atomic
def remove_product_image(*, actor, product_id: int, image_id: int) -> None:
    """Delete a picture; when it was the primary one, the next picture becomes primary. Raises NotFound."""
    product, image = _lock_image(product_id, image_id)
    files = [image.file.name, image.thumbnail.name]
    was_primary = image.is_primary
    image.delete()
    if was_primary:
        successor = product.images.order_by("position", "id").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    audit.record(product, "image_removed", actor=actor, before={"images": _label(image)}, after=None)
    transaction.on_commit(lambda: delete_stored_files(files))


@transaction.atomic
def set_primary_image(*, actor, product_id: int, image_id: int) -> ProductImage:
    """Make a picture the product's primary one (shown in lists and pickers). Raises NotFound."""
    product, image = _lock_image(product_id, image_id)
    if image.is_primary:
        return image
    previous = product.images.filter(is_primary=True).first()
    if previous is not None:
        previous.is_primary = False
        previous.save(update_fields=["is_primary"])  # first: at most one primary at any moment
    image.is_primary = True
    image.save(update_fields=["is_primary"])
    audit.record(product, "primary_image_set", actor=actor,
                 before={"primary_image": _label(previous) if previous else None},
                 after={"primary_image": _label(image)})
    return image
