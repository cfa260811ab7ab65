#!/usr/bin/python3
"""Python Celery (Debian's python3-celery 5.2.6) against a Switchboard worker, with nothing but celery.

  celery_client.py --redis URL --queue Q [checks...]

Each check prints "ok <check>" or raises; the last line is "all checks passed". The task bodies below are the
seed's, but they never run here: a Switchboard worker takes the messages from queue Q and runs its own tasks
(`tasks.long_running_task` is mapped to Switchboard's `long_running` with celery.aliases).
"""
import argparse
import sys
import time
from datetime import datetime, timedelta, timezone

from celery import Celery, chord
from celery.exceptions import TaskRevokedError, TimeLimitExceeded
from celery.result import ResultSet

parser = argparse.ArgumentParser()
parser.add_argument("--redis", required=True)
parser.add_argument("--queue", required=True)
parser.add_argument("--id", help="the task id of revoke_id and send_revoked")
parser.add_argument("checks", nargs="*", default=["add", "seed", "failure", "unknown", "pickle", "revoke"])
args = parser.parse_args()

app = Celery("tasks", broker=args.redis, backend=args.redis)
app.conf.task_default_queue = args.queue
app.conf.accept_content = ["json", "pickle"]


@app.task(name="add")
def add(x, y):
    return x + y


@app.task(name="xsum")
def xsum(numbers):
    return sum(numbers)


@app.task(bind=True, name="tasks.long_running_task")
def long_running_task(self, n):  # the seed's task, as written for a Celery worker
    for i in range(n):
        time.sleep(1)
        self.update_state(state="PROGRESS", meta={"current": i + 1, "total": n})
    return "Task finished!"


def until(condition, what, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def check_add():
    result = add.delay(2, 3).get(timeout=30)
    print(result)
    assert result == 5, result


def check_seed():
    res = long_running_task.delay(3)  # the seed's snippet, unchanged
    assert res.ready() is False
    until(lambda: res.state == "PROGRESS", "PROGRESS")
    info = res.info
    assert info["total"] == 3 and 1 <= info["current"] <= 3, info
    print("progress", info)
    assert res.get(timeout=30) == "Task finished!"
    assert res.ready() and res.successful() and res.state == "SUCCESS"


def check_failure():
    res = long_running_task.delay(-1)
    try:
        res.get(timeout=30)
    except Exception as e:  # a class named after the JVM exception, with its message
        print("raised", type(e).__name__, e)
        assert type(e).__name__ == "IllegalArgumentException", type(e)
        assert "n must be" in str(e), str(e)
        assert res.state == "FAILURE"
        return
    raise AssertionError("get() did not raise")


def check_unknown():
    res = app.send_task("no.such.task", [1])
    try:
        res.get(timeout=30)
    except Exception as e:
        print("raised", type(e).__name__, e)
        assert type(e).__name__ == "NotRegistered", type(e)
        return
    raise AssertionError("get() did not raise")


def check_pickle():
    res = add.apply_async((1, 2), serializer="pickle")
    try:
        res.get(timeout=30)
    except Exception as e:
        print("raised", type(e).__name__, e)
        assert type(e).__name__ == "ContentDisallowed", type(e)
        assert "pickle" in str(e), str(e)
        return
    raise AssertionError("get() did not raise")


def check_revoke():
    res = add.apply_async((1, 1), countdown=60)
    app.control.revoke(res.id)
    until(lambda: res.state == "REVOKED", "REVOKED")
    try:
        res.get(timeout=30)
    except TaskRevokedError:
        print("revoked")
        return
    raise AssertionError("get() did not raise")


def done_at(res):
    """The meta's date_done (naive UTC, as Celery writes it) as an aware datetime."""
    done = res.date_done
    assert done is not None, (res.id, res.state)
    return done if done.tzinfo else done.replace(tzinfo=timezone.utc)


def check_countdown():
    sent = datetime.now(timezone.utc)
    sent = sent.replace(microsecond=sent.microsecond // 1000 * 1000)  # the worker counts whole ms: no finer
    res = add.apply_async((2, 2), countdown=2)
    assert res.get(timeout=30) == 4
    print("countdown done", done_at(res) - sent)
    assert done_at(res) >= sent + timedelta(seconds=2), (sent, res.date_done)


def check_expired():
    res = add.apply_async((1, 1), expires=datetime.now(timezone.utc) - timedelta(seconds=5))
    until(lambda: res.state == "REVOKED", "REVOKED")
    try:
        res.get(timeout=30)
    except TaskRevokedError as e:  # what a Celery worker writes for an expired task: TaskRevokedError('expired')
        print("raised", type(e).__name__, e)
        assert str(e) == "expired", str(e)
        return
    raise AssertionError("get() did not raise")


def check_priority():
    """Run while no worker takes the queue: a priority-9 add, then a priority-0 long_running(1). Once the test
    starts a worker of concurrency 1, the priority-0 task (Celery's highest on Redis) must finish first."""
    low = add.apply_async((1, 1), priority=9)
    high = long_running_task.apply_async((1,), priority=0)
    print("queued", flush=True)
    assert high.get(timeout=60) == "Task finished!"
    assert low.get(timeout=60) == 2
    print("high done", done_at(high), "low done", done_at(low))
    assert done_at(high) <= done_at(low), (high.date_done, low.date_done)


def check_timelimit():
    res = long_running_task.apply_async((30,), time_limit=1)
    try:
        res.get(timeout=30)
    except TimeLimitExceeded as e:  # Celery's own class (billiard's), as a Celery worker's hard limit raises
        print("raised", type(e).__name__, e)
        assert "time limit" in str(e), str(e)
        assert res.state == "FAILURE"
        return
    raise AssertionError("get() did not raise TimeLimitExceeded")


def check_retries():
    """retry_once (a JVM task of the test) retries once, then returns [retries, delivery]: a message that says it is
    the third attempt (retries=2, as Celery's self.retry() sends it) ends with retries 3, and its delivery counts the
    attempts before the message too (4: a delivery is never less than the attempt)."""
    res = app.send_task("retry_once", [], retries=2)
    result = res.get(timeout=30)
    print("retries", result)
    assert result == [3, 4], result


def raises(res, kind, *words):
    """get() raises an exception of class name `kind` whose message holds each of `words`."""
    try:
        res.get(timeout=30)
    except Exception as e:
        print("raised", type(e).__name__, e)
        assert type(e).__name__ == kind, type(e)
        for word in words:
            assert word in str(e), str(e)
        return
    raise AssertionError("get() did not raise " + kind)


def check_chain():
    """res is the last task's. Its get() raises its parent's error by itself; a handle on its id alone (another
    process, no parents) must read FAILURE too, as a Celery worker marks a failed task's chain."""
    res = (add.s(1, 1) | add.s(2)).apply_async()
    raises(res, "NotImplementedError", "chain")
    assert res.parent.state == "FAILURE", res.parent.state
    raises(app.AsyncResult(res.id), "NotImplementedError", "chain")


def check_chord():
    res = chord([add.s(1, 1), add.s(2, 2)])(xsum.s())  # res is the body's
    raises(res, "NotImplementedError", "chord")
    raises(app.AsyncResult(res.id), "NotImplementedError", "chord")


def check_compressed():
    raises(add.apply_async((1, 1), compression="zlib"), "ContentDisallowed", "compressed")


def check_revoke_id():
    """Only the revoke of --id, whose task nobody sent yet (send_revoked sends it, once the test saw the revoke land)."""
    app.control.revoke(args.id)


def check_send_revoked():
    res = add.apply_async((1, 1), task_id=args.id)
    until(lambda: res.state == "REVOKED", "REVOKED")
    try:
        res.get(timeout=30)
    except TaskRevokedError as e:
        print("raised", type(e).__name__, e)
        return
    raise AssertionError("get() did not raise")


def check_bulk():
    """1,000 tasks: 12 seed tasks of 15 s (two workers of concurrency 8: each holds at least 4 when one is killed)
    and 988 add tasks.
    Once the first 100 adds are read ("got 100": the test kills a worker then) the other 888 are sent while it
    dies; every result is then read from the backend, one by one. Prints the seed tasks' ids ("long ids ...").

    The waiting uses ResultSet.join_native, not a loop of res.get(): with celery 5.2.6 and redis-py 4.3, once one
    result comes late (here: a task of the killed worker, reclaimed after the visibility timeout) the waiting
    drains every other result message, the PubSub ends up with no subscription, and from then on each res.get()
    of an already-finished task waits a whole drain interval (1 s: the drainer waits before it checks readiness,
    and get_message() without a subscription just sleeps its timeout), so 900 results take 15 minutes. Python
    workers cause the same: reproduced with results written by Celery's own backend code, no Switchboard involved.
    """
    count, first, slow = 1000, 100, [long_running_task.delay(15) for _ in range(12)]
    print("long ids", " ".join(res.id for res in slow), flush=True)
    adds = [add.delay(i, i) for i in range(first)]
    assert ResultSet(adds).join_native(timeout=180) == [2 * i for i in range(first)]
    print("got", first, flush=True)
    adds += [add.delay(i, i) for i in range(first, count - len(slow))]
    print("sent", count, flush=True)
    assert ResultSet(adds[first:] + slow).join_native(timeout=300) == (
        [2 * i for i in range(first, len(adds))] + ["Task finished!"] * len(slow))
    for res, expected in [(r, 2 * i) for i, r in enumerate(adds)] + [(r, "Task finished!") for r in slow]:
        fresh = app.AsyncResult(res.id)  # a new handle: its state and result come from the backend (GET)
        assert fresh.state == "SUCCESS" and fresh.result == expected, (res.id, fresh.state, fresh.result)
    print("got all", count, flush=True)


for name in args.checks:
    globals()["check_" + name]()
    print("ok", name, flush=True)
print("all checks passed", flush=True)
sys.exit(0)
