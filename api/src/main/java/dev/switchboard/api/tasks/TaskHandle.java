package dev.switchboard.api.tasks;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * A sent task, Celery's {@code AsyncResult}: its id at once, its state and result as Futures. Cheap to create;
 * holds no connection, so handles may be kept, rebuilt from an id ({@link TaskClient#handle}), and shared.
 */
public interface TaskHandle {

  String id();

  /** False when the call named an existing task id, so nothing new was queued. */
  boolean created();

  /** The whole current snapshot; fails with NO_SUCH_TASK for an unknown or expired id. */
  Future<TaskInfo> info();

  default Future<TaskState> state() {
    return info().map(TaskInfo::state);
  }

  /** True once the task is SUCCESS, FAILURE or REVOKED. */
  default Future<Boolean> ready() {
    return info().map(TaskInfo::ready);
  }

  /**
   * The task's result once it succeeds. Fails with a {@link TaskException} of reason FAILED (the error in
   * {@link TaskException#info()}) or REVOKED, or with a {@link java.util.concurrent.TimeoutException}.
   */
  Future<Object> get(Duration timeout);

  /** See {@link TaskClient#revoke}. */
  Future<TaskState> revoke();
}
