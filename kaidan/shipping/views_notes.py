"""Making a delivery note from an order, a note's page and the warehouse's actions on it: start
picking, pack (parcels, weight, carrier, tracking numbers, freight), re-open the packing, ship,
cancel, and record a tracking event. The new-note page offers per line what can ship now; a
quantity the order cannot give is shown on its line (409 over-shipment / not reserved), a bad one
beside it (422), and nothing is made.

Every action posts the note's version: a note someone else changed meanwhile is refused with a
message saying so (409), never overwritten. A field to fix is shown beside the field of the form
that was sent (422); a move the note's state does not allow is a message (409). With htmx the answer
is the note's fragment; without, a redirect back to the page (or the page itself on an error)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaidan.core.access import view_requires
from kaidan.core.errors import DomainError, Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.money import plain_number
from kaidan.core.roles import has_capability
from kaidan.core.selectors import history_panel
from kaidan.sales import selectors as sales_selectors
from kaidan.sales.states import Kind
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import selectors, services, states, tracking
from kaidan.shipping.forms import CancelForm, EventForm, NewNoteForm, PackForm, ShipForm, VersionForm
from kaidan.shipping.states import Status
from kaidan.shipping.views import SHIP, VIEW, can, is_partial, note_or_404, show_errors

ZERO = Decimal(0)
FORMS = {"pick": VersionForm, "pack": PackForm, "reopen": VersionForm, "ship": ShipForm, "cancel": CancelForm,
         "event": EventForm}


def allowed_actions(note) -> dict[str, bool]:
    """The actions the note's state allows now (the services decide again when one is sent)."""
    moves = states.next_actions(note.status)
    return {"pick": note.status == Status.DRAFT and Status.PICKING in moves,
            "pack": Status.PACKED in moves, "ship": Status.SHIPPED in moves,
            "reopen": note.status == Status.PACKED and Status.PICKING in moves,
            "cancel": Status.CANCELLED in moves, "event": note.status in states.TRACKED}


def _form(action: str, note, data=None, *, carriers=(), numbers=()):
    auto_id = f"{action}-%s"
    if action == "pack":
        return PackForm(data, note=note, carriers=carriers, numbers=numbers, auto_id=auto_id)
    if action in ("pick", "reopen"):
        return VersionForm(data, initial={"version": note.version}, auto_id=auto_id)
    return FORMS[action](data, note=note, auto_id=auto_id)


def note_context(request, note, *, failed: tuple[str, object] | None = None) -> dict:
    """Everything the note's page shows; ``failed`` is the (action, form) that came back with errors."""
    lines = selectors.note_lines(note)
    links = selectors.tracking_links(note)
    actions = allowed_actions(note) if has_capability(request.user, SHIP) else {}
    carriers = list(selectors.active_carriers()) if actions.get("pack") else []
    forms = {action: _form(action, note, carriers=carriers, numbers=[link.number for link in links])
             for action, allowed in actions.items() if allowed}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    return {"note": note, "lines": lines, "total_quantity": sum((line.quantity for line in lines), 0),
            "links": links, "timeline": selectors.timeline(note), "history": history_panel(note),
            "actions": actions, "forms": forms, "open_form": failed[0] if failed else None,
            "no_carriers": bool(actions.get("pack")) and not carriers,
            "can": can(request), "tab": "notes"}


def render_note(request, note, *, status: int = 200, failed: tuple[str, object] | None = None):
    context = note_context(request, note, failed=failed)
    if is_partial(request):
        return render(request, "shipping/_note.html", {**context, "partial": True}, status=status)
    return render(request, "shipping/note_detail.html", context, status=status)


@view_requires(VIEW)
@require_safe
def note_detail(request, note_id: int):
    return render_note(request, note_or_404(request, note_id))


def _run(action: str, request, note, form):
    version = form.cleaned_data.get("version")
    if version is None:
        raise StaleEdit()
    actor, pk = request.user, note.pk
    if action == "pick":
        return services.start_picking(actor=actor, note_id=pk, version=version), _("%(number)s: picking started.")
    if action == "pack":
        return (services.pack(actor=actor, note_id=pk, data=form.service_data(), version=version),
                _("%(number)s packed."))
    if action == "reopen":
        return (services.reopen_packing(actor=actor, note_id=pk, version=version),
                _("%(number)s: packing re-opened; it is back in picking."))
    if action == "ship":
        return (services.ship(actor=actor, note_id=pk, data=form.service_data(), version=version),
                _("%(number)s shipped: the stock is booked out and the order's shipped quantities are updated."))
    if action == "cancel":
        return (services.cancel(actor=actor, note_id=pk, reason=form.cleaned_data.get("reason") or "",
                                version=version),
                _("%(number)s cancelled; its quantities stay reserved for the order."))
    tracking.add_event(actor=actor, note_id=pk, data=form.service_data(), version=version)
    return note, _("%(number)s: tracking event recorded.")


def _act(request, note_id: int, action: str):
    note = note_or_404(request, note_id)
    carriers = list(selectors.active_carriers()) if action == "pack" else ()
    form = _form(action, note, request.POST, carriers=carriers)
    if not form.is_valid() and set(form.errors) - {"version"}:  # an unreadable version is a stale one, below
        return render_note(request, note, status=422, failed=(action, form))
    try:
        done, message = _run(action, request, note, form)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except ValidationFailed as exc:
        show_errors(form, exc)
        return render_note(request, note, status=422, failed=(action, form))
    except StaleEdit:
        fresh = note_or_404(request, note_id)
        messages.error(request, _("Someone else changed %(number)s since you opened it: it is now “%(status)s”. "
                                  "Nothing was changed; check the note and try again.")
                       % {"number": fresh.number, "status": fresh.get_status_display()})
        return render_note(request, fresh, status=409)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_note(request, note_or_404(request, note_id), status=exc.status)
    messages.success(request, message % {"number": done.number})
    if is_partial(request):
        return render_note(request, note_or_404(request, note_id))
    return redirect("delivery_note_detail", note_id=note_id)


@view_requires(SHIP)
@require_POST
def note_pick(request, note_id: int):
    return _act(request, note_id, "pick")


@view_requires(SHIP)
@require_POST
def note_pack(request, note_id: int):
    return _act(request, note_id, "pack")


@view_requires(SHIP)
@require_POST
def note_reopen(request, note_id: int):
    return _act(request, note_id, "reopen")


@view_requires(SHIP)
@require_POST
def note_ship(request, note_id: int):
    return _act(request, note_id, "ship")


@view_requires(SHIP)
@require_POST
def note_cancel(request, note_id: int):
    return _act(request, note_id, "cancel")


@view_requires(SHIP)
@require_POST
def note_event(request, note_id: int):
    return _act(request, note_id, "event")


# -- making a note from an order -------------------------------------------------------------------------

def _why_not(order, shipping) -> str | None:
    """Why no note can be made for the order now, in words; None when one can."""
    if order.kind != Kind.ORDER or order.status != OrderStatus.CONFIRMED:
        return _("Only a confirmed order can ship; %(number)s is “%(status)s”. It has to be submitted and confirmed "
                 "(and its stock reserved) before the warehouse can make a delivery note for it.") % {
            "number": order.number, "status": order.get_status_display()}
    if shipping.can_create_note:
        return None
    if all(state.remaining <= 0 and state.on_notes <= 0 for state in shipping.lines):
        return _("Everything on %(number)s has shipped.") % {"number": order.number}
    if all(state.remaining <= 0 for state in shipping.lines):
        return _("Everything left to ship on %(number)s is on delivery notes already; continue those below.") % {
            "number": order.number}
    return _("Nothing of %(number)s can ship now: what is left waits for stock (nothing reserved is free).") % {
        "number": order.number}


def _rows(shipping) -> list[dict]:
    """One row per order line, its figures as text already (a 1,000-line order renders in a blink)."""
    rows = []
    for state in shipping.lines:
        line, product = state.line, state.line.product
        rows.append({
            "state": state, "line": line, "id": str(line.pk), "position": str(line.position), "sku": product.sku,
            "name": product.name, "spec": product.spec, "model": product.model, "unit": line.unit.name,
            "free_item": line.is_free, "ordered": plain_number(line.quantity),
            "shipped": plain_number(line.shipped_quantity), "on_notes": plain_number(state.on_notes),
            "remaining": plain_number(state.remaining),
            "reserved": plain_number(state.free_reserved) if state.tracked else None,
            "short": state.tracked and state.remaining > 0 and state.free_reserved < state.remaining,
            "input": state.remaining > 0, "errors": [],
            "value": plain_number(state.shippable) if state.shippable > 0 else ""})
    return rows


def _chosen(request, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The quantities typed per line (an empty or zero box leaves the line off the note), as the
    service takes them, and for each the row it came from (to put the service's errors beside it)."""
    chosen, origin = [], []
    for row in rows:
        raw = (request.POST.get(f"qty-{row['line'].pk}") or "").strip()[:40]
        row["value"] = raw
        if not row["input"] or not raw:
            continue
        try:
            if Decimal(raw) == 0:
                continue
        except (InvalidOperation, ValueError):
            pass  # the service says what is wrong with it
        chosen.append({"order_line_id": row["line"].pk, "quantity": raw})
        origin.append(row)
    return chosen, origin


def _show_create_errors(form, exc: DomainError, origin: list[dict], rows: list[dict]) -> None:
    if isinstance(exc, ValidationFailed):
        for field, field_messages in exc.fields.items():
            parts = field.split(".")
            row = origin[int(parts[1])] if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() \
                and int(parts[1]) < len(origin) else None
            for message in field_messages:
                if row is not None:
                    row["errors"].append(message)
                else:
                    form.add_error("notes" if field == "notes" else None, message)
        return
    form.add_error(None, str(exc.message))
    by_id = {row["line"].pk: row for row in rows}
    for item in exc.detail.get("lines") or []:
        row = by_id.get(item.get("order_line_id"))
        if row is None:
            continue
        state = row["state"]
        if isinstance(exc, services.OverShipment):
            row["errors"].append(_("Only %(left)s left to ship.") % {"left": plain_number(max(state.remaining, ZERO))})
        else:
            row["errors"].append(_("Only %(free)s reserved and not on a note; the rest waits for stock.")
                                 % {"free": plain_number(state.free_reserved)})


@view_requires(SHIP)
@require_http_methods(["GET", "POST"])
def note_create(request, order_id: int):
    """The order's lines with what is left and reserved, and a quantity per line that defaults to
    what can ship now; saving makes the delivery note."""
    order = sales_selectors.order_detail(request.user, order_id)
    if order is None:
        raise Http404
    shipping = selectors.order_shipping(order)
    reason = _why_not(order, shipping)
    form = NewNoteForm(request.POST or None)
    rows = _rows(shipping)
    status = 200
    if request.method == "POST" and reason is not None:
        status = 409
    elif request.method == "POST":
        chosen, origin = _chosen(request, rows)
        status = 422
        if form.is_valid():
            try:
                note = services.create_note(actor=request.user, data={
                    "order_id": order.pk, "lines": chosen, "notes": form.cleaned_data.get("notes") or ""})
            except NotFound:
                raise Http404 from None
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                _show_create_errors(form, exc, origin, rows)
                status = exc.status
            else:
                messages.success(request, ngettext("Delivery note %(number)s made for %(order)s: %(lines)s line.",
                                                   "Delivery note %(number)s made for %(order)s: %(lines)s lines.",
                                                   note.line_count)
                                 % {"number": note.number, "order": order.number, "lines": note.line_count})
                return redirect("delivery_note_detail", note_id=note.pk)
    context = {"order": order, "rows": rows, "form": form, "reason": reason, "notes": shipping.notes,
               "tab": "queue", "can": can(request)}
    return render(request, "shipping/note_new.html", context, status=status)
