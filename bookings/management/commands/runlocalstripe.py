"""Run localstripe, the offline Stripe stand-in, on loopback only, with our webhook registered.

Used by the embedded default (``make run``) and by the test session. localstripe is a
development dependency: production never runs this command.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run localstripe on 127.0.0.1 and register the Stripe webhook of this site."

    def add_arguments(self, parser):
        default_port = urlsplit(settings.STRIPE_API_BASE).port or settings.STRIPE_PORT
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument(
            "--webhook-url",
            default=f"{settings.SITE_URL}/stripe/webhook/",
            help="Where localstripe delivers events (default: SITE_URL/stripe/webhook/).",
        )
        parser.add_argument("--no-webhook", action="store_true")
        parser.add_argument(
            "--keep-data",
            action="store_true",
            help="Reload what an earlier run pickled (localstripe's own file in /tmp).",
        )

    def handle(self, *args, port: int, webhook_url: str, no_webhook: bool, keep_data: bool, **opts):
        try:
            from aiohttp import web
            from localstripe.resources import store
            from localstripe.server import app
            from localstripe.webhooks import register_webhook
        except ImportError as exc:  # pragma: no cover - only without the dev extras
            raise CommandError("localstripe is not installed: pip install -e '.[dev]'") from exc

        if keep_data:
            store.try_load_from_disk()
        if not no_webhook:
            # Webhook registrations live only in memory: register on every start.
            register_webhook("meetsies", webhook_url, settings.STRIPE_WEBHOOK_SECRET, None)
            self.stdout.write(f"localstripe delivers webhooks to {webhook_url}")
        self.stdout.write(f"localstripe listening on http://127.0.0.1:{port}")
        web.run_app(app, host="127.0.0.1", port=port, print=None)
