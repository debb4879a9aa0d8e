from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Block, Follow, User


class UsernameRuleMixin:
    """Admin-made and renamed accounts follow the sign-up rule (services.username_validate);
    an unchanged name is left alone, so older look-alikes stay editable."""

    cleaned_data: dict[str, object]
    changed_data: list[str]
    instance: User

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username", ""))
        if username and "username" in self.changed_data:
            renamed = self.instance if self.instance.pk else None
            return services.username_validate(username=username, user=renamed)
        return username


class UserCreationForm(UsernameRuleMixin, auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User


class UserChangeForm(UsernameRuleMixin, auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
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
