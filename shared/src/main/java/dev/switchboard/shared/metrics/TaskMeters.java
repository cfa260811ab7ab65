package dev.switchboard.shared.metrics;

import dev.switchboard.api.tasks.TaskState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The per-task meters ({@link MetricNames#TASKS}, {@link MetricNames#TASK_DURATION}, {@link MetricNames#TASK_RETRIES},
 * {@link MetricNames#TASKS_DEFERRED}), bound once per task name and state: a registry look-up builds Tags, a meter id
 * and searches the registry's map, several hundred bytes on every task. Same names and labels as a look-up. At most
 * {@link #MAX_TASK_NAMES} task names are kept bound; meters of names past that are looked up per call, as before (the
 * registry still has them: the label set is the task names, bounded by what is registered and enqueued). Thread-safe.
 */
public final class TaskMeters {

  /** Task names whose meters stay bound. */
  public static final int MAX_TASK_NAMES = 1024;
  /** The duration's state label when the outcome could not be recorded. */
  public static final String UNKNOWN = "UNKNOWN";

  private static final TaskState[] STATES = TaskState.values();

  private final MeterRegistry registry;
  private final Map<String, Bound> byTask = new ConcurrentHashMap<>();

  public TaskMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts a transition of a task called {@code name} into {@code state}. */
  public void count(String name, TaskState state) {
    bound(name).transition(state).increment();
  }

  /** Records an attempt's duration, labelled with the state it ended in ({@code state}: a state name or UNKNOWN). */
  public void recordDuration(String name, String state, long nanos) {
    bound(name).duration(state).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts a retry of a task called {@code name}. */
  public void retried(String name) {
    bound(name).retries().increment();
  }

  /** Counts a task left for a worker that knows it. */
  public void deferred(String name) {
    bound(name).deferred().increment();
  }

  private Bound bound(String name) {
    String label = String.valueOf(name);
    Bound bound = byTask.get(label);
    if (bound != null) {
      return bound;
    }
    if (byTask.size() >= MAX_TASK_NAMES) {
      return new Bound(label); // not kept: looked up per call
    }
    return byTask.computeIfAbsent(label, Bound::new);
  }

  /** The meters of one task name, each registered when first used. */
  private final class Bound {

    private final String name;
    /** By state ordinal; the duration past the states is UNKNOWN's. */
    private final AtomicReferenceArray<Counter> transitions = new AtomicReferenceArray<>(STATES.length);
    private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(STATES.length + 1);
    private volatile Counter retries;
    private volatile Counter deferred;

    Bound(String name) {
      this.name = name;
    }

    Counter transition(TaskState state) {
      Counter counter = transitions.get(state.ordinal());
      if (counter == null) {
        // a racing second registration finds the first meter: both store the same one
        counter = Counter.builder(MetricNames.TASKS).tag(MetricNames.TASK, name).tag(MetricNames.STATE, state.name())
            .register(registry);
        transitions.set(state.ordinal(), counter);
      }
      return counter;
    }

    Timer duration(String state) {
      int index = indexOf(state);
      Timer timer = index < 0 ? null : durations.get(index);
      if (timer == null) {
        timer = Timer.builder(MetricNames.TASK_DURATION).tag(MetricNames.TASK, name).tag(MetricNames.STATE, state)
            .register(registry);
        if (index >= 0) {
          durations.set(index, timer);
        }
      }
      return timer;
    }

    Counter retries() {
      Counter counter = retries;
      if (counter == null) {
        retries = counter = Counter.builder(MetricNames.TASK_RETRIES).tag(MetricNames.TASK, name).register(registry);
      }
      return counter;
    }

    Counter deferred() {
      Counter counter = deferred;
      if (counter == null) {
        deferred = counter = Counter.builder(MetricNames.TASKS_DEFERRED).tag(MetricNames.TASK, name)
            .description("tasks left for a worker that knows them (not registered here)").register(registry);
      }
      return counter;
    }
  }

  private static int indexOf(String state) {
    if (UNKNOWN.equals(state)) {
      return STATES.length;
    }
    for (TaskState known : STATES) {
      if (known.name().equals(state)) {
        return known.ordinal();
      }
    }
    return -1;
  }
}
