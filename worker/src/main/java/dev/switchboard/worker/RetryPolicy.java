package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskRevokedException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskRetry;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Whether and when a failed attempt is retried: only while {@code retries < maxRetries}, only for an exception
 * named in {@code retryOn} (its class or a superclass, simple or full name; any exception when the list is
 * empty) or a {@link TaskRetry} the task asked for (after its own countdown), never for a revoked task. The wait doubles each time from {@code retryBackoff}, capped at
 * {@code retryBackoffMax}; with jitter it is drawn from the upper half, so retries of many tasks spread out.
 */
final class RetryPolicy {

  private RetryPolicy() {
  }

  /** Epoch ms of the next attempt, or -1 for no retry; the backoff never exceeds {@code ceilingMs} (the worker's). */
  static long retryAt(TaskOptions options, long ceilingMs, int retries, Throwable error, long now, DoubleSupplier random) {
    if (retries >= options.maxRetries() || error instanceof TaskRevokedException) {
      return -1;
    }
    if (error instanceof TaskRetry retry) {
      return now + retry.countdown().toMillis(); // the task chose when: no backoff, no retry_on filter
    }
    if (!matches(options.retryOn(), error)) {
      return -1;
    }
    return now + Math.min(ceilingMs, backoffMillis(options, retries, random));
  }

  static long backoffMillis(TaskOptions options, int retries, DoubleSupplier random) {
    long base = options.retryBackoff().toMillis();
    long cap = options.retryBackoffMax().toMillis();
    long delay = retries >= 62 || base > (cap >> Math.min(retries, 62)) ? cap : Math.min(cap, base << retries);
    if (!options.retryJitter()) {
      return delay;
    }
    long half = delay / 2;
    return Math.min(delay, half + (long) (random.getAsDouble() * (delay - half + 1)));
  }

  private static boolean matches(List<String> retryOn, Throwable error) {
    if (retryOn.isEmpty()) {
      return true;
    }
    for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
      if (retryOn.contains(type.getName()) || retryOn.contains(type.getSimpleName())) {
        return true;
      }
    }
    return false;
  }
}
