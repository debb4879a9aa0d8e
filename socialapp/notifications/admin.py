from django.contrib import admin

from .models import Notification, NotificationMute


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "actor", "photo", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "actor__username"]
    raw_id_fields = ["recipient", "actor", "photo"]


@admin.register(NotificationMute)
class NotificationMuteAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
