"""The fund and the staff group every installation needs, shared by migrations and commands.

The functions take an ``apps`` registry so a data migration can pass its historical one and
``load_demo_data`` (or a test that emptied the database) the real one; both end in the same
state. Each function is idempotent.
"""

from django.apps import apps as global_apps

COOK4CHANCE_SLUG = "cook4chance"
COOK4CHANCE_NAME = "Kiron Cook4Chance"
COOK4CHANCE_TRANCHE_CENTS = 400_00
KIRON_STAFF_GROUP = "Kiron staff"

# (app_label, model_name) -> the actions Kiron staff may take in admin.
KIRON_STAFF_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("donations", "fund"): ("view",),
    ("donations", "ledgerentry"): ("view",),
    ("donations", "tranche"): ("view",),
    ("donations", "disbursement"): ("view", "add", "change"),
    ("bookings", "booking"): ("view",),
    ("bookings", "payment"): ("view",),
}


def ensure_cook4chance_fund(apps=global_apps):
    """Create the Kiron Cook4Chance fund if it is missing; return it."""
    Fund = apps.get_model("donations", "Fund")
    fund, _ = Fund.objects.get_or_create(
        slug=COOK4CHANCE_SLUG,
        defaults={
            "name": COOK4CHANCE_NAME,
            "beneficiary": "Kiron",
            "tranche_cents": COOK4CHANCE_TRANCHE_CENTS,
        },
    )
    return fund


def ensure_permissions_exist(apps=global_apps) -> None:
    """Create the auth permissions of the apps Kiron staff need.

    Django creates permissions in ``post_migrate``, i.e. after *all* migrations; a data
    migration that runs on a fresh database must create them itself first.
    """
    from django.contrib.auth.management import create_permissions

    for label in {label for label, _ in KIRON_STAFF_PERMISSIONS}:
        app_config = apps.get_app_config(label)
        if apps is global_apps:
            create_permissions(app_config, verbosity=0)
            continue
        # Historical app configs have no models module; create_permissions skips those.
        app_config.models_module = True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = None


def ensure_kiron_staff_group(apps=global_apps):
    """Create the "Kiron staff" group with exactly its permissions; return it."""
    ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=KIRON_STAFF_GROUP)
    wanted = []
    for (app_label, model), actions in KIRON_STAFF_PERMISSIONS.items():
        for action in actions:
            wanted.append(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )
    group.permissions.set(wanted)
    return group
