"""The history of every status change: who (a user, staff, Stripe, the system), when, from, to, why.

Below every app that has statuses (``accounts ← audit ← events ← bookings ← donations``), so
each one's transition function writes its rows here. Append-only, like the ledgers.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryIsAppendOnly(ValidationError):
    pass


class StatusChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsAppendOnly(_("History cannot be changed."))

    def delete(self):
        raise HistoryIsAppendOnly(_("History cannot be deleted."))


class StatusChange(models.Model):
    class Actor(models.TextChoices):
        USER = "user", _("User")
        STAFF = "staff", _("Staff")
        STRIPE = "stripe", _("Stripe")
        SYSTEM = "system", _("System")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of object"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=30)
    to_status = models.CharField(_("to"), max_length=30)
    actor_kind = models.CharField(_("who"), max_length=10, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="status_change_obj_idx")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise HistoryIsAppendOnly(_("History cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(_("History cannot be deleted."))
