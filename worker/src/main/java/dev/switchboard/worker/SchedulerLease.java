package dev.switchboard.worker;

import dev.switchboard.shared.tasks.LuaScript;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/**
 * The lease that makes one worker's scheduler the leader among any number of workers: {@code SET NX PX} of a fencing
 * token ({@code "<n> <holder>"}, n from a counter that only grows), renewed every tick by its holder and taken by
 * another worker once it lapses. Holding it is not enough to act: every enqueue checks the token atomically
 * ({@link dev.switchboard.shared.tasks.EnqueueGuard}), so a deposed leader's late calls write nothing.
 */
final class SchedulerLease {

  private static final LuaScript ACQUIRE = LuaScript.load(SchedulerLease.class, "lease_acquire.lua");
  private static final LuaScript RENEW = LuaScript.load(SchedulerLease.class, "lease_renew.lua");

  private final Redis redis;
  private final TaskKeys keys;
  private final String holder;
  private final int leaseMs;

  SchedulerLease(Redis redis, TaskKeys keys, String holder, int leaseMs) {
    this.redis = redis;
    this.keys = keys;
    this.holder = holder;
    this.leaseMs = leaseMs;
  }

  /** The new token when the lease was free, else null. */
  Future<String> acquire() {
    return ACQUIRE.run(redis, List.of(keys.schedulerLease(), keys.schedulerFence()), List.of(leaseMs, holder))
        .map(reply -> reply == null ? null : reply.toString());
  }

  /** True while {@code token} is still the lease, now extended by a lease period. */
  Future<Boolean> renew(String token) {
    return RENEW.run(redis, List.of(keys.schedulerLease()), List.of(token, leaseMs)).map(reply -> reply.toInteger() == 1);
  }

  /** Gives the lease up (a graceful stop), so that another worker takes over at its next try. */
  Future<Void> release(String token) {
    return RENEW.run(redis, List.of(keys.schedulerLease()), List.of(token, 0)).mapEmpty();
  }

  String holder() {
    return holder;
  }
}
