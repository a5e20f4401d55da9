"""Gapless invoice numbers: ``next_number("invoice")``, each inside its own ``transaction.atomic()``
as posting an invoice does.

Measured: numbers/s for N numbers with 1 thread and with 8 threads (each thread its own database
connection). The counter row stays locked until commit, so writers serialise — on SQLite at
``BEGIN IMMEDIATE`` (waiting on the database lock up to the 20 s timeout in settings), on
PostgreSQL on the counter row — and more threads cannot raise the rate, only show the queueing.

Checked after each run: the committed numbers (pattern ``INV{yyyy}-{seq:06}``) are exactly 1..N,
no duplicate, no gap, and the counter stands at N; otherwise the line says FAIL. A transaction that
fails with OperationalError (e.g. SQLite "database is locked") is retried and counted in the line;
its number was rolled back, so the check still expects 1..N.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bench.common import Result, run_threads

NAME = "numbering"
DEFAULT_N = 10_000
THREADS = (1, 8)
MAX_RETRIES = 100  # per thread; past this the run is aborted rather than spinning
NUMBER = re.compile(r"^INV\d{4}-(\d{6,})$")


def run(n: int, backend: str) -> Iterator[Result]:
    from django.db import OperationalError, transaction
    from sequences.models import Sequence

    from kaidan.core.numbering import next_number

    def take(count: int) -> tuple[list[str], int]:
        numbers: list[str] = []
        retries = 0
        while len(numbers) < count:
            try:
                with transaction.atomic():
                    number = next_number("invoice")
            except OperationalError:
                retries += 1
                if retries > MAX_RETRIES:
                    raise
                continue
            numbers.append(number)  # only once committed: a rolled-back number is given back
        return numbers, retries

    for threads in THREADS:
        Sequence.objects.filter(name__startswith="invoice:").delete()  # each run starts at 1
        per_thread, seconds = run_threads(threads, n, take)
        numbers = [num for nums, _retries in per_thread for num in nums]
        retries = sum(r for _nums, r in per_thread)
        counters = list(Sequence.objects.filter(name__startswith="invoice:").values_list("last", flat=True))
        problem = check(numbers, n, counters)
        note = "; ".join(x for x in (f"retries={retries}" if retries else "", problem) if x)
        yield Result({"threads": threads, "n": n}, "numbers/s", n / seconds, not problem, seconds, note)


def check(numbers: list[str], n: int, counters: list[int]) -> str:
    """'' when ``numbers`` are exactly 1..n and the only counter row stands at n; else what is wrong."""
    seqs = []
    for number in numbers:
        match = NUMBER.match(number)
        if not match:
            return f"malformed number {number!r}"
        seqs.append(int(match[1]))
    distinct = set(seqs)
    duplicates = len(seqs) - len(distinct)
    missing = len(set(range(1, n + 1)) - distinct)
    extra = len(distinct - set(range(1, n + 1)))
    if duplicates or missing or extra:
        return f"duplicates={duplicates} missing={missing} out-of-range={extra}"
    if counters != [n]:
        return f"counter rows {counters}, expected [{n}]"
    return ""
