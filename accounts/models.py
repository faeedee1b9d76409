from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .images import PROFILE_PHOTO_MAX_SIDE, ReencodedImageField


class Language(models.TextChoices):
    """Languages people speak at the table (not the site's interface languages)."""

    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")
    ITALIAN = "it", _("Italian")
    PORTUGUESE = "pt", _("Portuguese")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    PERSIAN = "fa", _("Persian")
    UKRAINIAN = "uk", _("Ukrainian")
    IRISH = "ga", _("Irish")


# Erased accounts keep their row (bookings and the ledger point at it) under this address.
ERASED_EMAIL_DOMAIN = "erased.invalid"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person on Meetsies. The email address is the login; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # The interface language of the pages the person last read (kept by
    # ``accounts.middleware.UserLanguageMiddleware``): the language of the emails they get.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_erased(self) -> bool:
        """The person erased their account (GDPR); the row stays, anonymised."""
        return self.email.endswith("@" + ERASED_EMAIL_DOMAIN)

    @property
    def public_name(self) -> str:
        """The name the person chose to show (profile's display name, else first name); empty
        if they chose none. Never derived from the email address."""
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.first_name

    @property
    def has_public_name(self) -> bool:
        """Whether the person chose a name to show (hosts must, before publishing)."""
        return bool(self.public_name.strip())

    @property
    def display_name(self) -> str:
        """The name shown to others: the chosen one, else a neutral "Meetsies member" (never a
        piece of the email address)."""
        if self.is_erased:
            return str(_("Former member"))
        return self.public_name or str(_("Meetsies member"))


def profile_photo_path(instance: "Profile", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"profiles/{instance.user_id}/{stamp}.{extension}"


class Profile(models.Model):
    """What a person shows of themselves. Location is optional and public only to commune level."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    bio = models.TextField(_("short bio"), max_length=600, blank=True)
    city = models.ForeignKey(
        "events.City",
        verbose_name=_("city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        "events.Commune",
        verbose_name=_("commune"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    photo = ReencodedImageField(
        _("photo"),
        upload_to=profile_photo_path,
        max_side=PROFILE_PHOTO_MAX_SIDE,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.email

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:host", kwargs={"user_id": self.user_id})

    def get_languages_display(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class NewsletterSubscription(models.Model):
    """An email address that asked for updates, with the consent it gave (double opt-in)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("email address"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    consent_given_at = models.DateTimeField(_("consent given at"))
    consent_policy_version = models.CharField(_("privacy policy version"), max_length=20)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter subscription")
        verbose_name_plural = _("newsletter subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email
