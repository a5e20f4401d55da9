"""Panels later apps add to the order page (the approval route, the delivery notes): sales does not
import them (they depend on sales). Each app registers at start a template for a slot ("top": under
the header, "bottom": under the lines) and a function giving the template's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    context: Callable  # (request, order) -> dict


_panels: list[Panel] = []


def register(slot: str, template: str, context: Callable) -> None:
    if all(p.template != template for p in _panels):
        _panels.append(Panel(slot, template, context))


def page_context(request, order) -> dict:
    """Every registered panel's context, and the templates per slot as ``panels_top`` / ``panels_bottom``."""
    result: dict = {"panels_top": [], "panels_bottom": []}
    for panel in _panels:
        result.update(panel.context(request, order))
        result[f"panels_{panel.slot}"].append(panel.template)
    return result
