"""REST endpoints of pricing rules: price lists and their items, promotions, discount limits.
Every role may read them (VIEW_PRICING); sales managers and admins change them (CHANGE_PRICING)."""

from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.core.access import api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability, Role
from kaidan.core.schemas import ErrorOut
from kaidan.pricing import promotion_services, selectors, services
from kaidan.pricing.schemas import (
    DiscountLimitIn,
    DiscountLimitOut,
    PriceListFilter,
    PriceListIn,
    PriceListItemOut,
    PriceListItemsIn,
    PriceListOut,
    PriceListUpdateIn,
    PromotionFilter,
    PromotionIn,
    PromotionOut,
    PromotionUpdateIn,
    RoleName,
)

router = Router(tags=["pricing"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, CHANGE = Capability.VIEW_PRICING, Capability.CHANGE_PRICING


def _price_list(request, price_list_id: int):
    price_list = selectors.price_list_detail(request.auth, price_list_id)
    if price_list is None:
        raise NotFound()
    return price_list


def _promotion(promotion_id: int):
    promotion = selectors.promotion_detail(promotion_id)
    if promotion is None:
        raise NotFound()
    return promotion


@router.get("/price-lists", response={200: list[PriceListOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilter]):
    return selectors.price_list_list(request.auth, q=filters.q, active=filters.active)


@router.post("/price-lists", response={201: PriceListOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def create_price_list(request: HttpRequest, payload: PriceListIn):
    price_list = services.create_price_list(actor=request.auth, data=payload.model_dump())
    return Status(201, _price_list(request, price_list.pk))


@router.get("/price-lists/{price_list_id}", response={200: PriceListOut, **ERRORS})
@api_requires(VIEW)
def get_price_list(request: HttpRequest, price_list_id: Path[DbId]):
    return _price_list(request, price_list_id)


@router.put("/price-lists/{price_list_id}", response={200: PriceListOut, **ERRORS})
@api_requires(CHANGE)
def update_price_list(request: HttpRequest, price_list_id: Path[DbId], payload: PriceListUpdateIn):
    """Fields left out keep their value; a `version` other than the stored one is a 409 stale_edit."""
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    services.update_price_list(actor=request.auth, price_list_id=price_list_id, version=version, data=data)
    return _price_list(request, price_list_id)


@router.post("/price-lists/{price_list_id}/deactivate", response={200: PriceListOut, **ERRORS})
@api_requires(CHANGE)
def deactivate_price_list(request: HttpRequest, price_list_id: Path[DbId]):
    services.deactivate_price_list(actor=request.auth, price_list_id=price_list_id)
    return _price_list(request, price_list_id)


@router.get("/price-lists/{price_list_id}/items", response={200: list[PriceListItemOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_price_list_items(request: HttpRequest, price_list_id: Path[DbId]):
    _price_list(request, price_list_id)
    return selectors.price_list_items(price_list_id)


@router.put("/price-lists/{price_list_id}/items", response={200: PriceListOut, **ERRORS})
@api_requires(CHANGE)
def replace_price_list_items(request: HttpRequest, price_list_id: Path[DbId], payload: PriceListItemsIn):
    """Replaces every item of the list; errors name the item, e.g. `items.3.price`. Answers the list
    with its new version and item count (read the items with GET)."""
    services.replace_price_list_items(actor=request.auth, price_list_id=price_list_id, version=payload.version,
                                      items=[item.model_dump() for item in payload.items])
    return _price_list(request, price_list_id)


@router.get("/promotions", response={200: list[PromotionOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_promotions(request: HttpRequest, filters: Query[PromotionFilter]):
    return selectors.promotion_list(q=filters.q, active=filters.active, kind=filters.kind)


@router.post("/promotions", response={201: PromotionOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def create_promotion(request: HttpRequest, payload: PromotionIn):
    promotion = promotion_services.create_promotion(actor=request.auth, data=payload.model_dump())
    return Status(201, _promotion(promotion.pk))


@router.get("/promotions/{promotion_id}", response={200: PromotionOut, **ERRORS})
@api_requires(VIEW)
def get_promotion(request: HttpRequest, promotion_id: Path[DbId]):
    return _promotion(promotion_id)


@router.put("/promotions/{promotion_id}", response={200: PromotionOut, **ERRORS})
@api_requires(CHANGE)
def update_promotion(request: HttpRequest, promotion_id: Path[DbId], payload: PromotionUpdateIn):
    """Fields left out keep their value (values another kind needed are cleared); a `version` other
    than the stored one is a 409 stale_edit."""
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    promotion_services.update_promotion(actor=request.auth, promotion_id=promotion_id, version=version, data=data)
    return _promotion(promotion_id)


@router.post("/promotions/{promotion_id}/deactivate", response={200: PromotionOut, **ERRORS})
@api_requires(CHANGE)
def deactivate_promotion(request: HttpRequest, promotion_id: Path[DbId]):
    promotion_services.deactivate_promotion(actor=request.auth, promotion_id=promotion_id)
    return _promotion(promotion_id)


@router.get("/discount-limits", response={200: list[DiscountLimitOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_discount_limits(request: HttpRequest):
    """One row per role: the highest manual discount % it may give without approval."""
    return selectors.discount_limits()


@router.put("/discount-limits/{role}", response={200: DiscountLimitOut, **ERRORS})
@api_requires(CHANGE)
def set_discount_limit(request: HttpRequest, role: Path[RoleName], payload: DiscountLimitIn):
    limit = services.set_discount_limit(actor=request.auth, role=role, max_percent=payload.max_percent)
    return {"role": limit.role, "label": str(Role(limit.role).label), "max_percent": limit.max_percent}
