"""``manage.py load_demo_data``: everything a newcomer needs to try the site. Idempotent.

Seeds the demo cities, hosts and events (``events.demo``), makes sure the Cook4Chance fund
and the "Kiron staff" group exist, creates a Kiron staff login and an admin login, and prints
every demo login with its password.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from donations.bootstrap import ensure_cook4chance_fund, ensure_kiron_staff_group
from events.demo import seed_demo_events

DEMO_STAFF_PASSWORD = "meetsies-demo-2024"
KIRON_EMAIL = "kiron@meetsies.local"
ADMIN_EMAIL = "admin@meetsies.local"


def _login_ensure(*, email: str, password: str, superuser: bool, group=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"is_staff": True})
    user.is_staff = True
    user.is_superuser = superuser
    user.is_active = True
    if created or not user.check_password(password):
        user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if group is not None:
        user.groups.add(group)
    return user


class Command(BaseCommand):
    help = "Load demo events, the Cook4Chance fund and demo logins (safe to run again)."

    def handle(self, *args, **options):
        logins: list[tuple[str, str, str]] = []
        seeded = seed_demo_events(stdout=self.stdout)
        for email in seeded["hosts"]:
            logins.append((email, seeded["password"], "demo host"))

        with transaction.atomic():
            fund = ensure_cook4chance_fund()
            group = ensure_kiron_staff_group()
            _login_ensure(
                email=KIRON_EMAIL, password=DEMO_STAFF_PASSWORD, superuser=False, group=group
            )
            _login_ensure(email=ADMIN_EMAIL, password=DEMO_STAFF_PASSWORD, superuser=True)
        logins.append((KIRON_EMAIL, DEMO_STAFF_PASSWORD, "Kiron staff (admin: fund, ledger)"))
        logins.append((ADMIN_EMAIL, DEMO_STAFF_PASSWORD, "superuser (admin)"))

        self.stdout.write(f"Fund: {fund.name} ({fund.net_cents} cents net).")
        self.stdout.write("Demo logins (log in at /en/accounts/login/, admin at /en/admin/):")
        for email, password, role in logins:
            self.stdout.write(f"  {email:<32} {password:<22} {role}")
