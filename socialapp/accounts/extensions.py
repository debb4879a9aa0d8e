"""Where other apps extend accounts. Accounts never imports them: each list below is
filled in the listed listener's AppConfig.ready. Listeners: socialapp/photos/apps.py,
socialapp/shop/apps.py, socialapp/chat/apps.py, socialapp/notifications/apps.py,
socialapp/moderation/apps.py and tagging/apps.py."""

import zipfile
from collections.abc import Callable

from .models import User

# What deleting an account must also remove outside the database: each callable looks
# at the user before the rows go (accounts/services.py user_delete) and returns the
# clean-up to run once the deletion is committed.
# Listeners: socialapp/photos/apps.py (photo files, and photo_delete_hooks with them),
# socialapp/shop/apps.py (listing files).
UserCleanup = Callable[[User], Callable[[], object]]
user_delete_cleanups: list[UserCleanup] = []

# Called after commit when someone's public photos stop feeding training (consent
# withdrawn, or the account made private), so that what was kept of them is dropped.
# Listeners: tagging/apps.py (embeddings_delete: the cached embeddings of their photos;
# neighbour_index_refresh: the served neighbour index drops their photos).
training_stopped_hooks: list[Callable[[User], object]] = []

# The parts of "download your data" (accounts/export.py): each writes its files into
# the zip, after the profile, in the order the apps are installed.
# Listeners: socialapp/photos/apps.py (posts, comments, likes), socialapp/shop/apps.py
# (listings), socialapp/chat/apps.py (conversations), socialapp/notifications/apps.py
# (notifications and their settings), socialapp/moderation/apps.py (reports, notices,
# appeals), tagging/apps.py (suggestions).
ExportSection = Callable[[User, zipfile.ZipFile], None]
user_export_sections: list[ExportSection] = []
