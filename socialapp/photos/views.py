"""Photo pages: feed, post, upload, profile grid, hashtag page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.accounts import selectors as account_selectors
from socialapp.hashtags.canonical import canonical_name
from socialapp.hashtags.selectors import hashtag_find
from socialapp.redirects import redirect_back
from socialapp.uploads import UploadError

from . import selectors, services
from .forms import CaptionForm, CommentForm, PhotoForm
from .models import Photo

PAGE_SIZE = 12
EXPLORE_SIZE = 24


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):  # type: ignore[no-untyped-def]
    return Paginator(items, size).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        context = {
            "page": _page(request, selectors.explore_photos(viewer=request.user), EXPLORE_SIZE),
            "people": account_selectors.people_to_discover(viewer=request.user)[:8],
        }
        return render(request, "home.html", context)
    context = {
        "page": _page(request, selectors.photo_feed(viewer=request.user)),
        "pending_requests": account_selectors.follow_requests_pending(user=request.user).count(),
        "people": account_selectors.people_to_discover(viewer=request.user)[:8],
        "comment_form": CommentForm(),
    }
    return render(request, "photos/feed.html", context)


@login_required
def photo_create(request: HttpRequest) -> HttpResponse:
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photo = services.photo_create(owner=request.user, **form.cleaned_data)
        except UploadError as error:
            form.add_error("image", error.detail)
        except ValidationError as error:
            form.add_error("caption", error)
        else:
            return redirect(photo)
    return render(request, "photos/new.html", {"form": form}, status=400 if form.errors else 200)


def photo_detail(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id, for_review=True)
    context = {
        "photo": photo,
        "comments": selectors.photo_comments(photo=photo),
        "comment_form": CommentForm(),
        "caption_form": CaptionForm(
            initial={"caption": photo.caption, "alt_text": photo.alt_text}, photo_id=photo.pk
        ),
    }
    return render(request, "photos/detail.html", context)


@login_required
@require_POST
def photo_edit(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_owned(owner=request.user, photo_id=photo_id)
    form = CaptionForm(request.POST)
    if form.is_valid():
        try:
            services.photo_update(photo=photo, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(photo)


@login_required
@require_POST
def photo_delete(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_owned(owner=request.user, photo_id=photo_id)
    services.photo_delete(photo=photo)
    messages.success(request, _("Your post was deleted."))
    return redirect("profile", username=request.user.get_username())


@login_required
@require_POST
def photo_like(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
    services.like_toggle(user=request.user, photo=photo)
    return redirect_back(request, fallback=photo.get_absolute_url())


@login_required
@require_POST
def comment_create(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(author=request.user, photo=photo, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Write something before posting a comment."))
    return redirect(photo)


@login_required
@require_POST
def comment_delete(request: HttpRequest, photo_id: int, comment_id: int) -> HttpResponse:
    photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
    comment = selectors.comment_get(photo=photo, comment_id=comment_id)
    try:
        services.comment_delete(comment=comment, by=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(photo)


def profile(request: HttpRequest, username: str) -> HttpResponse:
    user = account_selectors.user_get_visible(viewer=request.user, username=username)
    summary = account_selectors.profile_summary(viewer=request.user, user=user)
    photos = selectors.profile_photos(viewer=request.user, owner=user) if summary.can_see_posts else []
    context = {
        "profile": summary,
        "posts": selectors.profile_post_count(viewer=request.user, owner=user),
        "page": _page(request, photos, 24),
    }
    return render(request, "accounts/profile.html", context)


def hashtag(request: HttpRequest, name: str) -> HttpResponse:
    """A hashtag's posts; one nobody has used yet is an empty page, not a 404."""
    tag = hashtag_find(name=name)
    photos = selectors.hashtag_photos(viewer=request.user, hashtag=tag) if tag else Photo.objects.none()
    context = {
        "hashtag": tag,
        "name": tag.name if tag else canonical_name(name),
        "page": _page(request, photos, 24),
    }
    return render(request, "photos/hashtag.html", context)
