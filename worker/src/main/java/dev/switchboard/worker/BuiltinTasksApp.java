package dev.switchboard.worker;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.SwitchboardApp;

/**
 * Switchboard's own tasks, an app like any user's (found through
 * {@code META-INF/services/dev.switchboard.api.SwitchboardApp}): {@code add(x, y)}, {@code xsum(numbers)}, {@code noop()},
 * {@code long_running(n)}.
 */
public final class BuiltinTasksApp implements SwitchboardApp {

  public static final String NAME = "switchboard-tasks";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void configure(AppBuilder app) {
    app.task(ShippedTasks.add()).task(ShippedTasks.xsum()).task(ShippedTasks.noop()).task(ShippedTasks.longRunning());
  }
}
