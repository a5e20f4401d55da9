"""The printable delivery note (送货单) and picking list (拣货单) of a delivery note, as PDF.

Anyone who may see deliveries may print them; the note is looked up through the record rule
(``selectors.visible_note``), so a salesperson gets a 404 for a note of another salesperson's order.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from kaidan.core.access import view_requires
from kaidan.core.roles import Capability
from kaidan.shipping import selectors


def _note_or_404(request, note_id: int):
    note = selectors.visible_note(request.user, note_id)
    if note is None:
        raise Http404
    return note


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@view_requires(Capability.VIEW_DELIVERIES)
@require_safe
def delivery_note_pdf(request, note_id: int):
    from kaidan.shipping.pdf import render_delivery_note_pdf

    note = _note_or_404(request, note_id)
    return _pdf_response(render_delivery_note_pdf(note), note.number)


@view_requires(Capability.VIEW_DELIVERIES)
@require_safe
def picking_list_pdf(request, note_id: int):
    from kaidan.shipping.pdf import render_picking_list_pdf

    note = _note_or_404(request, note_id)
    return _pdf_response(render_picking_list_pdf(note), f"{note.number}-picking")
