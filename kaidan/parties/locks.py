"""The only place the parties app takes row locks: the customer first, then its addresses/contacts."""

from kaidan.parties.models import Customer


def lock_customer(customer_id: int) -> Customer | None:
    return Customer.objects.select_for_update().filter(pk=customer_id).first()
