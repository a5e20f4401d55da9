"""REST endpoints of customers, their addresses and contacts, groups and payment terms.
Every read goes through the record rule in selectors.customers_visible_to."""

from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from kaidan.core.access import api_requires
from kaidan.core.api_types import DbId
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability
from kaidan.core.schemas import ErrorOut
from kaidan.parties import selectors, services, services_people
from kaidan.parties.schemas import (
    AddressIn,
    AddressOut,
    ContactIn,
    ContactOut,
    CustomerCreateIn,
    CustomerDetailOut,
    CustomerFilter,
    CustomerOut,
    CustomerPickOut,
    CustomerUpdateIn,
    GroupOut,
    PaymentTermOut,
    PickerQuery,
    StatusIn,
)

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, CHANGE = Capability.VIEW_CUSTOMERS, Capability.CHANGE_CUSTOMER


def _detail(request, customer_id: int):
    customer = selectors.customer_detail(request.auth, customer_id)
    if customer is None:
        raise NotFound()
    return customer


@router.get("/customers", response={200: list[CustomerOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]):
    return selectors.customer_list(request.auth, q=filters.q, status=filters.status, group_id=filters.group_id,
                                   owner_id=filters.owner_id, sort=filters.sort)


@router.get("/customers/picker", response={200: list[CustomerPickOut], **ERRORS})
@api_requires(VIEW)
def pick_customers(request: HttpRequest, query: Query[PickerQuery]):
    return selectors.customer_picker(request.auth, query.q)


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, **ERRORS})
@api_requires(VIEW)
def get_customer(request: HttpRequest, customer_id: Path[DbId]):
    return _detail(request, customer_id)


@router.post("/customers", response={201: CustomerDetailOut, **ERRORS})
@idempotent
@api_requires(Capability.ADD_CUSTOMER)
def create_customer(request: HttpRequest, payload: CustomerCreateIn):
    data = payload.model_dump(exclude={"addresses", "contacts"})
    customer = services_people.create_customer_with_people(
        actor=request.auth, data=data, addresses=[a.model_dump() for a in payload.addresses],
        contacts=[c.model_dump() for c in payload.contacts])
    return Status(201, _detail(request, customer.pk))


@router.put("/customers/{customer_id}", response={200: CustomerDetailOut, **ERRORS})
@api_requires(CHANGE)
def update_customer(request: HttpRequest, customer_id: Path[DbId], payload: CustomerUpdateIn):
    data = payload.model_dump(exclude_unset=True)  # fields not sent keep their value
    version = data.pop("version")
    services.update_customer(actor=request.auth, customer_id=customer_id, version=version, data=data)
    return _detail(request, customer_id)


def _set_status(request, customer_id: int, status: str, reason: str = ""):
    services.set_customer_status(actor=request.auth, customer_id=customer_id, status=status, reason=reason)
    return _detail(request, customer_id)


@router.post("/customers/{customer_id}/block", response={200: CustomerDetailOut, **ERRORS})
@api_requires(Capability.SET_CREDIT_LIMIT)
def block_customer(request: HttpRequest, customer_id: Path[DbId], payload: StatusIn):
    return _set_status(request, customer_id, "blocked", payload.reason)


@router.post("/customers/{customer_id}/unblock", response={200: CustomerDetailOut, **ERRORS})
@api_requires(Capability.SET_CREDIT_LIMIT)
def unblock_customer(request: HttpRequest, customer_id: Path[DbId]):
    return _set_status(request, customer_id, "active")


@router.post("/customers/{customer_id}/deactivate", response={200: CustomerDetailOut, **ERRORS})
@api_requires(CHANGE)
def deactivate_customer(request: HttpRequest, customer_id: Path[DbId]):
    return _set_status(request, customer_id, "inactive")


@router.post("/customers/{customer_id}/reactivate", response={200: CustomerDetailOut, **ERRORS})
@api_requires(CHANGE)
def reactivate_customer(request: HttpRequest, customer_id: Path[DbId]):
    return _set_status(request, customer_id, "active")


@router.delete("/customers/{customer_id}", response={204: None, **ERRORS})
@api_requires(CHANGE)
def delete_customer(request: HttpRequest, customer_id: Path[DbId]):
    services.delete_customer(actor=request.auth, customer_id=customer_id)
    return Status(204, None)


@router.post("/customers/{customer_id}/addresses", response={201: AddressOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def add_address(request: HttpRequest, customer_id: Path[DbId], payload: AddressIn):
    address = services_people.save_address(actor=request.auth, customer_id=customer_id, data=payload.model_dump())
    return Status(201, address)


@router.put("/customers/{customer_id}/addresses/{address_id}", response={200: AddressOut, **ERRORS})
@api_requires(CHANGE)
def update_address(request: HttpRequest, customer_id: Path[DbId], address_id: Path[DbId], payload: AddressIn):
    return services_people.save_address(actor=request.auth, customer_id=customer_id, address_id=address_id,
                                        data=payload.model_dump(exclude_unset=True))


@router.delete("/customers/{customer_id}/addresses/{address_id}", response={204: None, **ERRORS})
@api_requires(CHANGE)
def delete_address(request: HttpRequest, customer_id: Path[DbId], address_id: Path[DbId]):
    services_people.delete_address(actor=request.auth, customer_id=customer_id, address_id=address_id)
    return Status(204, None)


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut, **ERRORS})
@idempotent
@api_requires(CHANGE)
def add_contact(request: HttpRequest, customer_id: Path[DbId], payload: ContactIn):
    contact = services_people.save_contact(actor=request.auth, customer_id=customer_id, data=payload.model_dump())
    return Status(201, contact)


@router.put("/customers/{customer_id}/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
@api_requires(CHANGE)
def update_contact(request: HttpRequest, customer_id: Path[DbId], contact_id: Path[DbId], payload: ContactIn):
    return services_people.save_contact(actor=request.auth, customer_id=customer_id, contact_id=contact_id,
                                        data=payload.model_dump(exclude_unset=True))


@router.delete("/customers/{customer_id}/contacts/{contact_id}", response={204: None, **ERRORS})
@api_requires(CHANGE)
def delete_contact(request: HttpRequest, customer_id: Path[DbId], contact_id: Path[DbId]):
    services_people.delete_contact(actor=request.auth, customer_id=customer_id, contact_id=contact_id)
    return Status(204, None)


@router.get("/customer-groups", response={200: list[GroupOut], **ERRORS})
@api_requires(VIEW)
def list_groups(request: HttpRequest):
    return list(selectors.active_groups())


@router.get("/payment-terms", response={200: list[PaymentTermOut], **ERRORS})
@api_requires(VIEW)
def list_payment_terms(request: HttpRequest):
    return list(selectors.active_payment_terms())
