"""API schemas of customers. Money travels as decimal strings; ids are bounded; text storable."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, FilterSchema, Schema

from kaidan.core.api_types import DbId, Text
from kaidan.core.schemas import StrictIn

Money = Field(pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$", examples=["50000.00"])
CUSTOMER_SORT = r"^-?(code|name|created_at|credit_limit|status)(,-?(code|name|created_at|credit_limit|status))*$"


class AddressIn(StrictIn):
    kind: Literal["billing", "shipping"] = "shipping"
    is_default: bool = False
    province: Text = Field(..., min_length=1, max_length=30)
    city: Text = Field(..., min_length=1, max_length=30)
    district: Text = Field("", max_length=30)
    street: Text = Field(..., min_length=1, max_length=200)
    postcode: str = Field("", pattern=r"^([0-9]{6})?$")
    recipient: Text = Field("", max_length=60)
    phone: str = Field("", pattern=r"^([0-9+()\- ]{5,30})?$")


class AddressOut(Schema):
    id: int
    kind: str
    is_default: bool
    province: str
    city: str
    district: str
    street: str
    postcode: str
    recipient: str
    phone: str


class ContactIn(StrictIn):
    name: Text = Field(..., min_length=1, max_length=60)
    title: Text = Field("", max_length=60)
    mobile: str = Field("", pattern=r"^(1[3-9][0-9]{9})?$")
    phone: str = Field("", pattern=r"^([0-9+()\- ]{5,30})?$")
    email: Text = Field("", max_length=254)
    is_primary: bool = False


class ContactOut(Schema):
    id: int
    name: str
    title: str
    mobile: str
    phone: str
    email: str
    is_primary: bool


class CustomerFields(StrictIn):
    name: Text = Field(..., min_length=1, max_length=200)
    short_name: Text = Field("", max_length=60)
    kind: Literal["company", "individual"] = "company"
    uscc: str = Field("", pattern=r"^([0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18})?$",
                      description="统一社会信用代码: 18 characters, the last one a check character")
    group_id: DbId | None = None
    owner_id: DbId | None = None
    payment_term_id: DbId | None = None
    credit_limit: str = Money
    credit_control: Literal["warn", "block"] = Field(
        "warn", description="Over the credit limit, warn: the order goes to approval (with a credit rule); "
                            "block: it is refused. Changing it needs the right to set credit limits")
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    allow_partial_shipment: bool = Field(False, description="The default of its new orders: confirm with what is "
                                                            "in stock and ship the rest when it arrives")
    notes: Text = Field("", max_length=4000)
    invoice_title: Text = Field("", max_length=200)
    tax_address: Text = Field("", max_length=300)
    tax_phone: str = Field("", pattern=r"^([0-9+()\- ]{5,30})?$")
    bank_name: Text = Field("", max_length=200)
    bank_account: str = Field("", max_length=40, pattern=r"^[0-9 \-]*$")


class CustomerCreateIn(CustomerFields):
    code: str = Field("", max_length=30, pattern=r"^[^\x00]*$", description="Empty: numbered automatically")
    credit_limit: str = Field("0", pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$", examples=["50000.00"])
    addresses: list[AddressIn] = Field(default_factory=list, max_length=50)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)


class CustomerUpdateIn(CustomerFields):
    version: int = Field(..., ge=1, le=2**31 - 1)
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[^\x00]*$")
    credit_limit: str = Field("0", pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$", examples=["50000.00"])


class StatusIn(StrictIn):
    reason: Text = Field("", max_length=200)


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    uscc: str
    group_id: int | None
    owner_id: int | None
    payment_term_id: int | None
    credit_limit: Decimal
    credit_control: str
    currency: str
    allow_partial_shipment: bool
    status: str
    blocked_reason: str
    notes: str
    invoice_title: str
    tax_address: str
    tax_phone: str
    bank_name: str
    bank_account: str
    version: int
    created_at: datetime
    updated_at: datetime


class CustomerDetailOut(CustomerOut):
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    missing_special_invoice_details: list[str] = Field(
        ..., description="Fields a VAT special invoice (增值税专用发票) needs that are still empty")

    @staticmethod
    def resolve_missing_special_invoice_details(obj) -> list[str]:
        return obj.missing_special_invoice_details()

    @staticmethod
    def resolve_addresses(obj):
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


class CustomerPickOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    currency: str
    payment_term_id: int | None


class CustomerFilter(FilterSchema):
    q: Text | None = Field(None, max_length=100)
    status: Literal["active", "blocked", "inactive"] | None = None
    group_id: DbId | None = None
    owner_id: DbId | None = None
    sort: str | None = Field(None, pattern=CUSTOMER_SORT)


class PickerQuery(Schema):
    q: Text = Field("", max_length=100, description="Code, name, credit code or pinyin / initials")


class GroupOut(Schema):
    id: int
    code: str
    name: str


class PaymentTermOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    days: int
