"""The conversation page's translation form (works without JavaScript)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from socialapp.chat.selectors import conversation_get

from . import services


@login_required
@require_POST
def conversation_translation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = conversation_get(user=request.user, conversation_id=conversation_id)
    enabled = request.POST.get("enabled")
    keep = request.POST.get("keep")
    try:
        services.conversation_translation_set(
            conversation=conversation,
            user=request.user,
            enabled=None if enabled is None else enabled == "on",
            keep=None if keep is None else keep.replace("\n", ",").split(","),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(conversation)
