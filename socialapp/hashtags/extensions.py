"""Where other apps extend hashtags. Hashtags never imports them: each list below is
filled in the listed listener's AppConfig.ready, and hashtags/services.py calls its
members in order."""

from collections.abc import Callable

from .models import Concept

# Called with a concept once an admin's change to it (its names, gender, number) is
# committed: what other apps wrote from those names follows.
# Listeners: tagging/apps.py (queues concept_alt_texts_rewrite: the tagger's stored alt
# texts that may name it are written again).
concept_changed_hooks: list[Callable[[Concept], object]] = []
