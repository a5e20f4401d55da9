"""API schemas of the core app. Money and rates travel as decimal strings, never floats."""


from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, FilterSchema, Schema
from pydantic import ConfigDict


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


class StrictIn(Schema):
    """Inputs refuse unknown fields, so a typo is a 422 naming it, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    capabilities: list[str]


class CompanyOut(Schema):
    name: str
    uscc: str
    address: str
    phone: str
    bank_name: str
    bank_account: str
    base_currency: str
    default_vat_rate: Decimal
    version: int


class CompanyIn(StrictIn):
    version: int = Field(..., ge=0)
    name: str = Field(..., max_length=200)
    uscc: str = Field("", max_length=18)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)
    bank_name: str = Field("", max_length=200)
    bank_account: str = Field("", max_length=40)
    base_currency: str = Field("CNY", max_length=3)
    default_vat_rate: Decimal = Field(Decimal("0.13"), ge=0, lt=1, max_digits=5, decimal_places=4)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Shown once; store it now.")


class TokenIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)


class SeriesOut(Schema):
    doc_type: str
    name: str
    pattern: str
    gapless: bool
    active: bool


class SeriesIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)
    pattern: str = Field(..., min_length=1, max_length=60)
    active: bool = True


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str | None = Field(None, alias="actor.username")
    object_type: str
    object_id: str
    object_repr: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str


class AuditFilter(FilterSchema):
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    actor_id: int | None = None
    sort: str | None = Field(None, description="Fields: at, action, object_type; prefix - for descending")
