import os
from typing import Any

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")


class SendOnlyTask(Task):
    """Our tasks are sent without asking for their result (nothing in the app waits for
    one; a caller that does passes ignore_result=False). Asking makes the Redis result
    backend subscribe to the result before sending, and while Redis is down that retries
    for about 20 s and then raises RuntimeError, so an upload hung and answered 500
    instead of leaving its analysis for the sweep (socialapp.queueing)."""

    def apply_async(self, *args: Any, **options: Any) -> Any:
        options.setdefault("ignore_result", True)
        return super().apply_async(*args, **options)


app = Celery("socialapp", task_cls=SendOnlyTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
