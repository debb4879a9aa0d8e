from django.contrib import admin

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
    # The tagger adds its "Analyse again" action here (tagging/admin.py).
    actions: list = []


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "photo", "author", "text", "created_at"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["photo", "author"]


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["user", "photo", "created_at"]
    raw_id_fields = ["user", "photo"]
