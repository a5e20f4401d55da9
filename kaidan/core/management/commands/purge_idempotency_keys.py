from django.core.management.base import BaseCommand

from kaidan.core.idempotency import purge_expired_records


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than KAIDAN_IDEMPOTENCY_TTL_HOURS (run it daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {purge_expired_records()} expired idempotency records")
