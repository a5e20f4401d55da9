"""One scenario on one backend, in a subprocess started by ``python -m bench`` (see bench.db for the
environment it gets). Sets Django up, migrates the empty database, runs the scenario and prints
one ``RESULT <json>`` line per measurement on stdout; anything else goes to stderr.

Usage: python -m bench.worker <scenario> <sqlite|postgres> <n>
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

VENDORS = {"sqlite": "sqlite", "postgres": "postgresql"}


def main(argv: list[str]) -> None:
    name, backend, n = argv[0], argv[1], int(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaidan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.scenarios import by_name

    # Refuse to run anywhere but the throw-away database bench.db set up.
    if connection.vendor != VENDORS[backend] or not str(settings.VAR_DIR).startswith(os.environ["KAIDAN_VAR_DIR"]):
        sys.exit(f"bench.worker: DATABASE_URL is not a benchmark database ({connection.settings_dict['NAME']})")
    call_command("migrate", interactive=False, verbosity=0)
    connection.close()
    for result in by_name(name).run(n, backend):
        print("RESULT " + json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
