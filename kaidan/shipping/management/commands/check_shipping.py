"""``kaidan check_shipping``: verify on a live database that orders, delivery notes and shipment
moves agree (kaidan/shipping/checks.py). Exit status 1 on a problem."""

from django.core.management.base import BaseCommand, CommandError

from kaidan.shipping.checks import shipping_discrepancies


class Command(BaseCommand):
    help = "Check that shipped quantities agree with delivery notes, reservations and stock moves."

    def handle(self, *args, **options):
        problems = shipping_discrepancies()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} shipping problem(s) found")
        self.stdout.write("shipping OK")
