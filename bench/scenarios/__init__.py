"""The registered scenarios, in the order ``python -m bench`` runs them.

A scenario is a module here with ``NAME``, ``DEFAULT_N`` and ``run(n, backend)`` yielding
``bench.common.Result`` objects; it imports Django models inside ``run`` (the worker calls
``django.setup()`` and ``migrate`` first). Adding one: write the module, then import it and
append it to SCENARIOS below.
"""

from bench.scenarios import approvals, excel_import, numbering, orders, picker, reservations, shipping

SCENARIOS = [numbering, picker, excel_import, orders, reservations, approvals, shipping]


def by_name(name: str):
    """The registered scenario module called ``name``; KeyError if there is none."""
    return {s.NAME: s for s in SCENARIOS}[name]
