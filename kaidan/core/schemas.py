"""API schemas of the core app. Money and rates travel as decimal strings, never floats."""


from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, FilterSchema, Schema
from pydantic import ConfigDict, field_validator

from kaidan.core.api_types import DbId, Rate, Text, clean_text
from kaidan.core.notifications import text_of


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


class StrictIn(Schema):
    """Inputs refuse unknown fields, so a typo is a 422 naming it, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value):
        return clean_text(value)


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
    version: int = Field(..., ge=0, le=2**31 - 1)
    name: Text = Field(..., min_length=1, max_length=200)
    uscc: str = Field("", pattern=r"^([0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18})?$",
                      description="统一社会信用代码: 18 characters, the last one a check character")
    address: Text = Field("", max_length=300)
    phone: Text = Field("", max_length=40)
    bank_name: Text = Field("", max_length=200)
    bank_account: str = Field("", max_length=40, pattern=r"^[0-9 \-]*$")
    base_currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    default_vat_rate: Rate = Decimal("0.13")


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
    name: Text = Field(..., min_length=1, max_length=100)


class SeriesOut(Schema):
    doc_type: str
    name: str
    pattern: str
    gapless: bool
    active: bool


class SeriesIn(StrictIn):
    name: Text = Field(..., min_length=1, max_length=100)
    pattern: Text = Field(..., min_length=1, max_length=60, examples=["SO{yyyy}{mm}-{seq:05}"])
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


AUDIT_SORT = r"^-?(at|action|object_type)(,-?(at|action|object_type))*$"


class AuditFilter(FilterSchema):
    object_type: Text | None = Field(None, max_length=100)
    object_id: Text | None = Field(None, max_length=64)
    action: Text | None = Field(None, max_length=50)
    actor_id: DbId | None = None
    sort: str | None = Field(None, pattern=AUDIT_SORT,
                             description="Comma list of at, action, object_type; prefix - for descending")


class NotificationOut(Schema):
    id: int
    key: str = Field(description="What happened, e.g. approval_needed")
    text: str = Field(description="The message in the reader's language")
    url: str = Field(description="The page it is about")
    created_at: datetime
    read: bool
    read_at: datetime | None

    @staticmethod
    def resolve_text(obj) -> str:
        return text_of(obj)

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class NotificationFilter(FilterSchema):
    unread: bool = Field(False, description="Only the ones not read yet")


class ReadAllOut(Schema):
    marked: int = Field(description="How many were marked read now")
