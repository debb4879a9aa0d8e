"""Sending a task while Redis (broker and result store) is down."""

from celery import Celery

from socialapp.celery import app
from socialapp.queueing import task_enqueue
from tests.servers import free_port


def test_a_task_queued_while_redis_is_down_is_left_for_the_sweep_not_raised():
    # given the app's task class on a broker and result store where nothing listens
    down = f"redis://127.0.0.1:{free_port()}/0"
    probe = Celery("probe", broker=down, backend=down, task_cls=app.task_cls)

    @probe.task(name="probe.noop")
    def noop(photo_id: int) -> None: ...

    # when it is queued
    queued = task_enqueue(noop, 1)

    # then the broker error is what comes back (not a RuntimeError from the result
    # store, after 20 retries): the row stays pending for the sweep
    assert queued is False
