package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One attempt of a task, as claimed by a worker: which stream entry carries it, which delivery of the task it is
 * (1 on the first, counting retries, reclaims and hand-backs), and its lease: the fencing token that only this
 * attempt holds until it settles or is handed back. Only the holder of the current lease may report progress,
 * heart-beat or settle the task.
 */
record ClaimedTask(String id, String name, JsonArray args, TaskOptions options, int retries, int delivery,
    long lease, long seq, String stream, String entry) {

  static ClaimedTask fromJson(JsonObject json) {
    return new ClaimedTask(json.getString("id"), json.getString("name"), new JsonArray(json.getString("args")),
        TaskOptions.fromStored(new JsonObject(json.getString("options"))), json.getInteger("retries", 0),
        json.getInteger("delivery"), json.getLong("lease"), json.getLong("seq"), json.getString("stream"), json.getString("entry"));
  }

  /** Unique among a worker's in-flight tasks. */
  String slot() {
    return stream + "/" + entry;
  }
}
