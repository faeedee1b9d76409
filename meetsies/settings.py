"""Settings, read from the environment.

With no environment at all the site runs on the *embedded default*: an SQLite file, Celery in
eager mode, email on the console, a local cache and localstripe on 127.0.0.1:8420. Setting
``DATABASE_URL``, ``REDIS_URL`` and the ``STRIPE_*`` variables moves it onto the real stack.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# The embedded default is what a newcomer gets with no DATABASE_URL: everything on one machine.
EMBEDDED = not env("DATABASE_URL")

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = "embedded-default-insecure-key-only-for-a-local-machine-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The embedded default serves the site and localstripe on loopback ports: ``make run PORT=…
# STRIPE_PORT=…`` hands both to every process it starts, and every setting that names a port
# (SITE_URL, STRIPE_API_BASE, STRIPE_JS_URL, the webhook URL) is derived from them here.
PORT = int(env("PORT") or "8000")
STRIPE_PORT = int(env("STRIPE_PORT") or "8420")
# Absolute links (emails, .ics, the data export) and the site's name come from these two only.
SITE_URL = env("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
SITE_NAME = env("SITE_NAME", "Meetsies")

INSTALLED_APPS = [
    "meetsies.admin_site.MeetsiesAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "accounts",
    "audit",
    "events",
    "bookings",
    "donations",
    "community",
]

MIDDLEWARE = [
    # Outermost, so its one line per request times the whole stack.
    "meetsies.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files and uploads are served under the policy too.
    "meetsies.csp.StripeAwareCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "meetsies.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "meetsies.urls"
WSGI_APPLICATION = "meetsies.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if EMBEDDED:
    (BASE_DIR / "var").mkdir(exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stuck lock or a runaway query answers an error page in seconds instead of tying up a
    # worker for ever. Celery workers may set longer limits through the same variables.
    DB_LOCK_TIMEOUT_MS = int(env("DB_LOCK_TIMEOUT_MS", "5000"))
    DB_STATEMENT_TIMEOUT_MS = int(env("DB_STATEMENT_TIMEOUT_MS", "30000"))
    DATABASES["default"]["OPTIONS"] = {
        "options": (
            f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
        )
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait on a locked database instead of failing at once (SQLite has no row locks).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous visitors' home, event list, event page and impact page are served from the cache
# (events.cache): invalidated when an event, its seats or the fund change, and kept at most
# PUBLIC_PAGE_CACHE_SECONDS in any case.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "300"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "events:list"

# django-allauth: the email address is the login, and it must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The public name is asked at sign-up: it is never derived from the email address.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# allauth's forms with our labels (sentence case); its pages are templates/account/*.html.
ACCOUNT_FORMS = {
    "login": "accounts.auth_forms.LoginForm",
    "signup": "accounts.auth_forms.SignupForm",
    "reset_password": "accounts.auth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.auth_forms.ResetPasswordKeyForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("DJANGO_SECURE") else "http"

# Rate limits: one mechanism for the whole site, allauth's (``allauth.core.ratelimit``, counted
# in the cache: Redis on the real stack). allauth's own actions keep its defaults unless named
# here; ours are consumed by our views and answer 429 with templates/429.html. A rate is
# "amount/period/per" with per = ip, user or key (a key the view passes: an email, a booking).
# Messages between hosts and guests: each is emailed to the other side.
COMMUNITY_MESSAGES_PER_HOUR = int(env("COMMUNITY_MESSAGES_PER_HOUR", "30"))
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords, everyone's (staff sign in here too: the admin login sends them here).
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    # A Stripe SetupIntent per POST at checkout: a real object at Stripe each time.
    "checkout_setup_intent": "20/h/user,10/10m/key",
    # Each sign-up sends an email to an address we do not know yet.
    "newsletter_subscribe": "10/h/ip,3/h/key",
    # A message (or a host's announcement) emails the other side.
    "community_message": f"{COMMUNITY_MESSAGES_PER_HOUR}/h/user",
}
# Behind N reverse proxies of our own, the client address is the Nth from the right of
# X-Forwarded-For; 0 (default) ignores the header, which anyone can forge.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Two factors (allauth.mfa): an authenticator app (TOTP) with recovery codes, or a security key
# or passkey (WebAuthn). Anyone may opt in from their profile; on the real stack staff and
# superusers must have one before any admin page opens (meetsies.admin_site). The embedded
# default lets the demo staff accounts skip it so a newcomer can look around.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Meetsies"
# WebAuthn needs a secure origin; the embedded default is served on plain http://127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = EMBEDDED or DEBUG
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not EMBEDDED)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["meetsies.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# The embedded default serves uploads itself; in production a web server or bucket does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", EMBEDDED)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not EMBEDDED and not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (embedded default, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = EMBEDDED or DEBUG
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing STATIC_ROOT
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PROFILE_PHOTO_MAX_BYTES = 2 * 1024 * 1024
EVENT_PHOTO_MAX_BYTES = 4 * 1024 * 1024
# Photos are re-encoded (accounts/images.py); bigger images are refused before decoding.
IMAGE_MAX_PIXELS = int(env("IMAGE_MAX_PIXELS", str(40_000_000)))

# Email
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Meetsies <hello@meetsies.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
KIRON_STAFF_EMAILS = env_list("KIRON_STAFF_EMAILS", "kiron@meetsies.local")

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process (eager).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
# Periodic work (celery beat). Each app's entries name its own tasks by dotted path.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# donations: route pledges/refunds the signal path missed; compare the fund with its ledger.
CELERY_BEAT_SCHEDULE["donations-fund-sweep"] = {
    "task": "donations.fund_sweep",
    "schedule": timedelta(minutes=5),
}
CELERY_BEAT_SCHEDULE["donations-fund-reconcile"] = {
    "task": "donations.fund_reconcile",
    "schedule": timedelta(hours=1),
}
# donations: money-ledger transfers the signal path missed; the daily reconciliation of all money.
CELERY_BEAT_SCHEDULE["donations-money-sweep"] = {
    "task": "donations.money_sweep",
    "schedule": timedelta(minutes=5),
}
CELERY_BEAT_SCHEDULE["donations-money-reconcile"] = {
    "task": "donations.money_reconcile",
    "schedule": timedelta(days=1),
}
# events: a published event whose end has passed is completed.
CELERY_BEAT_SCHEDULE["events-complete-ended"] = {
    "task": "events.tasks.complete_ended_events",
    "schedule": timedelta(minutes=5),
}
# bookings: expired holds give their seats back; lost webhooks are caught by asking Stripe;
# guests get their 24-hour reminder.
CELERY_BEAT_SCHEDULE["bookings-expire-stale-holds"] = {
    "task": "bookings.tasks.expire_stale_holds",
    "schedule": timedelta(minutes=1),
}
CELERY_BEAT_SCHEDULE["bookings-sweep-pending-payments"] = {
    "task": "bookings.tasks.sweep_pending_payments",
    "schedule": timedelta(minutes=2),
}
CELERY_BEAT_SCHEDULE["bookings-send-due-reminders"] = {
    "task": "bookings.tasks.send_due_reminders",
    "schedule": timedelta(minutes=10),
}

# community: review invitations after completed events; message emails the usual task missed.
CELERY_BEAT_SCHEDULE["community-send-review-invitations"] = {
    "task": "community.tasks.send_review_invitations",
    "schedule": timedelta(minutes=15),
}
CELERY_BEAT_SCHEDULE["community-sweep-message-notifications"] = {
    "task": "community.tasks.sweep_message_notifications",
    "schedule": timedelta(minutes=5),
}
# Messages a person may send in an hour (guest–host threads and host announcements).

# Payments. The embedded default talks to localstripe on loopback; production leaves
# STRIPE_API_BASE empty (real Stripe) and sets real keys.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "sk_test_meetsies_localstripe")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "pk_test_meetsies_localstripe")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "whsec_meetsies_localstripe")
STRIPE_API_BASE = env("STRIPE_API_BASE", f"http://127.0.0.1:{STRIPE_PORT}" if EMBEDDED else "")
STRIPE_JS_URL = env(
    "STRIPE_JS_URL",
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)
STRIPE_WEBHOOK_TOLERANCE = 300
CURRENCY = "EUR"
PLATFORM_FEE_PERCENT = int(env("PLATFORM_FEE_PERCENT", "0"))
# Payouts (docs/MONEY.md): a host's share becomes payable this many days after the event ended;
# a batch pays a host only from this balance up; the platform's own account (the debtor of the
# SEPA file) and Kiron's account come from the environment.
HOST_PAYOUT_DELAY_DAYS = int(env("HOST_PAYOUT_DELAY_DAYS", "3"))
PAYOUT_MINIMUM_CENTS = int(env("PAYOUT_MINIMUM_CENTS", "1000"))
PAYOUT_DEBTOR_NAME = env("PAYOUT_DEBTOR_NAME", "Meetsies ASBL")
PAYOUT_DEBTOR_IBAN = env("PAYOUT_DEBTOR_IBAN", "BE68539007547034")
PAYOUT_DEBTOR_BIC = env("PAYOUT_DEBTOR_BIC", "GEBABEBB")
KIRON_PAYOUT_NAME = env("KIRON_PAYOUT_NAME", "Kiron Open Higher Education gGmbH")
KIRON_PAYOUT_IBAN = env("KIRON_PAYOUT_IBAN", "DE89370400440532013000")
KIRON_PAYOUT_BIC = env("KIRON_PAYOUT_BIC", "COBADEFFXXX")
# How far back the reconciliation asks Stripe about PaymentIntents (days).
RECONCILE_STRIPE_DAYS = int(env("RECONCILE_STRIPE_DAYS", "120"))
BOOKING_HOLD_MINUTES = 15
BOOKING_MAX_SEATS = 8
DEFAULT_CANCELLATION_NOTICE = timedelta(hours=48)

# Security: DJANGO_SECURE=1 behind HTTPS (production and `check --deploy`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if env_bool("DJANGO_SECURE"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Everything from our own origin, nothing inline: no
# inline <script>, no event-handler attributes, no style="" attributes (scripts and styles
# live in static/). The Stripe.js origin and what it needs (localstripe or js.stripe.com,
# api.stripe.com, hooks.stripe.com) are added per request from STRIPE_JS_URL and
# STRIPE_API_BASE by meetsies.csp.StripeAwareCSPMiddleware. See docs/SECURITY.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the QR code allauth's two-factor setup shows as a data: URI.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per request (meetsies.middleware.RequestLogMiddleware): request id, method,
        # path, status, duration_ms, queries. REQUEST_LOG_LEVEL=WARNING silences it.
        "meetsies.request": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
    },
}

# The benchmark (make bench): the bare reference page at /bench/reference/ and the query count
# of each response in an X-DB-Queries header. Both off unless set.
BENCH_REFERENCE_VIEW = env_bool("BENCH_REFERENCE_VIEW")
REQUEST_STATS_HEADERS = env_bool("REQUEST_STATS_HEADERS", BENCH_REFERENCE_VIEW)
