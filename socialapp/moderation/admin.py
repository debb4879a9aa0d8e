from django.contrib import admin

from .models import Appeal, AuditEntry, Notice, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "reporter", "photo", "hashtag", "reported_user", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["reporter", "photo", "hashtag", "reported_user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "reason", "actor__username"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["photo", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["photo"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "action", "photo", "created_at"]
    raw_id_fields = ["user", "photo"]
