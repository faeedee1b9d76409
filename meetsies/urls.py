"""URL wiring. Every page lives under a language prefix (/en/, /fr/, /nl/)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.i18n import set_language
from django.views.static import serve

from community import views as community_views
from community.sitemaps import SITEMAPS

from . import views

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("stripe/", include("bookings.webhook_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", community_views.robots_txt, name="robots_txt"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("newsletter/", include("accounts.newsletter_urls")),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("terms/", TemplateView.as_view(template_name="pages/terms.html"), name="terms"),
    path(
        "about-kiron/",
        TemplateView.as_view(template_name="pages/about_kiron.html"),
        name="about_kiron",
    ),
    path("events/", include("events.urls")),
    path("bookings/", include("bookings.urls")),
    path("impact/", include("donations.urls")),
    path("", include("community.urls")),
    path("earnings/", include("donations.earnings_urls")),
    prefix_default_language=True,
)

if settings.BENCH_REFERENCE_VIEW:
    # The benchmark's bare reference page (make bench); never mounted otherwise.
    urlpatterns += [path("bench/reference/", views.bench_reference, name="bench_reference")]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "meetsies.views.page_not_found"
handler500 = "meetsies.views.server_error"
