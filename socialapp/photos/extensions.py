"""Where other apps extend photos. Photos never imports them: each list below is filled
in the listed listener's AppConfig.ready, and photos/services.py calls its members in
order. Listeners: tagging/apps.py (suggestions for a new post, from its pixels as soon as
they are decoded; cached embeddings of a deleted one) and socialapp/moderation/apps.py
(posts carrying a blocked hashtag)."""

from collections.abc import Callable

from PIL import Image

from .models import Photo

# Called with a new post's photo as its upload decoded it (upright RGB, at the smallest
# scale its grid thumbnail needs), before the thumbnail is encoded and the files and rows
# written: for work that can start from the pixels meanwhile. A listener returns what to
# call with the post once it is stored (inside the transaction that stores it, before
# photo_created_hooks), or None; it must not raise, nor change the image.
# Listeners: tagging/apps.py (analysis_begin_early: inline, the analysis's forward pass starts).
photo_decoded_hooks: list[Callable[[Image.Image], Callable[[Photo], object] | None]] = []

# Called with each new post inside the transaction that stores it, after its caption's
# hashtags are linked and before its display image is queued (inline, with no worker,
# the suggestions are then stored first).
# Listeners: tagging/apps.py (photo_tagging_start: marks it pending, queues its analysis on commit).
photo_created_hooks: list[Callable[[Photo], object]] = []

# Called whenever a post's caption hashtags change (on create and on edit), inside the
# transaction that changes them.
# Listeners: socialapp/moderation/apps.py (photo_check_blocked: queues the post for review).
photo_hashtags_hooks: list[Callable[[Photo], object]] = []

# Called when an owner edits a post's caption, inside the transaction that changes it,
# after its hashtags follow.
# Listeners: tagging/apps.py (photo_suggestions_follow_caption: the chips follow what the
# caption names).
photo_caption_hooks: list[Callable[[Photo], object]] = []

# Called with the ids of deleted posts once the deletion is committed (their files are
# gone by then): what must go with them outside the database.
# Listeners: tagging/apps.py (embeddings_delete: the tagger's cached embeddings;
# neighbour_index_refresh: the served neighbour index drops them).
photo_delete_hooks: list[Callable[[list[int]], object]] = []
