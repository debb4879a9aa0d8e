from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialapp.chat.models import Conversation, Message


class MessageTranslation(models.Model):
    """A chat message in its reader's language. Created `pending` in the transaction that
    stores the message; the translation worker fills it in (or marks it `unavailable`
    when no engine is installed, so the message is still read, untranslated)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        WORKING = "working", _("being translated")
        READY = "ready", _("ready")
        UNAVAILABLE = "unavailable", _("unavailable")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=2)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    text = models.TextField(blank=True)
    engine = models.CharField(max_length=20, blank=True)  # marian, ct2, apertium
    model_id = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a worker took it
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "language"], name="translation_once")]
        indexes = [models.Index(fields=["status", "language"], name="translation_pending")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.language} ({self.status})"


class ConversationTranslation(models.Model):
    """Translation settings of one conversation: on or off (either participant may switch
    it), and words to keep as written, such as product names."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="translation")
    enabled = models.BooleanField(default=True)
    keep = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Translation in {self.conversation_id}: {'on' if self.enabled else 'off'}"
