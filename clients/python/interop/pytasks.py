"""A Python Celery app whose worker a Switchboard TaskClient calls (CeleryTaskClientTest, CeleryTaskApiTest):
/usr/bin/python3 -m celery --workdir python/interop -A pytasks worker -Q QUEUE"""
import os

import redis
from celery import Celery

REDIS = os.environ.get("PYTASKS_REDIS", "redis://127.0.0.1:6379")
app = Celery("pytasks", broker=REDIS, backend=REDIS)
app.conf.task_track_started = True  # STARTED is written, as the Switchboard side expects to read it


@app.task(name="pytasks.add")
def add(x, y):
    return x + y


@app.task(name="pytasks.boom")
def boom(message):
    raise ValueError(message)


@app.task(bind=True, name="pytasks.gated")
def gated(self, gate):
    """STARTED, then each step waits for the test to push on the Redis list `gate` (no timing decides anything):
    a custom state DOWNLOADING, then PROGRESS 1/2, then the result."""
    r = redis.Redis.from_url(REDIS)
    try:
        for state, meta in (("DOWNLOADING", {"file": "a.csv"}), ("PROGRESS", {"current": 1, "total": 2})):
            if r.blpop(gate, 60) is None:
                raise TimeoutError("gate " + gate + " never opened")
            self.update_state(state=state, meta=meta)
        if r.blpop(gate, 60) is None:
            raise TimeoutError("gate " + gate + " never opened")
        return "through"
    finally:
        r.delete(gate)
        r.close()
