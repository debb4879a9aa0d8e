from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from .models import Language, User
from .tasks import email_send


class SignupForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]{1,150}$",
        max_length=150,
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    training_consent = forms.BooleanField(
        label=_("Let my public photos improve tagging"),
        help_text=_(
            "Your public photos and their hashtags may help train the tagger. "
            "Private accounts never do. You can change this any time in settings."
        ),
        required=False,
        initial=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("username"):
            try:
                validate_password(
                    data["password"], User(username=data["username"], email=data.get("email", ""))
                )
            except ValidationError as error:
                self.add_error("password", error)
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    bio = forms.CharField(
        label=_("Bio"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # A plain FileField: the upload pipeline decodes and judges the file itself.
    avatar = forms.FileField(
        label=_("Avatar"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    is_private = forms.BooleanField(
        label=_("Private account"),
        help_text=_("Only followers you approve see your posts. Private photos never train the tagger."),
        required=False,
    )
    training_consent = forms.BooleanField(label=_("Let my public photos improve tagging"), required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Hands the reset mail to a Celery task so the request never waits on SMTP."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        )
        email_send.delay(subject, body, [to_email], html)
