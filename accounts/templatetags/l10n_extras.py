"""Formatting for the active language: dates and times people read, and the language switcher.

``{{ event.local_starts_at|when }}`` gives "jeudi 3 décembre, 19:30" in French,
"donderdag 3 december, 19:30" in Dutch and "Thursday 3 December, 19:30" in English. The
filters never convert time zones: pass a datetime already in the zone people should read it in
(an event's city), or a naive one.
"""

import re
from datetime import date, datetime

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import dateformat
from django.utils.translation import get_language, get_language_info

register = template.Library()

# Django translates the day and month names; these patterns only place them.
_LONG = {"en": "l j F, H:i", "fr": "l j F, H:i", "nl": "l j F, H:i"}
_SHORT = {"en": "D j N, H:i", "fr": "D j N, H:i", "nl": "D j N, H:i"}
_DAY = {"en": "l j F Y", "fr": "l j F Y", "nl": "l j F Y"}
_TIME = "H:i"

_LANGUAGE_PREFIX = re.compile(
    r"^/(?:" + "|".join(re.escape(code) for code, _name in settings.LANGUAGES) + r")(?=/|$)"
)


def _pattern(patterns: dict[str, str]) -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return patterns.get(language, patterns["en"])


def _format(value, fmt: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, date):
        return str(value)
    return dateformat.format(value, fmt)


@register.filter
def when(value: datetime | None) -> str:
    """Weekday, day, month and time: "jeudi 3 décembre, 19:30"."""
    return _format(value, _pattern(_LONG))


@register.filter
def when_short(value: datetime | None) -> str:
    """Abbreviated weekday and month: "jeu 3 déc., 19:30"."""
    return _format(value, _pattern(_SHORT))


@register.filter
def day(value: date | None) -> str:
    """A full date without time: "jeudi 3 décembre 2026"."""
    return _format(value, _pattern(_DAY))


@register.filter
def clock(value: datetime | None) -> str:
    """Only the time of day, 24-hour: "19:30"."""
    return _format(value, _TIME)


def strip_language_prefix(path: str) -> str:
    """'/fr/events/?q=1' → '/events/?q=1'; paths without a known prefix are returned as given."""
    stripped = _LANGUAGE_PREFIX.sub("", path, count=1)
    return stripped if stripped.startswith("/") else "/" + stripped


@register.simple_tag(takes_context=True)
def path_without_language(context) -> str:
    """The current page's path and query without its language prefix, for the switcher's ``next``.

    After ``set_language`` stores the choice, the unprefixed path redirects to the same page
    under the newly chosen language (LocaleMiddleware adds the prefix from the cookie).
    """
    request = context.get("request")
    if request is None:
        return "/"
    return strip_language_prefix(request.get_full_path())


_NAMES_LOCAL = {
    code: str(get_language_info(code)["name_local"]).capitalize() for code, _n in settings.LANGUAGES
}


def _alternate_paths(request) -> list[tuple[str, str]]:
    """(language, path and query of the current page in it) for every site language.

    Page paths are the same in every language, so the current path's language prefix is
    swapped: no URL resolving and reversing per language. A path without a language prefix
    falls back to ``translate_url``.
    """
    path = request.get_full_path()
    if _LANGUAGE_PREFIX.match(path):
        rest = strip_language_prefix(path)
        return [(code, f"/{code}{rest}") for code, _n in settings.LANGUAGES]
    return [(code, translate_url(path, code)) for code, _n in settings.LANGUAGES]


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[tuple[str, str]]:
    """(language, absolute URL) of the current page in every site language, for hreflang links."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return []
    # Absolute, as search engines require of hreflang links; x-default is the default language.
    paths = _alternate_paths(request)
    alternates = [(code, settings.SITE_URL + path) for code, path in paths]
    alternates.append(("x-default", settings.SITE_URL + dict(paths)[settings.LANGUAGE_CODE]))
    return alternates


@register.simple_tag(takes_context=True)
def language_switcher_links(context) -> list[tuple[str, str, str]]:
    """(language, path of the current page in it, the language's own name) for the header's
    switcher: plain links, so no page needs a form and a CSRF token for it."""
    request = context.get("request")
    if request is None:
        return []
    return [(code, path, _NAMES_LOCAL[code]) for code, path in _alternate_paths(request)]


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The absolute URL of this page in this language, without its query (rel=canonical).

    Each language version is its own canonical page; the hreflang links join them. Error pages
    (no resolved view) get none.
    """
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return ""
    return settings.SITE_URL + request.path
