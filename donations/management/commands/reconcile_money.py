"""``manage.py reconcile_money``: the ledger, stored totals, payments and refunds, and Stripe.

Imports the refunds Stripe holds for recent PaymentIntents that our rows lack (notes), then
prints every difference in cents. Exit status 0 when everything agrees, 1 on any difference.
"""

import sys

from django.core.management.base import BaseCommand

from donations.reconcile_money import money_reconcile


class Command(BaseCommand):
    help = "Reconcile all money (ledger, totals, payments, refunds, Stripe); exit 1 on differences."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-stripe", action="store_true", help="Do not ask Stripe (offline check only)."
        )
        parser.add_argument(
            "--days", type=int, default=None, help="How far back to ask Stripe (default: setting)."
        )

    def handle(self, *args, no_stripe=False, days=None, **options):
        report = money_reconcile(stripe=not no_stripe, days=days)
        for line in report.notes:
            self.stdout.write(f"  note: {line}")
        for line in report.differences:
            self.stdout.write(self.style.ERROR(f"  DIFFERENCE: {line}"))
        if report.differences:
            self.stdout.write(self.style.ERROR(f"{len(report.differences)} difference(s) found."))
            sys.exit(1)
        self.stdout.write(
            self.style.SUCCESS("All money agrees: ledger, totals, payments, refunds, Stripe.")
        )
