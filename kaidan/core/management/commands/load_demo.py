from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.module_loading import import_string

from kaidan.core.demo import login_lines


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        created = []
        for path in settings.KAIDAN_DEMO_LOADERS:
            created += import_string(path)()
        self.stdout.write("Demo data: " + (", ".join(created) if created else "already loaded, nothing changed"))
        with translation.override("en"):
            self.stdout.write("\nKaidan is at http://127.0.0.1:8000 — demo logins (user / password):")
            for line in login_lines():
                self.stdout.write(line)
