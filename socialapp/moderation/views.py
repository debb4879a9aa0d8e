"""Moderation pages: the queue for moderators, notices and appeals for owners, and the
report form on posts. Each view parses the form, calls one service and redirects."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from socialapp.accounts.selectors import user_get_visible
from socialapp.hashtags.selectors import hashtag_get
from socialapp.photos.selectors import photo_get_visible
from socialapp.request_input import id_parse
from tagging.artifacts import artifact_open

from . import selectors, services
from .models import Report


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in moderators only; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not selectors.is_moderator(request.user):
            raise PermissionDenied(_("Only moderators can do this."))
        return view(request, *args, **kwargs)

    return wrapped


def _done(request: HttpRequest, action: Callable[[], Any], success: str | Callable[[Any], str]) -> None:
    """Run `action`; say what it did (`success`, or `success(result)`) or why it could not."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success(result) if callable(success) else success)


# What a bulk action says it did, by action.
_BULK_DONE: dict[str, Callable[[int], str]] = {
    "hide": lambda n: ngettext(
        "%(count)d post hidden. Its owner was told why.",
        "%(count)d posts hidden. Their owners were told why.",
        n,
    ),
    "restore": lambda n: ngettext("%(count)d post restored.", "%(count)d posts restored.", n),
    "delete": lambda n: ngettext("%(count)d post deleted.", "%(count)d posts deleted.", n),
}


@moderator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    params = request.GET
    context = {
        "queue": selectors.moderation_queue(
            status=params.get("status", "open"),
            reason=params.get("reason", ""),
            hashtag=params.get("hashtag", ""),
        )[:50],
        "filters": params,
        "reasons": Report.Reason.choices,
        "appeals": selectors.open_appeals(),
        "blocked": selectors.blocked_concepts(),
        "versions": selectors.model_versions(),
        "audit": selectors.audit_recent(),
    }
    return render(request, "moderation/dashboard.html", context)


@moderator_required
@require_POST
def photos_action(request: HttpRequest) -> HttpResponse:
    ids = [i for i in map(id_parse, request.POST.getlist("ids")) if i is not None]
    photos = selectors.photos_for_moderation(photo_ids=ids)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    _done(
        request,
        lambda: services.photos_bulk(moderator=request.user, photos=photos, action=action, reason=reason),
        lambda count: _BULK_DONE[action](count) % {"count": count},
    )
    return redirect("moderation")


@moderator_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = selectors.appeal_get(appeal_id=appeal_id)
    grant, reason = request.POST.get("decision") == "grant", request.POST.get("reason", "")
    _done(
        request,
        lambda: services.appeal_decide(moderator=request.user, appeal=appeal, grant=grant, reason=reason),
        _("Appeal granted: the post is visible again.")
        if grant
        else _("Appeal denied: the post stays hidden and its owner was told why."),
    )
    return redirect("moderation")


@moderator_required
@require_POST
def hashtag_block(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("hashtag", "").strip().lstrip("#").strip()
    block, reason = request.POST.get("block") != "no", request.POST.get("reason", "")
    _done(
        request,
        lambda: services.hashtag_block(moderator=request.user, name=name, reason=reason, block=block)[1],
        lambda queued: (
            ngettext(
                "#%(name)s is blocked: %(count)d post was sent to the queue.",
                "#%(name)s is blocked: %(count)d posts were sent to the queue.",
                queued,
            )
            % {"name": name, "count": queued}
            if block
            else _("#%(name)s is no longer blocked.") % {"name": name}
        ),
    )
    return redirect("moderation")


@moderator_required
@require_POST
def model_activate(request: HttpRequest, name: str) -> HttpResponse:
    version = selectors.model_version_get(name=name)
    reason = request.POST.get("reason", "")
    _done(
        request,
        lambda: services.model_version_switch(moderator=request.user, version=version, reason=reason),
        _("Model %(name)s is now active: new posts get its suggestions.") % {"name": name},
    )
    return redirect("moderation")


@moderator_required
def model_plot(request: HttpRequest, name: str, plot: str) -> FileResponse:
    wanted = selectors.model_plot_get(name=name, plot=plot)
    try:
        stored = artifact_open(wanted)  # MODELS_DIR or the bucket every host shares
    except FileNotFoundError as error:
        raise Http404(_("No such plot.")) from error
    return FileResponse(stored, content_type="image/png")


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/notices.html", {"notices": selectors.notices(user=request.user)})


@login_required
@require_POST
def appeal_create(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.own_hidden_photo(owner=request.user, photo_id=photo_id)
    text = request.POST.get("text", "")
    _done(
        request, lambda: services.appeal_create(owner=request.user, photo=photo, text=text), _("Appeal sent.")
    )
    return redirect("notices")


def _report(request: HttpRequest, target: dict[str, Any]) -> None:
    reason, details = request.POST.get("reason", ""), request.POST.get("details", "")
    _done(
        request,
        lambda: services.report_create(reporter=request.user, reason=reason, details=details, **target),
        _("Thanks: moderators will look at it."),
    )


@login_required
@require_POST
def report_user(request: HttpRequest, username: str) -> HttpResponse:
    _report(request, {"user": user_get_visible(viewer=request.user, username=username)})
    return redirect("profile", username=username)


@login_required
@require_POST
def report_hashtag(request: HttpRequest, name: str) -> HttpResponse:
    hashtag = hashtag_get(name=name)
    _report(request, {"hashtag": hashtag})
    return redirect("hashtag", name=hashtag.name)


@login_required
@require_POST
def report_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = photo_get_visible(viewer=request.user, photo_id=photo_id)
    _report(request, {"photo": photo})
    return redirect(photo)
