"""REST endpoints of the catalog: products, their pictures and substitutes, categories, units."""


from django.http import HttpRequest
from ninja import File, Path, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kaidan.catalog import image_services, imaging, selectors, services
from kaidan.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    ImageOut,
    PickerFilter,
    PickerOut,
    ProductFilter,
    ProductIn,
    ProductListOut,
    ProductOut,
    ProductUpdateIn,
    SubstitutesIn,
    UnitOut,
)
from kaidan.core.access import api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination, apply_sort
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.core.uploads import refuse_large_uploads

router = Router(tags=["catalog"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, CHANGE = Capability.VIEW_PRODUCTS, Capability.CHANGE_PRODUCTS


def _detail(product_id: int):
    product = selectors.product_detail(product_id)
    if product is None:
        raise NotFound()
    return product


@router.get("/products", response={200: list[ProductListOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_products(request: HttpRequest, filters: Query[ProductFilter]):
    qs = selectors.products(q=filters.q, category_id=filters.category, brand=filters.brand, active=filters.active)
    return apply_sort(qs, filters.sort, allowed=selectors.PRODUCT_SORTS, default=["sku"])


@router.get("/products/picker", response={200: list[PickerOut], **ERRORS})
@api_requires(VIEW)
def pick_products(request: HttpRequest, filters: Query[PickerFilter]):
    """Up to `limit` active products for an order line: an exact SKU or barcode first."""
    return selectors.picker(filters.q, limit=filters.limit)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
@api_requires(VIEW)
def get_product(request: HttpRequest, product_id: Path[DbId]):
    return _detail(product_id)


@router.post("/products", response={201: ProductOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def create_product(request: HttpRequest, payload: ProductIn):
    product = services.create_product(actor=request.auth, data=payload.model_dump())
    return Status(201, _detail(product.pk))


@router.put("/products/{product_id}", response={200: ProductOut, **ERRORS})
@api_requires(CHANGE)
def update_product(request: HttpRequest, product_id: Path[DbId], payload: ProductUpdateIn):
    data = payload.model_dump()
    version = data.pop("version")
    services.update_product(actor=request.auth, product_id=product_id, version=version, data=data)
    return _detail(product_id)


@router.post("/products/{product_id}/deactivate", response={200: ProductOut, **ERRORS})
@api_requires(CHANGE)
def deactivate_product(request: HttpRequest, product_id: Path[DbId]):
    services.deactivate_product(actor=request.auth, product_id=product_id)
    return _detail(product_id)


@router.delete("/products/{product_id}", response={204: None, **ERRORS})
@api_requires(CHANGE)
def delete_product(request: HttpRequest, product_id: Path[DbId]):
    """Deletes a product nothing refers to; otherwise 409 naming the references (deactivate it instead)."""
    services.delete_product(actor=request.auth, product_id=product_id)
    return Status(204, None)


@router.put("/products/{product_id}/substitutes", response={200: ProductOut, **ERRORS})
@api_requires(CHANGE)
def put_substitutes(request: HttpRequest, product_id: Path[DbId], payload: SubstitutesIn):
    services.set_substitutes(actor=request.auth, product_id=product_id, substitute_ids=payload.substitute_ids)
    return _detail(product_id)


@router.get("/products/{product_id}/images", response={200: list[ImageOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_images(request: HttpRequest, product_id: Path[DbId]):
    _detail(product_id)
    return selectors.product_images(product_id)


@router.post("/products/{product_id}/images", response={201: ImageOut, **ERRORS})
@decorate_view(refuse_large_uploads(limit=lambda: imaging.MAX_IMAGE_BYTES, message=imaging.too_large_message))
@idempotent
@api_requires(CHANGE)
def upload_image(request: HttpRequest, product_id: Path[DbId], file: File[UploadedFile]):
    """Multipart upload of a JPEG, PNG or WebP picture (at most 5 MB); the first becomes primary."""
    image = image_services.add_product_image(actor=request.auth, product_id=product_id, upload=file)
    return Status(201, image)


@router.post("/products/{product_id}/images/{image_id}/primary", response={200: ImageOut, **ERRORS})
@api_requires(CHANGE)
def set_primary_image(request: HttpRequest, product_id: Path[DbId], image_id: Path[DbId]):
    return image_services.set_primary_image(actor=request.auth, product_id=product_id, image_id=image_id)


@router.delete("/products/{product_id}/images/{image_id}", response={204: None, **ERRORS})
@api_requires(CHANGE)
def delete_image(request: HttpRequest, product_id: Path[DbId], image_id: Path[DbId]):
    """Deletes a picture; when it was the primary one, the next picture becomes primary."""
    image_services.remove_product_image(actor=request.auth, product_id=product_id, image_id=image_id)
    return Status(204, None)


def _category_out(node) -> dict:
    c = node.category
    return {"id": c.pk, "name": c.name, "code": c.code, "parent_id": c.parent_id, "active": c.active,
            "path": node.path, "depth": node.depth}


def _category_node(category_id: int) -> dict:
    return next(_category_out(n) for n in selectors.category_tree() if n.pk == category_id)


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_categories(request: HttpRequest):
    """Every category in tree order: parents before their children."""
    return [_category_out(node) for node in selectors.category_tree()]


@router.post("/categories", response={201: CategoryOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def create_category(request: HttpRequest, payload: CategoryIn):
    category = services.create_category(actor=request.auth, data=payload.model_dump())
    return Status(201, _category_node(category.pk))


@router.put("/categories/{category_id}", response={200: CategoryOut, **ERRORS})
@api_requires(CHANGE)
def update_category(request: HttpRequest, category_id: Path[DbId], payload: CategoryIn):
    category = services.update_category(actor=request.auth, category_id=category_id, data=payload.model_dump())
    return _category_node(category.pk)


@router.get("/units", response={200: list[UnitOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_units(request: HttpRequest):
    return selectors.units()
