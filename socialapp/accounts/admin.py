from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Block, Follow, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "display_name",
        "language",
        "is_private",
        "training_consent",
        "is_staff",
    ]
    list_filter = [*BaseUserAdmin.list_filter, "language", "is_private", "training_consent"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "bio",
                    "avatar",
                    "language",
                    "is_private",
                    "training_consent",
                    "training_consent_changed_at",
                ]
            },
        ),
    ]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["follower__username", "followee__username"]
    raw_id_fields = ["follower", "followee"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    raw_id_fields = ["blocker", "blocked"]
