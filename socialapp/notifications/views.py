"""The notifications page, mark-as-read and the per-kind settings."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.request_input import id_parse

from . import selectors, services
from .models import Notification


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    days = selectors.notifications_by_day(user=request.user)
    today = timezone.localdate()
    context = {"days": days, "today": today, "yesterday": today - timedelta(days=1)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """One notification (`id`) or, without it, all of them."""
    raw = request.POST.get("id")
    notification_id = id_parse(raw)
    if raw is not None and notification_id is None:
        messages.error(request, _("Choose a notification to mark as read."))
        return redirect("notifications")
    ids = None if notification_id is None else [notification_id]
    services.notifications_mark_read(user=request.user, ids=ids)
    return redirect("notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    kinds = Notification.Kind.choices
    if request.method == "POST":
        wanted = set(request.POST.getlist("on"))
        muted = {value for value, _label in kinds if value not in wanted}
        services.notification_preferences_set(user=request.user, muted=muted)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_settings")
    muted = selectors.muted_kinds(user=request.user)
    choices = [(value, label, value not in muted) for value, label in kinds]
    return render(request, "notifications/settings.html", {"choices": choices})
