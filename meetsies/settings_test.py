"""Test settings: the normal settings, made fast and quiet. Database comes from DATABASE_URL."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker (tests marked "redis").
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off for the suite (factories write rows without telling the cache, and the local-memory cache
# outlives each test's database); tests/test_page_cache.py switches it on.
PUBLIC_PAGE_CACHE = False
# Rate limits and the staff second factor are off for the suite in general (deterministic);
# the tests of throttling and of MFA switch them on with the ``settings`` fixture.
ACCOUNT_RATE_LIMITS = False
STAFF_MFA_REQUIRED = False
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
