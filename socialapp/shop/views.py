"""Shop pages: browse, a listing, sell something, edit it, mark it sold, delete it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.request_input import id_parse
from socialapp.uploads import UploadError

from . import selectors, services
from .extensions import category_suggest
from .forms import ListingCreateForm, ListingFilterForm, ListingForm
from .models import Listing

PAGE_SIZE = 24


def _filters(form: ListingFilterForm) -> dict[str, Any]:
    """The browse filters as listing_list takes them; an invalid one is left out (the
    form shows why)."""
    form.is_valid()
    data = form.cleaned_data
    return {
        "query": data.get("q") or None,
        "category": data.get("category") or None,
        "min_price": data.get("min_price"),
        "max_price": data.get("max_price"),
        "status": None if data.get("show_sold") else Listing.Status.AVAILABLE,
    }


def shop(request: HttpRequest) -> HttpResponse:
    form = ListingFilterForm(request.GET)
    listings = selectors.listing_list(viewer=request.user, **_filters(form))
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shop/browse.html", {"form": form, "page": page})


def listing_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get(viewer=request.user, listing_id=listing_id)
    return render(request, "shop/detail.html", {"listing": listing})


def _preselected_photo(request: HttpRequest) -> int | None:
    return id_parse(request.GET.get("photo"))


@login_required
def listing_create(request: HttpRequest) -> HttpResponse:
    preselect = _preselected_photo(request)
    existing = selectors.listing_of_post(seller=request.user, photo_id=preselect) if preselect else None
    if existing is not None and request.method != "POST":
        messages.info(request, _("This post is already for sale."))
        return redirect(existing)
    photos = selectors.sellable_photos(seller=request.user, preselect_id=preselect)
    initial: dict[str, object] = {"photo": preselect}
    chosen = next((p for p in photos if p.pk == preselect), None)
    if chosen is not None:
        initial.update(selectors.listing_draft(photo=chosen))  # the caption starts it
        suggested = category_suggest(photo=chosen)
        if suggested is not None:
            initial["category"] = suggested  # the tagger's guess, pre-selected
    form = ListingCreateForm(request.POST or None, request.FILES or None, photos=photos, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(seller=request.user, **form.cleaned_data)
        except services.ListingExists as exists:
            messages.info(request, _("This post is already for sale."))
            return redirect(exists.listing)
        except UploadError as error:
            form.add_error(None, error.detail)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your listing is up."))
            return redirect(listing)
    status = 400 if form.errors else 200
    return render(request, "shop/form.html", {"form": form, "photos": photos}, status=status)


@login_required
def listing_edit(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
    initial = {f: getattr(listing, f) for f in ("title", "description", "price", "currency", "category")}
    form = ListingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(listing=listing, **form.cleaned_data)
        except UploadError as error:
            form.add_error("image", error.detail)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your listing is saved."))
            return redirect(listing)
    status = 400 if form.errors else 200
    return render(request, "shop/form.html", {"form": form, "listing": listing}, status=status)


@login_required
@require_POST
def listing_sold(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
    services.listing_mark_sold(listing=listing)
    return redirect(listing)


@login_required
@require_POST
def listing_available(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
    services.listing_mark_available(listing=listing)
    return redirect(listing)


@login_required
@require_POST
def listing_delete(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
    services.listing_delete(listing=listing)
    messages.success(request, _("Your listing is deleted."))
    return redirect("shop")
