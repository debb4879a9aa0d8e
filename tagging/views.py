"""Suggestion chips without JavaScript: plain POST forms on the post page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.accounts.services import user_set_training_consent
from socialapp.photos.selectors import photo_get_owned

from . import selectors, services


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, photo_id: int, suggestion_id: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "reject"):
        raise Http404(_("No such decision."))
    photo = photo_get_owned(owner=request.user, photo_id=photo_id)
    suggestion = selectors.suggestion_get(photo=photo, suggestion_id=suggestion_id)
    if decision == "accept":
        services.suggestion_accept(suggestion=suggestion)
    else:
        services.suggestion_reject(suggestion=suggestion)
    return redirect(photo)


@login_required
@require_POST
def suggestions_retry(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = photo_get_owned(owner=request.user, photo_id=photo_id)
    try:
        services.photo_tagging_retry(photo=photo)
    except services.NotRetryable as error:
        messages.error(request, error.detail)
    return redirect(photo)


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    """How your photos are used, with one click to withdraw (or give) consent."""
    if request.method == "POST":
        user_set_training_consent(user=request.user, consent=request.POST.get("consent") == "yes")
        return redirect("privacy")
    return render(request, "tagging/privacy.html", {"usage": selectors.training_usage(user=request.user)})
