"""Chat pages: the conversation list and a thread (live over /ws/chat/<id>/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialapp.accounts.selectors import user_get_visible
from socialapp.request_input import id_parse
from socialapp.shop.selectors import listing_get

from . import selectors, services
from .extensions import conversation_page_context
from .frames import message_frame, read_at_iso


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/inbox.html", {"conversations": selectors.conversations(user=request.user)})


@login_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        chat = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    except selectors.ConversationBlocked as blocked:
        return render(request, "chat/unavailable.html", {"reason": str(blocked)}, status=404)
    history = list(reversed(selectors.messages_before(conversation=chat)))
    other = selectors.other_participant(conversation=chat, user=request.user)
    read = selectors.read_mark_get(conversation=chat, user=other) if other else selectors.ReadMark(0, None)
    context = {
        "conversation": chat,
        "other": other,
        "history": [message_frame(m) for m in history],
        "read": {"seq": read.seq, "read_at": read_at_iso(read)},
        "labels": {
            "seeOriginal": _("See original"),
            "seeTranslation": _("See translation"),
            "seeBasic": _("See translation · basic"),
            "translated": _("Translated"),
            "basic": _("Basic translation"),
            "unavailable": _("Translation unavailable"),
            "sending": _("Sending…"),
            "notSent": _("Not sent"),
            "retry": _("Retry"),
            "closed": _("You cannot message this account."),
            "seen": _("Seen"),
            "today": _("Today"),
            "yesterday": _("Yesterday"),
        },
    }
    for extra in conversation_page_context:
        context |= extra(chat)
    return render(request, "chat/conversation.html", context)


@login_required
@require_POST
def conversation_start(request: HttpRequest) -> HttpResponse:
    other = user_get_visible(viewer=request.user, username=request.POST.get("participant", ""))
    listing_id = request.POST.get("listing", "")
    listing = None
    if listing_id:
        parsed = id_parse(listing_id)
        if parsed is None:
            raise Http404(_("No such listing."))
        listing = listing_get(viewer=request.user, listing_id=parsed)
    try:
        chat, _created = services.conversation_start(user=request.user, other=other, listing=listing)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(listing or other)
    return redirect(chat)
