from django.contrib import admin

from .models import Conversation, Message, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "pair_key", "listing", "last_seq", "updated_at"]
    raw_id_fields = ["listing"]
    readonly_fields = ["pair_key", "last_seq", "created_at", "updated_at"]
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "seq", "sender", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["text", "sender__username"]
    raw_id_fields = ["conversation", "sender"]
    readonly_fields = ["seq", "client_id", "created_at"]
