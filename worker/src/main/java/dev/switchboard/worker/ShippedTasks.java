package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskContext;
import dev.switchboard.api.tasks.TaskDefinition;
import static dev.switchboard.api.tasks.TaskSignature.param;

import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskSignature.Type;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.math.BigInteger;

/** The tasks every worker ships with; all async (event loop, timers, no blocking). */
final class ShippedTasks {

  static final String FINISHED = "Task finished!";
  static final long STEP_MS = 1_000;
  static final int MAX_STEPS = 86_400;

  private ShippedTasks() {
  }

  /**
   * {@code add(x, y)}: x + y; exact when both are whole, however big (JSON integers have no size limit); a
   * fractional sum that is not a finite double fails the task rather than answer Infinity.
   */
  static TaskDefinition add() {
    return TaskDefinition.async("add", TaskSignature.of(param("x", Type.NUMBER), param("y", Type.NUMBER)), context -> {
      Number x = (Number) context.args().getValue(0);
      Number y = (Number) context.args().getValue(1);
      if (isWhole(x) && isWhole(y)) {
        BigInteger sum = whole(x).add(whole(y));
        return Future.succeededFuture(sum.bitLength() < Long.SIZE ? (Object) sum.longValueExact() : sum);
      }
      double sum = x.doubleValue() + y.doubleValue();
      if (!Double.isFinite(sum)) {
        return Future.failedFuture(new IllegalArgumentException("add(x, y): " + x + " + " + y + " is not a finite number"));
      }
      return Future.succeededFuture(sum);
    });
  }

  /**
   * {@code xsum(numbers)}: the sum of a list of numbers, Celery's {@code xsum}, the usual chord callback; exact when
   * all are whole, however big, like {@link #add()}. A list holding something else fails the task, naming it.
   */
  static TaskDefinition xsum() {
    return TaskDefinition.async("xsum", TaskSignature.of(param("numbers", Type.ARRAY)), context -> {
      BigInteger whole = BigInteger.ZERO;
      double fraction = 0;
      boolean exact = true;
      for (Object item : context.args().getJsonArray(0)) {
        // whole numbers of any size are fine (a BigInteger past 1e308 is no finite double, yet exact)
        if (!(item instanceof Number number) || !isWhole(number) && !Double.isFinite(number.doubleValue())) {
          return Future.failedFuture(new IllegalArgumentException("xsum(numbers): " + item + " is not a finite number"));
        }
        if (isWhole(number)) {
          whole = whole.add(whole(number));
        } else {
          exact = false;
          fraction += number.doubleValue();
        }
      }
      if (exact) {
        return Future.succeededFuture(whole.bitLength() < Long.SIZE ? (Object) whole.longValueExact() : whole);
      }
      double sum = whole.doubleValue() + fraction;
      return Double.isFinite(sum) ? Future.succeededFuture(sum)
          : Future.failedFuture(new IllegalArgumentException("xsum(numbers): the sum is not a finite number"));
    });
  }

  /** {@code noop()}: does nothing, returns null; the benchmark's unit of work. */
  static TaskDefinition noop() {
    return TaskDefinition.async("noop", TaskSignature.of(), context -> Future.succeededFuture());
  }

  /**
   * {@code long_running(n)}: n steps of one second, reporting progress {@code {"current": i, "total": n}} after
   * each, then returns "Task finished!". Stops early when revoked (its progress report is refused).
   */
  static TaskDefinition longRunning() {
    return TaskDefinition.async("long_running", TaskSignature.of(param("n", Type.INTEGER)), context -> {
      long n = context.args().getLong(0);
      if (n < 0 || n > MAX_STEPS) {
        return Future.failedFuture(new IllegalArgumentException("long_running(n): n must be 0 to " + MAX_STEPS + ", got " + n));
      }
      return steps(context, 0, n);
    });
  }

  private static Future<Object> steps(TaskContext context, long done, long n) {
    if (done >= n) {
      return Future.succeededFuture(FINISHED);
    }
    return context.vertx().timer(STEP_MS)
        .compose(v -> context.progress(done + 1, n))
        .compose(v -> steps(context, done + 1, n));
  }

  private static boolean isWhole(Number number) {
    if (number instanceof Integer || number instanceof Long || number instanceof BigInteger) {
      return true;
    }
    if (number instanceof BigDecimal decimal) {
      return decimal.stripTrailingZeros().scale() <= 0;
    }
    double value = number.doubleValue();
    return Double.isFinite(value) && value == Math.rint(value);
  }

  private static BigInteger whole(Number number) {
    if (number instanceof BigInteger big) {
      return big;
    }
    if (number instanceof BigDecimal decimal) {
      return decimal.toBigIntegerExact();
    }
    if (number instanceof Integer || number instanceof Long) {
      return BigInteger.valueOf(number.longValue());
    }
    return new BigDecimal(number.doubleValue()).toBigIntegerExact();
  }
}
