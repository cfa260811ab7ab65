package com.example.quickstart;

import static dev.switchboard.api.tasks.TaskSignature.param;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskSignature.Type;

/** The quickstart app: routing.py and @shared_task in one place. Listed in META-INF/services. */
public final class QuickstartApp implements SwitchboardApp {

  @Override
  public String name() {
    return "quickstart";
  }

  @Override
  public void configure(AppBuilder app) {
    app.websocket("/ws/quickstart/:name", GreetConsumer::new)
        .http("/quickstart/square/:n", SquareConsumer::new)
        .http("/quickstart/squares/:n", SquaresConsumer::new)
        .task("quickstart.slow_square", TaskSignature.of(param("n", Type.INTEGER)), SlowSquare::run)
        .migrations("db/quickstart");
  }
}
