"""List conventions used by every list endpoint of the API.

* Pagination: ``?limit=50&offset=0`` (limit 1..KAIDAN_API_PAGE_MAX); the answer is
  ``{"items": [...], "count": N, "limit": L, "offset": O}``.
* Sorting: ``?sort=-created_at,name``; only the fields an endpoint allows, else 422 naming "sort".
* Filtering: one ninja ``FilterSchema`` per endpoint, given as query parameters by field name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from kaidan.core.errors import ValidationFailed


class KaidanPagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=settings.KAIDAN_API_PAGE_MAX)
        offset: int = Field(0, ge=0, le=10_000_000)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset, limit = pagination.offset, pagination.limit
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"items": list(queryset[offset:offset + limit]), "count": count, "limit": limit, "offset": offset}


def apply_sort(queryset: QuerySet, sort: str | None, *, allowed: set[str], default: list[str]) -> QuerySet:
    """Order by a comma list like "-at,action"; every field must be in ``allowed``; pk breaks ties."""
    if not sort:
        return queryset.order_by(*default, "-pk")
    fields = [f.strip() for f in sort.split(",") if f.strip()]
    bad = [f for f in fields if f.lstrip("-") not in allowed]
    if bad or not fields:
        raise ValidationFailed.for_field(
            "sort", _("Cannot sort by “%(field)s”. Allowed: %(allowed)s.")
            % {"field": bad[0] if bad else sort, "allowed": ", ".join(sorted(allowed))})
    return queryset.order_by(*fields, "-pk")
