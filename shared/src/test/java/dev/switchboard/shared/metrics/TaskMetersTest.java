package dev.switchboard.shared.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.tasks.TaskState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Task meters: bound once, under the names and labels a registry look-up gives, past the bound still counted")
class TaskMetersTest {

  @Test
  @DisplayName("transitions, durations, retries and deferred tasks land on the meters a look-up finds")
  void sameMetersAsALookUp() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskMeters meters = new TaskMeters(registry);
    for (int i = 0; i < 3; i++) {
      meters.count("add", TaskState.STARTED);
      meters.recordDuration("add", TaskState.SUCCESS.name(), 1_000_000);
    }
    meters.count("add", TaskState.SUCCESS);
    meters.recordDuration("add", TaskMeters.UNKNOWN, 5);
    meters.recordDuration("add", "PENDING", 5);
    meters.retried("add");
    meters.deferred("unknown_here");
    assertEquals(3, registry.get(MetricNames.TASKS).tags(MetricNames.TASK, "add", MetricNames.STATE, "STARTED").counter().count());
    assertEquals(1, registry.get(MetricNames.TASKS).tags(MetricNames.TASK, "add", MetricNames.STATE, "SUCCESS").counter().count());
    assertEquals(3, registry.get(MetricNames.TASK_DURATION).tags(MetricNames.TASK, "add", MetricNames.STATE, "SUCCESS").timer().count());
    assertEquals(1, registry.get(MetricNames.TASK_DURATION).tags(MetricNames.TASK, "add", MetricNames.STATE, "UNKNOWN").timer().count());
    assertEquals(1, registry.get(MetricNames.TASK_DURATION).tags(MetricNames.TASK, "add", MetricNames.STATE, "PENDING").timer().count());
    assertEquals(1, registry.get(MetricNames.TASK_RETRIES).tags(MetricNames.TASK, "add").counter().count());
    assertEquals(1, registry.get(MetricNames.TASKS_DEFERRED).tags(MetricNames.TASK, "unknown_here").counter().count());
  }

  @Test
  @DisplayName("past MAX_TASK_NAMES names, meters are looked up per call: every count still lands")
  void pastTheBound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskMeters meters = new TaskMeters(registry);
    int names = TaskMeters.MAX_TASK_NAMES + 10;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < names; i++) {
        meters.count("task" + i, TaskState.STARTED);
      }
    }
    assertEquals(names, registry.find(MetricNames.TASKS).counters().size());
    registry.find(MetricNames.TASKS).counters().forEach(counter -> assertEquals(2, counter.count(), counter.getId().toString()));
  }
}
