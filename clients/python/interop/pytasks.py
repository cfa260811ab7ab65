"""A Python Celery app whose worker a Switchboard TaskClient calls (CeleryTaskClientTest):
/usr/bin/python3 -m celery --workdir python/interop -A pytasks worker -Q QUEUE"""
import os

from celery import Celery

REDIS = os.environ.get("PYTASKS_REDIS", "redis://127.0.0.1:6379")
app = Celery("pytasks", broker=REDIS, backend=REDIS)


@app.task(name="pytasks.add")
def add(x, y):
    return x + y


@app.task(name="pytasks.boom")
def boom(message):
    raise ValueError(message)
