"""Throw-away databases for one benchmark run; the developer's var/kaidan.sqlite3 is never used.

Each (scenario, backend) pair runs in its own subprocess whose environment points DATABASE_URL at:

* sqlite   — a file in a fresh temporary directory (a file, not ``:memory:``, so the WAL journal and
  ``transaction_mode=IMMEDIATE`` from settings apply); the directory is removed afterwards;
* postgres — database ``kaidan_bench`` on BENCH_POSTGRES_URL, dropped and recreated for every run
  and dropped again afterwards.

KAIDAN_VAR_DIR and SECRET_KEY point into the temporary directory too, so settings write nothing
under var/; DEBUG is forced off (with it on, Django would keep every query in memory).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

BACKENDS = ("sqlite", "postgres")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/kaidan_bench")


class Unavailable(Exception):
    """The backend cannot be used on this machine (PostgreSQL unreachable); its runs are skipped."""


@contextlib.contextmanager
def database(backend: str) -> Iterator[dict[str, str]]:
    """A fresh, empty database for ``backend``; yields the environment for the worker subprocess."""
    tmp = tempfile.mkdtemp(prefix="kaidan-bench-")
    env = {"KAIDAN_VAR_DIR": tmp, "SECRET_KEY": secrets.token_urlsafe(32), "DEBUG": "0"}
    try:
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"  # tmp is absolute: sqlite:////tmp/...
            yield env
        else:
            _recreate_postgres(POSTGRES_URL, create=True)
            env["DATABASE_URL"] = POSTGRES_URL
            try:
                yield env
            finally:
                with contextlib.suppress(Unavailable):
                    _recreate_postgres(POSTGRES_URL, create=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _recreate_postgres(url: str, *, create: bool) -> None:
    """Drop the database named in ``url`` (and create it again when ``create``), via the
    ``postgres`` maintenance database of the same server."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unavailable(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} unreachable ({reason})") from exc
