from django.contrib import admin

from .models import ConversationTranslation, MessageTranslation


@admin.register(MessageTranslation)
class MessageTranslationAdmin(admin.ModelAdmin):
    list_display = ["message", "language", "status", "engine", "model_id", "created_at"]
    list_filter = ["status", "language", "engine"]
    raw_id_fields = ["message"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ConversationTranslation)
class ConversationTranslationAdmin(admin.ModelAdmin):
    list_display = ["conversation", "enabled", "updated_by", "updated_at"]
    list_filter = ["enabled"]
    raw_id_fields = ["conversation", "updated_by"]
