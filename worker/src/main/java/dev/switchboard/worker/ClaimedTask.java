package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Response;

/**
 * One attempt of a task, as claimed by a worker: which stream entry carries it, which delivery of the task it is
 * (1 on the first, counting retries, reclaims and hand-backs), and its lease: the fencing token that only this
 * attempt holds until it settles or is handed back. Only the holder of the current lease may report progress,
 * heart-beat or settle the task.
 */
record ClaimedTask(String id, String name, JsonArray args, TaskOptions options, int retries, int delivery,
    long lease, long seq, String stream, String entry) {

  /** One task of the claim script's reply: [id, name, args, options, retries, delivery, lease, seq, stream, entry]. */
  static ClaimedTask fromReply(Response task) {
    return new ClaimedTask(task.get(0).toString(), task.get(1).toString(), new JsonArray(task.get(2).toString()),
        TaskOptions.fromStored(task.get(3).toString()), task.get(4).toInteger(), task.get(5).toInteger(),
        task.get(6).toLong(), task.get(7).toLong(), task.get(8).toString(), task.get(9).toString());
  }

  /** Unique among a worker's in-flight tasks. */
  String slot() {
    return stream + "/" + entry;
  }
}
