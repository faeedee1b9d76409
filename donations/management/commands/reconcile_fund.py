"""``manage.py reconcile_fund``: recompute the fund from its ledger and report differences.

Exit status 0 when everything agrees, 1 when any difference was found (notes alone, such as
tranche rows kept after refunds, do not fail).
"""

import sys

from django.core.management.base import BaseCommand

from donations.models import Fund
from donations.selectors import fund_reconcile


class Command(BaseCommand):
    help = "Compare fund totals, tranches and payments with the ledger; exit 1 on differences."

    def add_arguments(self, parser):
        parser.add_argument("--fund", default=None, help="Fund slug (default: every fund).")

    def handle(self, *args, fund=None, **options):
        funds = Fund.objects.order_by("pk")
        if fund:
            funds = funds.filter(slug=fund)
        differences = 0
        for item in funds:
            report = fund_reconcile(fund=item)
            self.stdout.write(
                f"{item.name}: pledged {item.pledged_cents}, reversed {item.reversed_cents}, "
                f"net {item.net_cents} cents, {item.complete_tranches} complete tranches"
            )
            for line in report.notes:
                self.stdout.write(f"  note: {line}")
            for line in report.differences:
                self.stdout.write(self.style.ERROR(f"  DIFFERENCE: {line}"))
            differences += len(report.differences)
        if differences:
            self.stdout.write(self.style.ERROR(f"{differences} difference(s) found."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The fund agrees with its ledger and payments."))
