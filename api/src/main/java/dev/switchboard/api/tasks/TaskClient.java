package dev.switchboard.api.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;

/**
 * Sends tasks and reads their state, Celery's {@code delay}/{@code apply_async}/{@code AsyncResult}, from any
 * verticle on any node. Thread-safe. Calls are checked against the task's published signature before anything
 * is queued.
 *
 * <p>Every Future fails with a {@link TaskException} whose {@link TaskException.Reason} says why (unknown task,
 * invalid arguments or options, no such id, queue full, failed, revoked), or with the broker's own error when it
 * cannot be reached.
 */
public interface TaskClient {

  /** {@code name(args...)} with default options, Celery's {@code task.delay(*args)}. */
  default Future<TaskHandle> delay(String name, Object... args) {
    return apply(name, new JsonArray(Arrays.asList(args)), null, TaskOptions.defaults());
  }

  /**
   * Queues {@code name(*args, **kwargs)} with {@code options}. With a caller-chosen {@code taskId} that
   * already exists nothing is queued and the handle's {@link TaskHandle#created()} is false.
   */
  Future<TaskHandle> apply(String name, JsonArray args, JsonObject kwargs, TaskOptions options);

  /** A handle on an existing task id (for instance one read back from an HTTP call). */
  TaskHandle handle(String id);

  /** The task's current state; fails with NO_SUCH_TASK for an unknown or expired id. */
  Future<TaskInfo> info(String id);

  /**
   * Revokes the task everywhere, durably: a waiting task never runs, a running one is told at its next progress
   * report and its result is discarded. A finished task keeps its state. The Future holds the resulting state.
   */
  Future<TaskState> revoke(String id);

  /**
   * Sends a task that ended in FAILURE or was REVOKED once more, as a new task (same name, arguments and options,
   * no countdown or expiry). Fails with NO_SUCH_TASK for an unknown or expired id, INVALID_REQUEST otherwise.
   */
  Future<TaskHandle> retry(String id);

  /**
   * Completes with the task's final state (SUCCESS, FAILURE or REVOKED) as soon as it is reached. Fails with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeout}, with NO_SUCH_TASK for an unknown or expired
   * id, with QUEUE_FULL when too many calls already wait.
   */
  Future<TaskInfo> awaitFinal(String id, Duration timeout);

  /** The signature workers published for {@code name}; fails with UNKNOWN_TASK when there is none. */
  Future<TaskSignature> signature(String name);

  /**
   * Chains, groups and chords ({@link dev.switchboard.api.workflows.Workflow}) run by the workers behind this client.
   * Throws {@link UnsupportedOperationException} for a client whose broker has none (the Celery client).
   */
  default dev.switchboard.api.workflows.WorkflowClient workflows() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " runs no workflows");
  }

  /**
   * The event-bus address on which every state change and progress report of task {@code id} is published (JSON
   * {@code {"id","name","state","seq","ts",...}}), on every node: subscribe to watch a task live.
   */
  static String eventsAddress(String id) {
    return "switchboard.task." + id;
  }
}
