"""Static files on the real stack: hashed and compressed by collectstatic, served by WhiteNoise
with far-future cache headers (the name changes whenever the content does)."""

from django.core.management import call_command
from django.test import RequestFactory, override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_the_real_stack_uses_hashed_compressed_storage():
    """Off the embedded default (and DEBUG) the settings pick the manifest storage and serve
    only what collectstatic wrote; the embedded default serves from the finders."""
    from meetsies import settings as real

    backend = real.STORAGES["staticfiles"]["BACKEND"]
    if real.EMBEDDED or real.DEBUG:
        assert backend == "django.contrib.staticfiles.storage.StaticFilesStorage"
        assert real.WHITENOISE_USE_FINDERS is True
    else:
        assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
        assert real.WHITENOISE_USE_FINDERS is False


def test_hashed_files_are_served_with_far_future_headers_and_compressed(tmp_path):
    with override_settings(
        STORAGES=MANIFEST_STORAGES,
        STATIC_ROOT=tmp_path,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.templatetags.static import static
        from whitenoise.middleware import WhiteNoiseMiddleware

        url = static("css/site.css")
        assert url != "/static/css/site.css" and url.endswith(".css")  # hashed name
        middleware = WhiteNoiseMiddleware(lambda request: None)
        request = RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        response = middleware(request)
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]
        assert response["Content-Encoding"] in {"gzip", "br"}
        assert "Accept-Encoding" in response["Vary"]
        response.close()
