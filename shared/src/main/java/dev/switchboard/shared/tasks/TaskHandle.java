package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * A sent task, Celery's {@code AsyncResult}: its id at once, its state and result as Futures. Cheap to create;
 * holds no connection, so handles may be kept, rebuilt from an id ({@link TaskClient#handle}), and shared.
 */
public final class TaskHandle {

  private final TaskClient client;
  private final String id;
  private final boolean created;
  private final boolean notified;

  /** {@code notified}: the task's final state is published to {@code client}'s own notify channel. */
  TaskHandle(TaskClient client, String id, boolean created, boolean notified) {
    this.client = client;
    this.id = id;
    this.created = created;
    this.notified = notified;
  }

  public String id() {
    return id;
  }

  /** False when the call named an existing task id, so nothing new was queued. */
  public boolean created() {
    return created;
  }

  /** The whole current snapshot; fails with NO_SUCH_TASK for an unknown or expired id. */
  public Future<TaskInfo> info() {
    return client.info(id);
  }

  public Future<TaskState> state() {
    return info().map(TaskInfo::state);
  }

  /** True once the task is SUCCESS, FAILURE or REVOKED. */
  public Future<Boolean> ready() {
    return info().map(TaskInfo::ready);
  }

  /**
   * The task's result once it succeeds. Fails with a {@link TaskException} of reason FAILED (the error in
   * {@link TaskException#info()}) or REVOKED, or with a {@link java.util.concurrent.TimeoutException}.
   */
  public Future<Object> get(Duration timeout) {
    return client.awaitFinal(id, timeout, notified).map(info -> switch (info.state()) {
      case SUCCESS -> info.result();
      case REVOKED -> throw new TaskException(TaskException.Reason.REVOKED, "task " + id + " was revoked", info);
      default -> throw new TaskException(TaskException.Reason.FAILED, "task " + id + " failed: "
          + (info.error() == null ? "unknown error" : info.error().type() + ": " + info.error().message()), info);
    });
  }

  /** See {@link TaskClient#revoke}. */
  public Future<TaskState> revoke() {
    return client.revoke(id);
  }

  @Override
  public String toString() {
    return "TaskHandle[" + id + "]";
  }
}
