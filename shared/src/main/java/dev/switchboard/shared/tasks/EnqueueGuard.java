package dev.switchboard.shared.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * A check that runs inside the enqueue script, before it writes anything, so that the check and the enqueue are one
 * atomic step: the periodic-task scheduler's fence ({@code schedule_fence.lua}). The enqueue goes ahead only while
 * the caller's lease token is still the current one (a deposed leader cannot enqueue, however late its call
 * arrives), the schedule still exists, and the occurrence is newer than the last one recorded; it records the
 * occurrence in the same step. Its keys and arguments are appended after the enqueue's own.
 */
public final class EnqueueGuard {

  private static final LuaScript FENCED_ENQUEUE = LuaScript.load(EnqueueGuard.class, "enqueue.lua",
      java.util.stream.Stream.concat(java.util.stream.Stream.of("schedule_fence.lua"),
          java.util.Arrays.stream(RedisTaskClient.ENQUEUE_LIBRARIES)).toArray(String[]::new));
  private static final LuaScript FENCED_RECORD = LuaScript.load(EnqueueGuard.class, "schedule_record.lua", "schedule_fence.lua");

  /** Why a guarded enqueue wrote nothing: {@code fenced}, {@code removed} or {@code done}. */
  public static final class Refused extends RuntimeException {
    private final String reason;

    Refused(String reason) {
      super("enqueue refused by its guard: " + reason, null, false, false);
      this.reason = reason;
    }

    /** {@code fenced}: the lease is no longer the caller's; {@code removed}: no such schedule; {@code done}: recorded already. */
    public String reason() {
      return reason;
    }
  }

  private final List<String> keys;
  private final List<Object> args;

  private EnqueueGuard(List<String> keys, List<Object> args) {
    this.keys = keys;
    this.args = args;
  }

  /**
   * Enqueues only while {@code token} holds the scheduler lease and {@code occurrence} (epoch ms) is newer than
   * {@code schedule}'s last recorded one; records {@code record} (JSON with {@code "at": occurrence}) as the last.
   */
  public static EnqueueGuard scheduleOccurrence(TaskKeys keys, String token, String schedule, long occurrence, JsonObject record) {
    return new EnqueueGuard(List.of(keys.schedulerLease(), keys.scheduleRuns()),
        List.of(token, schedule, occurrence, record.encode()));
  }

  /** Records the occurrence under the same checks without enqueuing anything (an occurrence that could not be sent). */
  public Future<JsonObject> recordOnly(Redis redis) {
    return FENCED_RECORD.run(redis, keys, args).map(reply -> {
      JsonObject answer = new JsonObject(reply.toString());
      check(answer);
      return answer;
    });
  }

  Future<Response> run(Redis redis, List<String> enqueueKeys, List<?> enqueueArgs) {
    List<String> allKeys = new ArrayList<>(enqueueKeys);
    allKeys.addAll(keys);
    List<Object> allArgs = new ArrayList<>(enqueueArgs);
    allArgs.addAll(args);
    return FENCED_ENQUEUE.run(redis, allKeys, allArgs);
  }

  void check(JsonObject answer) {
    String refused = answer.getString("refused");
    if (refused != null) {
      throw new Refused(refused);
    }
  }
}
