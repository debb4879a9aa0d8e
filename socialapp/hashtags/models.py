from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Concept(models.Model):
    """What a group of hashtags means, in any language: the unit the tagger learns.

    `dog` gathers #dog #dogs #puppy #perro #perros #cachorro; people are shown the
    hashtag of their own language (`display_en` / `display_es`)."""

    class Gender(models.TextChoices):
        MASCULINE = "m", _("masculine")
        FEMININE = "f", _("feminine")
        UNKNOWN = "", _("unknown (no article)")

    name = models.CharField(max_length=100, unique=True)
    display_en = models.CharField(_("hashtag shown in English"), max_length=100)
    display_es = models.CharField(_("hashtag shown in Spanish"), max_length=100)
    # What alt text needs to name the concept ("Foto de un puente colgante."):
    name_en = models.CharField(
        _("English name"), max_length=100, blank=True, help_text=_("In words, e.g. tape measure.")
    )
    name_es = models.CharField(
        _("Spanish name"), max_length=100, blank=True, help_text=_("In words, e.g. puente colgante.")
    )
    gender_es = models.CharField(_("Spanish gender"), max_length=1, choices=Gender.choices, blank=True)
    plural_es = models.BooleanField(
        _("Spanish name is plural"), default=False, help_text=_("alicates, gafas")
    )
    plural_en = models.BooleanField(
        _("English name is plural"), default=False, help_text=_("pliers, scissors")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def display(self, language: str) -> str:
        return self.display_es if language == "es" else self.display_en


class ConceptAlias(models.Model):
    """One row of the admin-editable alias table: a hashtag key that means `concept`."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        ANY = "", _("Any (names, brands)")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(
        max_length=100, unique=True, help_text=_("The hashtag without #, e.g. perros or café.")
    )
    language = models.CharField(max_length=2, choices=Language.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["concept__name", "key"]
        verbose_name_plural = _("concept aliases")

    def __str__(self) -> str:
        return f"#{self.key} -> {self.concept}"


class Hashtag(models.Model):
    """A canonical hashtag: lowercase, no #, accents kept for display, singular."""

    name = models.CharField(max_length=100, unique=True)
    key = models.CharField(max_length=100, unique=True, help_text=_("Accent-folded, for matching."))
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="hashtags")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("hashtag", kwargs={"name": self.name})
