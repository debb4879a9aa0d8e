from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Comment, Like, Photo, PhotoHashtag


class PhotoHashtagInline(admin.TabularInline):
    model = PhotoHashtag
    extra = 0
    raw_id_fields = ["hashtag"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "caption", "tagging_status", "is_hidden", "created_at"]
    list_filter = ["tagging_status", "is_hidden"]
    search_fields = ["caption", "owner__username"]
    raw_id_fields = ["owner"]
    readonly_fields = ["image", "thumbnail_320", "thumbnail_1080", "width", "height", "perceptual_hash"]
    inlines = [PhotoHashtagInline]
    actions = ["retry_tagging"]

    @admin.action(description="Analyse again (retry failed or stuck suggestions)")
    def retry_tagging(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        from tagging.services import NotRetryable, photo_tagging_retry

        queued = skipped = 0
        for photo in queryset:
            try:
                photo_tagging_retry(photo=photo)
                queued += 1
            except NotRetryable:
                skipped += 1
        self.message_user(
            request,
            f"Queued {queued} photos for analysis; skipped {skipped} ready or still within their time limit.",
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "photo", "author", "text", "created_at"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["photo", "author"]


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["user", "photo", "created_at"]
    raw_id_fields = ["user", "photo"]
