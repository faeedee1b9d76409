"""Send one newsletter issue to every confirmed subscriber.

    manage.py send_newsletter --subject "December dinners" --body-file issue.txt

Each email is rendered in the subscriber's language frame and carries a one-click unsubscribe
link and List-Unsubscribe headers. ``--dry-run`` only counts the recipients.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import NewsletterSubscription
from accounts.newsletter_services import newsletter_issue_send


class Command(BaseCommand):
    help = "Send a newsletter issue to confirmed subscribers (one-click unsubscribe included)."

    def add_arguments(self, parser):
        parser.add_argument("--subject", required=True)
        parser.add_argument("--body-file", required=True, type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, subject: str, body_file: Path, dry_run: bool, **options):
        try:
            body = Path(body_file).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {body_file}: {error}") from error
        if not subject.strip() or not body.strip():
            raise CommandError("Both a subject and a body are needed.")
        if dry_run:
            count = NewsletterSubscription.objects.filter(
                status=NewsletterSubscription.Status.CONFIRMED
            ).count()
            self.stdout.write(f"Would send to {count} confirmed subscriber(s).")
            return
        sent = newsletter_issue_send(subject=subject.strip(), body=body)
        self.stdout.write(self.style.SUCCESS(f"Sent to {sent} confirmed subscriber(s)."))
