"""What scenarios share: the Result of one measurement and a helper to run work on N threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Result:
    """One measurement, printed as ``<scenario> <backend> k=v ... <unit>=<rate> ok|FAIL <s>s [note]``."""

    params: dict[str, int | str]
    unit: str  # what the rate counts, e.g. "numbers/s"
    rate: float
    ok: bool
    seconds: float  # wall time of the measured part only (not setup or migrate)
    note: str = field(default="")


def run_threads(threads: int, n: int, work: Callable[[int], T]) -> tuple[list[T], float]:
    """Split ``n`` items over ``threads`` threads and call ``work(share)`` in each.

    Every thread opens its own database connection before a common start barrier and closes it at
    the end (Django connections are per thread). Returns the per-thread results and the wall time
    from the barrier to the last thread's end; re-raises the first exception of any thread.
    """
    from django.db import connection

    shares = [n // threads + (i < n % threads) for i in range(threads)]
    results: list[T | None] = [None] * threads
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)

    def body(i: int) -> None:
        try:
            connection.ensure_connection()
            start.wait()
            results[i] = work(shares[i])
        except BaseException as exc:  # re-raised in the main thread below
            errors.append(exc)
            start.abort()
        finally:
            connection.close()

    pool = [threading.Thread(target=body, args=(i,), name=f"bench-{i}") for i in range(threads)]
    for t in pool:
        t.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return results, elapsed  # type: ignore[return-value]
