"""Account pages of our own (allauth serves sign-up, login, logout and password reset)."""

import json

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import AccountEraseForm, ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            data = form.cleaned_data
            photo = data.get("photo")
            try:
                services.profile_update(
                    user=request.user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    city=data["city"],
                    commune=data["commune"],
                    languages=data["languages"],
                    photo=photo
                    if isinstance(photo, UploadedFile)
                    else (False if photo is False else None),
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:host", user_id=request.user.pk)
        return render(request, "accounts/profile_edit.html", {"form": form}, status=400)
    form = ProfileForm(instance=profile)
    return render(request, "accounts/profile_edit.html", {"form": form})


@require_GET
def host_page(request: HttpRequest, user_id: int) -> HttpResponse:
    host_user = selectors.host_get_public(user_id=user_id)
    profile = getattr(host_user, "profile", None)
    return render(
        request,
        "accounts/host.html",
        {"host_user": host_user, "profile": profile, "is_me": request.user == host_user},
    )


@never_cache
@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data as a JSON download (there is no way to ask for anyone
    else's: the page takes no id)."""
    data = selectors.user_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"meetsies-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_erase(request: HttpRequest) -> HttpResponse:
    blockers = services.user_erasure_blockers(user=request.user)
    if request.method == "POST":
        # Password guessing through this form is limited like allauth's reauthentication.
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
        if limited:
            return limited
        form = AccountEraseForm(request.POST, user=request.user)
        if form.is_valid() and not blockers:
            try:
                services.user_erase(user_id=request.user.pk)
            except ValidationError as error:
                blockers = error.messages
            else:
                logout(request)
                messages.success(
                    request,
                    _("Your account is erased. Thank you for having been part of Meetsies."),
                )
                return redirect("home")
        return render(
            request,
            "accounts/erase.html",
            {"form": form, "blockers": blockers},
            status=409 if blockers else 400,
        )
    form = AccountEraseForm(user=request.user)
    return render(request, "accounts/erase.html", {"form": form, "blockers": blockers})
