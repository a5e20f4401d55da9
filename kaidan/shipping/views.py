"""Shipping pages: the warehouse's work queue, the list of delivery notes and the shipping panel of
the order page, with the helpers the other shipping views share. Making a note from an order, a
note's page and the actions on it (pick, pack, ship, cancel, tracking) are in views_notes.py,
carriers in views_carriers.py.

Everyone who sees deliveries may look (salespeople: the notes of their orders, through the
selectors' record rule); the warehouse and administrators act (SHIP_GOODS). The views shape input
and call the services, which re-check every rule: a field to fix is shown beside the field (422),
a quantity that does not fit is shown on its line (409), nothing is written."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.timezone import localdate
from django.views.decorators.http import require_safe

from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, ValidationFailed
from kaidan.core.money import plain_number
from kaidan.core.roles import Capability, has_capability
from kaidan.sales.states import Kind
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import selectors
from kaidan.shipping.forms import QUEUE_STATES, NoteFilterForm, QueueFilterForm
from kaidan.shipping.models import TrackingNumber

VIEW, SHIP, MANAGE = Capability.VIEW_DELIVERIES, Capability.SHIP_GOODS, Capability.MANAGE_CARRIERS
PAGE_SIZE = 50
PANEL_SIZE = 30  # notes per panel of the queue page; the list has the rest


def is_partial(request) -> bool:
    """An htmx request for a fragment (not the full page htmx asks for when going back in history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def can(request) -> dict[str, bool]:
    """What the user may do on the shipping pages, for the templates."""
    user = request.user
    return {"ship": has_capability(user, SHIP), "carriers": has_capability(user, MANAGE)}


def show_errors(form, exc: DomainError) -> None:
    """A service's errors beside the form's fields ("tracking_numbers.2" on ``tracking_numbers``,
    ``carrier_id`` on ``carrier``); the rest on top of the form."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, str(exc.message))
        return
    names = getattr(form, "SERVICE_NAMES", {})
    for field, field_messages in exc.fields.items():
        base = field.split(".")[0]
        name = names.get(base, base)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def note_or_404(request, note_id: int):
    note = selectors.visible_note(request.user, note_id)
    if note is None:
        raise Http404
    return note


def _render_list(request, full: str, partial: str, context: dict):
    response = render(request, partial if is_partial(request) else full, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# -- the work queue ------------------------------------------------------------------------------------

@view_requires(VIEW)
@require_safe
def queue(request):
    """Confirmed orders still to ship, by how much can ship now, with the notes the warehouse is
    working on and those on their way."""
    filters = QueueFilterForm(request.GET)
    wanted = filters.wanted()
    state = wanted.pop("state")
    rows = selectors.work_queue(request.user, **wanted)
    counts = selectors.queue_counts(rows)
    shown = [row for row in rows if state is None or row.state == state]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [{"value": value, "label": label, "count": counts.get(value, 0) if value else len(rows),
             "current": (value or None) == state} for value, label in QUEUE_STATES]
    panel_filters = {"warehouse_id": wanted["warehouse_id"], "q": wanted["q"]}
    open_notes = selectors.note_list(request.user, status="open", **panel_filters).order_by("created_at", "id")
    on_the_way = selectors.note_list(request.user, status="on_the_way", **panel_filters).order_by("-shipped_at", "-id")
    context = {"filters": filters, "page": page, "tabs": tabs, "state": state or "", "today": localdate(),
               "open_notes": list(open_notes[:PANEL_SIZE]), "open_count": open_notes.count(),
               "on_the_way": list(on_the_way[:PANEL_SIZE]), "on_the_way_count": on_the_way.count(),
               "can": can(request), "tab": "queue"}
    return _render_list(request, "shipping/queue.html", "shipping/_queue.html", context)


# -- the list of notes -----------------------------------------------------------------------------------

@view_requires(VIEW)
@require_safe
def note_list(request):
    filters = NoteFilterForm(request.GET)
    notes = selectors.note_list(request.user, **filters.wanted()).prefetch_related("tracking_numbers")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page:
        note.links = [selectors.TrackingLink(t.number, note.carrier.tracking_link(t.number) if note.carrier else "")
                      for t in note.tracking_numbers.all()]
    context = {"filters": filters, "page": page, "can": can(request), "tab": "notes"}
    return _render_list(request, "shipping/note_list.html", "shipping/_note_rows.html", context)


# -- the order page's shipping panel --------------------------------------------------------------------

def order_panel(request, order) -> dict:
    """What the order page shows of shipping: per line ordered, shipped, on notes and remaining; the
    order's delivery notes with their status and tracking links; and whether the user may make a
    note now. Four queries whatever the number of lines."""
    if order.kind != Kind.ORDER:
        return {"shipping": None}
    shipping = selectors.order_shipping(order)
    if not shipping.lines and not shipping.notes:
        return {"shipping": None}
    numbers: dict[int, list[selectors.TrackingLink]] = {}
    by_id = {note.pk: note for note in shipping.notes}
    for note_id, number in (TrackingNumber.objects.filter(note_id__in=list(by_id)).order_by("id")
                            .values_list("note_id", "number")):
        carrier = by_id[note_id].carrier
        numbers.setdefault(note_id, []).append(selectors.TrackingLink(number, carrier.tracking_link(number)
                                                                      if carrier else ""))
    lines = [{"state": state, "id": str(state.line.pk), "position": str(state.line.position),
              "sku": state.line.product.sku, "name": state.line.description or state.line.product.name,
              "ordered": plain_number(state.line.quantity), "unit": state.line.unit.name,
              "shipped": plain_number(state.line.shipped_quantity), "on_notes": plain_number(state.on_notes),
              "remaining": plain_number(state.remaining)} for state in shipping.lines]
    return {"shipping": {
        "lines": lines,
        "notes": [{"note": note, "links": numbers.get(note.pk, [])} for note in shipping.notes],
        "can_create": (has_capability(request.user, SHIP) and order.status == OrderStatus.CONFIRMED
                       and shipping.can_create_note)}}
