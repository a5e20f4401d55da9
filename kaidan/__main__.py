"""The `kaidan` command: Django's manage.py, plus `kaidan serve` for the production server."""

import os
import sys


def serve(argv: list[str]) -> None:
    """Collect static files, then replace this process with gunicorn on kaidan.wsgi (whitenoise
    serves the static files). Extra arguments go to gunicorn."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)
    bind = os.environ.get("BIND", "127.0.0.1:8000")
    workers = os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2))
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "kaidan.wsgi:application", "--bind", bind,
                              "--workers", workers, "--access-logfile", "-", *argv])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaidan.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
