"""The one helper that formats money for people: integer cents in, a localized amount out."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

# Where the euro sign goes, by language: "25,00 €" in French, "€ 25,00" in Dutch, "€25.00" in English.
_EURO_PATTERNS = {
    "fr": "{amount} €",
    "nl": "€ {amount}",
    "de": "{amount} €",
}
_DEFAULT_PATTERN = "€{amount}"


def format_cents(cents: int | None, *, language: str | None = None) -> str:
    """Format an integer amount of euro cents for the active (or given) language. No floats."""
    if cents is None or cents == "":
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    amount = number_format(Decimal(abs(cents)) / 100, decimal_pos=2, force_grouping=True)
    language = (language or get_language() or "en").split("-")[0]
    pattern = _EURO_PATTERNS.get(language, _DEFAULT_PATTERN)
    return sign + pattern.format(amount=amount)


@register.filter
def money(cents: int | None) -> str:
    """``{{ event.contribution_cents|money }}`` → "€25.00" (en), "25,00 €" (fr)."""
    return format_cents(cents)
