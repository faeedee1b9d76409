"""Forms check the shape of input; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_CHARS, REPORT_REASON_MAX_CHARS, REVIEW_MAX_CHARS

RATING_CHOICES = [
    (5, _("5 stars: wonderful")),
    (4, _("4 stars: very good")),
    (3, _("3 stars: good")),
    (2, _("2 stars: disappointing")),
    (1, _("1 star: bad")),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=REVIEW_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Up to 2,000 characters. Shown publicly with your display name."),
        error_messages={
            "required": _("Please write a few words."),
            "max_length": _("At most %(limit_value)d characters, please."),
        },
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your public reply"),
        max_length=REVIEW_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Please write your reply."),
            "max_length": _("At most %(limit_value)d characters, please."),
        },
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=REPORT_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Our moderators read every report."),
        error_messages={
            "required": _("Please tell us why you are reporting this."),
            "max_length": _("At most %(limit_value)d characters, please."),
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Text only, up to 2,000 characters."),
        error_messages={
            "required": _("Please write your message."),
            "max_length": _("At most %(limit_value)d characters, please."),
        },
    )


class HideReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding (kept with the review)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
