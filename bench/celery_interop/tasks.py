"""The Python Celery worker side of bench/celery_interop.sh: the same task names as Switchboard's shipped ones."""
import os

from celery import Celery

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
app = Celery("tasks", broker=REDIS, backend=REDIS)


@app.task(name="noop")
def noop():
    return None


@app.task(name="add")
def add(x, y):
    return x + y
