"""Account pages of our own (allauth serves sign-up, login, logout and password reset)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import ProfileForm


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
