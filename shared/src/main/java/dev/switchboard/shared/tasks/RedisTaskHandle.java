package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import java.time.Duration;

/** {@link TaskHandle} of a {@link RedisTaskClient}: knows whether the task's final state reaches its client's notify channel. */
final class RedisTaskHandle implements TaskHandle {

  private final RedisTaskClient client;
  private final String id;
  private final boolean created;
  private final boolean notified;

  /** {@code notified}: the task's final state is published to {@code client}'s own notify channel. */
  RedisTaskHandle(RedisTaskClient client, String id, boolean created, boolean notified) {
    this.client = client;
    this.id = id;
    this.created = created;
    this.notified = notified;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean created() {
    return created;
  }

  @Override
  public Future<TaskInfo> info() {
    return client.info(id);
  }

  @Override
  public Future<Object> get(Duration timeout) {
    return client.awaitFinal(id, timeout, notified).map(info -> switch (info.state()) {
      case SUCCESS -> info.result();
      case REVOKED -> throw new TaskException(TaskException.Reason.REVOKED, "task " + id + " was revoked", info);
      default -> throw new TaskException(TaskException.Reason.FAILED, "task " + id + " failed: "
          + (info.error() == null ? "unknown error" : info.error().type() + ": " + info.error().message()), info);
    });
  }

  @Override
  public Future<TaskState> revoke() {
    return client.revoke(id);
  }

  @Override
  public String toString() {
    return "TaskHandle[" + id + "]";
  }
}
