"""Remember the language a signed-in person reads the site in, so that the emails they get
later (from Celery tasks, outside any request) are written in it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SITE_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


class UserLanguageMiddleware:
    """Store ``request.LANGUAGE_CODE`` on the signed-in user when it differs from
    ``user.language``: one ``UPDATE`` of that column when the language changes, no query
    otherwise.

    Goes after ``LocaleMiddleware`` (which sets ``request.LANGUAGE_CODE``) and
    ``AuthenticationMiddleware``. It acts after the view, so the request that signs a person
    in counts too, and only on pages under a language prefix (/fr/...): the language of other
    URLs (``set_language``, the webhook) comes from the browser's headers, not from a choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, "LANGUAGE_CODE", None)
        if code not in SITE_LANGUAGES:
            return response
        if translation.get_language_from_path(request.path_info) != code:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language != code:
            user.language = code
            user.save(update_fields=["language"])
        return response
