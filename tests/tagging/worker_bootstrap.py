"""`python -m tests.tagging.worker_bootstrap worker ...`: the plain Celery worker of
socialapp for test_worker_restart.py, with two test-only changes made from outside:

- its default queue is $TEST_CELERY_QUEUE, so the analyses it queues itself (the
  re-queue on start-up) stay on the test's own queue;
- with $TEST_ANALYSIS_SLEEP set, each analysis first touches $TEST_ANALYSIS_MARK and
  sleeps that many seconds, so the test can kill the worker mid-analysis.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")

import django

django.setup()

from socialapp.celery import app  # noqa: E402
from tagging import services  # noqa: E402

app.conf.task_default_queue = os.environ["TEST_CELERY_QUEUE"]

if os.environ.get("TEST_ANALYSIS_SLEEP"):
    compute = services.photo_suggestions_compute

    def slow_compute(**kwargs):  # type: ignore[no-untyped-def]
        Path(os.environ["TEST_ANALYSIS_MARK"]).touch()
        time.sleep(float(os.environ["TEST_ANALYSIS_SLEEP"]))
        return compute(**kwargs)

    services.photo_suggestions_compute = slow_compute

if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
