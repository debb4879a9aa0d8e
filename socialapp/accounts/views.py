"""Server-rendered account pages: parse the form, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.redirects import redirect_back
from socialapp.uploads import UploadError

from . import selectors, services
from .export import export_response
from .forms import DeleteAccountForm, ProfileForm, SignupForm
from .models import User
from .throttling import SignupRateThrottle, sign_up_limited_message


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    throttle = SignupRateThrottle()
    if request.method == "POST" and not throttle.allow_request(request, None):
        wait = throttle.retry_after()
        context = {"form": form, "limit_message": sign_up_limited_message(wait)}
        response = render(request, "accounts/signup.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to socialapp, %(name)s!") % {"name": user.name})
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    initial = {
        f: getattr(user, f) for f in ("display_name", "bio", "language", "is_private", "training_consent")
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consent = data.pop("training_consent")
        try:
            services.user_update_profile(user=user, **data)
            services.user_set_training_consent(user=user, consent=consent)
        except UploadError as error:
            form.add_error("avatar", error.detail)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("settings")
    return render(request, "accounts/settings.html", {"form": form}, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change made by the service: it also revokes API tokens."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        services.user_set_password(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)  # this session stays, the others end
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page, with the new password set by the service: it also revokes API tokens."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        services.user_set_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.user_sign_out_everywhere(user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, _("You are signed out on every other device, and API tokens are revoked."))
    return redirect("settings")


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            logout(request)
            messages.success(request, _("Your account and everything in it have been deleted."))
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
@require_POST
def follow(request: HttpRequest, username: str) -> HttpResponse:
    followee = selectors.user_get_visible(viewer=request.user, username=username)
    try:
        services.follow_create(follower=request.user, followee=followee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect_back(request, fallback=reverse("profile", kwargs={"username": username}))


@login_required
@require_POST
def unfollow(request: HttpRequest, username: str) -> HttpResponse:
    followee = selectors.user_get_visible(viewer=request.user, username=username)
    services.follow_delete(follower=request.user, followee=followee)
    return redirect("profile", username=username)


@login_required
@require_POST
def block(request: HttpRequest, username: str) -> HttpResponse:
    blocked = selectors.user_get_active(username=username)
    try:
        services.block_create(blocker=request.user, blocked=blocked)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("profile", username=username)
    messages.success(request, _("You blocked %(name)s.") % {"name": blocked.username})
    return redirect("blocked")


@login_required
@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    blocked = selectors.blocked_user_get(blocker=request.user, username=username)
    services.block_delete(blocker=request.user, blocked=blocked)
    return redirect("blocked")


@login_required
def blocked_list(request: HttpRequest) -> HttpResponse:
    users = selectors.blocked_users(user=request.user)
    return render(request, "accounts/blocked.html", {"users": users})


@login_required
def follow_requests(request: HttpRequest) -> HttpResponse:
    pending = selectors.follow_requests_pending(user=request.user)
    return render(request, "accounts/follow_requests.html", {"requests": pending})


@login_required
@require_POST
def follow_request_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    follow_request = selectors.follow_request_get(user=request.user, request_id=request_id)
    if decision == "approve":
        services.follow_request_approve(request=follow_request)
    else:
        services.follow_request_decline(request=follow_request)
    return redirect("follow_requests")


@login_required
def data_export(request: HttpRequest) -> FileResponse:
    """Download your data as a zip."""
    return export_response(request.user)
