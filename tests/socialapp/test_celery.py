"""Sending a task while Redis (broker and result store) is down, and tasks queued by name."""

import ast

from celery import Celery

from socialapp.celery import app
from socialapp.queueing import task_enqueue, task_get
from tests.servers import free_port, manage


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


def _task_names_in_code() -> dict[str, str]:
    """Task name -> where the code names it: module constants `*_TASK = "..."` and names
    passed to task_enqueue / task_enqueue_on_commit / task_get."""
    from tests.test_dependencies import ROOT, _modules

    found = {}
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            value = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id.endswith("_TASK"):
                    value = node.value
            elif isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"task_enqueue", "task_enqueue_on_commit", "task_get"}:
                    value = node.args[0]
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_task_the_services_queue_by_name_is_registered():
    # given the names services queue their tasks by (they never import their task module)
    names = _task_names_in_code()

    # then each is a registered task
    assert len(names) >= 3
    unknown = [f"{where} names {name}" for name, where in sorted(names.items()) if not _registered(name)]
    assert unknown == []


def _registered(name: str) -> bool:
    try:
        task_get(name)
    except KeyError:
        return False
    return True


def test_inline_tasks_that_succeed_print_nothing(tmp_path):
    # `make run` without REDIS_URL: its seed printed a kombu warning about the in-memory
    # broker's missing host and 196 "Task ... succeeded in 0.03s" lines, each the upload's
    # own work, before the server's banner. A failing task still raises where it was queued.
    script = (
        "from socialapp.celery import app\n"
        "from socialapp.queueing import task_enqueue\n"
        "@app.task(name='probe.fine')\n"
        "def fine():\n"
        "    return 'done'\n"
        "@app.task(name='probe.broken')\n"
        "def broken():\n"
        "    return 1 / 0\n"
        "assert task_enqueue(fine)\n"
        "try:\n"
        "    task_enqueue(broken)\n"
        "except ZeroDivisionError:\n"
        "    print('raised')\n"
    )
    result = manage(tmp_path, "shell", "-v", "0", "-c", script)

    assert result.stdout == "raised\n", result.stderr  # a failure reaches the request that queued it
    assert result.stderr == ""
