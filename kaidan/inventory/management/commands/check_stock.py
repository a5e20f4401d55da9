"""``kaidan check_stock``: verify on a live database that on hand equals the sum of the moves,
reserved equals the open reservations and 0 <= reserved <= on hand. Exit status 1 on a problem."""

from django.core.management.base import BaseCommand, CommandError

from kaidan.inventory.selectors import stock_discrepancies


class Command(BaseCommand):
    help = "Check that stock levels agree with the move ledger and the reservations."

    def handle(self, *args, **options):
        problems = stock_discrepancies()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} stock problem(s) found")
        self.stdout.write("stock OK")
