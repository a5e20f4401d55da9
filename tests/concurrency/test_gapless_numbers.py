"""32 threads take invoice numbers on PostgreSQL; every third transaction rolls back.
The numbers that were committed must be exactly 1..N: no duplicates, no gaps."""

import threading

import pytest
from django.db import connection, transaction

from kaidan.core import numbering

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 32
PER_THREAD = 15


class Rollback(Exception):
    pass


def test_invoice_numbers_stay_gapless_under_concurrent_posting_with_rollbacks():
    committed: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int):
        try:
            start.wait()
            for attempt in range(PER_THREAD):
                try:
                    with transaction.atomic():
                        number = numbering.next_number("invoice")
                        if (index * PER_THREAD + attempt) % 3 == 0:
                            raise Rollback
                except Rollback:
                    continue
                with lock:
                    committed.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors, errors
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in committed)
    expected_commits = sum(1 for i in range(THREADS * PER_THREAD) if i % 3 != 0)
    assert len(seqs) == expected_commits
    assert seqs == list(range(1, expected_commits + 1))
