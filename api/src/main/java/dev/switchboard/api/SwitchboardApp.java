package dev.switchboard.api;

/**
 * A Switchboard app: WebSocket and HTTP routes with their consumers, tasks, migrations and verticles, declared in
 * {@link #configure}. An app's jar lists its implementations in
 * {@code META-INF/services/dev.switchboard.api.SwitchboardApp} (Java's {@link java.util.ServiceLoader}); a node
 * loads it with {@code --app PATH.jar} or {@code SWITCHBOARD_APPS}, and each role takes what it needs: the consumers
 * role the routes, the worker role the tasks.
 *
 * <pre>{@code
 * public final class QuickstartApp implements SwitchboardApp {
 *   public void configure(AppBuilder app) {
 *     app.websocket("/ws/quickstart/:name", GreetConsumer::new);
 *     app.http("/quickstart/square/:n", SquareView::new);
 *     app.task("quickstart.slow_square", TaskSignature.of(param("n", Type.INTEGER)), SlowSquare::run);
 *     app.migrations("db/quickstart");
 *   }
 * }
 * }</pre>
 *
 * <p>Implementations need a public no-argument constructor. {@code configure} is called once per node, on the
 * launching thread, before anything starts; it only declares (no I/O).
 */
public interface SwitchboardApp {

  /** Declares the app's routes, tasks, migrations and verticles. */
  void configure(AppBuilder app);

  /**
   * The app's name: in logs and errors, the scope of its migrations, and the key of its settings
   * ({@code apps.<name>} in the configuration file). Defaults to the class's simple name in lower case.
   */
  default String name() {
    return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }
}
