package dev.switchboard.interop.celery;

import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.redis.client.RedisOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Every Redis key and channel of the Celery wire that Switchboard touches, built in one place: kombu's queue lists
 * (a queue's priority lists are {@code queue + "\x06\x16" + step}, steps 3, 6, 9; the plain name is priority 0,
 * Celery's highest on Redis), the result metas {@code celery-task-meta-<id>}, the pidbox broadcast channel, and
 * Switchboard's own ingesting list per queue (under the task keys' prefix, so namespaces isolate it too).
 */
final class CeleryKeys {

  static final String PRIORITY_SEPARATOR = "\u0006\u0016";
  static final String META_PREFIX = "celery-task-meta-";
  private static final int[] PRIORITY_STEPS = {3, 6, 9};

  private final TaskKeys tasks;

  CeleryKeys(TaskKeys tasks) {
    this.tasks = tasks;
  }

  TaskKeys tasks() {
    return tasks;
  }

  String ingesting(String queue) {
    return tasks.prefix() + "celery:ingesting:" + queue;
  }

  /** The stream of Celery metas waiting for CeleryMetaRelay, when the Celery broker is another Redis (on Switchboard's). */
  String outbox() {
    return tasks.prefix() + "celery:outbox";
  }

  /** What Switchboard sent to a Celery queue under this id (the task's name and queue), kept as long as its result. */
  String sent(String id) {
    return tasks.prefix() + "celery:sent:" + id;
  }

  /** Ids revoked from Python before their message reached a Switchboard worker (a bounded sorted set, by time). */
  String revokedEarly() {
    return tasks.prefix() + "celery:revoked";
  }

  /** take.lua's keys: the queue's lists, highest Celery priority first, then its ingesting list. */
  List<String> takeKeys(String queue) {
    List<String> keys = new ArrayList<>(List.of(queue));
    for (int step : PRIORITY_STEPS) {
      keys.add(queue + PRIORITY_SEPARATOR + step);
    }
    keys.add(ingesting(queue));
    return keys;
  }

  /** ingest.lua's keys for one task. */
  List<String> ingestKeys(String queue, String id, TaskOptions options) {
    return List.of(ingesting(queue), tasks.task(id), tasks.stream(options.queue(), options.priority()), tasks.delayed(),
        tasks.recent(), tasks.queues(), tasks.stats(), revokedEarly());
  }

  static String meta(String id) {
    return META_PREFIX + id;
  }

  /** kombu publishes broadcasts (app.control.revoke) on {@code /<db>.celery.pidbox}, maybe with a routing suffix. */
  static String pidboxPattern(RedisOptions options) {
    String url = options.getEndpoint();
    int db = 0;
    int slash = url.indexOf('/', url.indexOf("//") + 2);
    if (slash > 0 && slash < url.length() - 1) {
      String path = url.substring(slash + 1).split("[?/]")[0];
      if (path.matches("\\d+")) {
        db = Integer.parseInt(path);
      }
    }
    return "/" + db + ".celery.pidbox*";
  }
}
