"""The "Moderators" group: the explicit permissions moderation needs (being staff is not one).

Shared by the data migration (historical ``apps``) and anything that rebuilds it; idempotent.
"""

from django.apps import apps as global_apps

MODERATORS_GROUP = "Moderators"

MODERATOR_PERMISSIONS = [
    "view_report",
    "change_report",
    "view_review",
    "hide_review",
    "read_reported_conversation",
]


def _ensure_permissions_exist(apps) -> None:
    """Create community's permissions now: Django would only do it after all migrations."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("community")
    if apps is global_apps:
        create_permissions(app_config, verbosity=0)
        return
    app_config.models_module = (
        True  # historical app configs have none; create_permissions skips those
    )
    try:
        create_permissions(app_config, verbosity=0, apps=apps)
    finally:
        app_config.models_module = None


def ensure_moderators_group(apps=global_apps):
    """Create the "Moderators" group with exactly its permissions; return it."""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="community", codename__in=MODERATOR_PERMISSIONS
        )
    )
    return group
