package dev.switchboard.deploy;

import dev.switchboard.deploy.cli.CliException;
import dev.switchboard.deploy.cli.ClusterCommand;
import dev.switchboard.deploy.cli.QueuesCommand;
import dev.switchboard.deploy.cli.SchedulesCommand;
import dev.switchboard.deploy.cli.TasksCommand;
import dev.switchboard.deploy.cli.WorkersCommand;
import dev.switchboard.deploy.cli.WorkflowsCommand;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.apps.AppException;
import dev.switchboard.shared.apps.AppLoader;
import dev.switchboard.shared.config.ConfigException;
import dev.switchboard.shared.config.ConfigLoader;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code java -jar switchboard.jar [all | gateway | consumers | worker ...] [--cluster] [--config FILE] [--app JAR ...]}, and the
 * operator's commands {@code tasks ...} and {@code cluster status}, which talk to a running gateway. Bad arguments or
 * configuration: one line on stderr, exit 2; a command that fails: one line on stderr, exit 1. SIGTERM or Ctrl-C:
 * graceful stop, exit 0.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "Switchboard 0.1.0",
    description = "Runs Switchboard roles: the HTTP/WebSocket gateway, the WebSocket consumers, the task worker.",
    subcommands = {TasksCommand.class, WorkflowsCommand.class, QueuesCommand.class, WorkersCommand.class, SchedulesCommand.class,
        ClusterCommand.class})
public final class Main implements Callable<Integer> {

  static final int USAGE = 2;
  static final String APPS_ENV = "SWITCHBOARD_APPS";
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Parameters(arity = "0..*", paramLabel = "ROLE", description = "all (default), gateway, consumers, worker")
  private List<String> roleNames = new ArrayList<>();

  @Option(names = "--cluster", description = "join the Hazelcast cluster named by SWITCHBOARD_CLUSTER_MEMBERS")
  private boolean cluster;

  @Option(names = "--config", paramLabel = "FILE", description = "a JSON or YAML configuration file")
  private Path configFile;

  @Option(names = "--app", paramLabel = "JAR", description = "a jar of apps to load (repeatable; also SWITCHBOARD_APPS, ':'-separated)")
  private List<Path> appJars = new ArrayList<>();

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new Main())
        .setParameterExceptionHandler((ex, arguments) -> {
          System.err.println("switchboard: " + ex.getMessage() + " (try --help)");
          return USAGE;
        })
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          if (ex instanceof CliException cli) {
            System.err.println("switchboard: " + cli.getMessage());
            return cli.exitCode();
          }
          throw ex;
        });
    // exit explicitly: a command's HTTP client may leave idle threads that would hold the JVM for seconds
    System.exit(commandLine.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Set<Role> roles;
    SwitchboardConfig config;
    JsonObject appSettings;
    AppCatalog apps;
    try {
      roles = Role.parse(roleNames);
      JsonObject json = loadConfig();
      config = SwitchboardConfig.fromJson(json);
      appSettings = json.getValue("apps") instanceof JsonObject settings ? settings : new JsonObject();
      apps = AppLoader.load(appJars(System.getenv(APPS_ENV)), Main.class.getClassLoader());
    } catch (IllegalArgumentException | ConfigException | AppException e) {
      System.err.println("switchboard: " + e.getMessage());
      return USAGE;
    }
    SwitchboardNode node = new SwitchboardNode(roles, cluster, config, apps, appSettings);
    CountDownLatch stopped = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stopped.countDown());
    Signal.handle(new Signal("INT"), sig -> stopped.countDown());
    try {
      log.info(node.start().await());
    } catch (Exception e) {
      System.err.println("switchboard: failed to start: " + e.getMessage());
      node.stop();
      return 1;
    }
    stopped.await();
    log.info("stopping: closing sockets and draining in-flight work");
    node.stop();
    log.info("stopped");
    return 0;
  }

  /** {@code --app} jars, then those of {@code SWITCHBOARD_APPS} (a path list, ':'-separated; empty entries skipped). */
  List<Path> appJars(String fromEnvironment) {
    List<Path> jars = new ArrayList<>(appJars);
    if (fromEnvironment != null) {
      for (String entry : fromEnvironment.split(java.io.File.pathSeparator)) {
        if (!entry.isBlank()) {
          jars.add(Path.of(entry.trim()));
        }
      }
    }
    return jars;
  }

  private JsonObject loadConfig() {
    Vertx reader = Vertx.vertx();
    try {
      return ConfigLoader.loadJson(reader, configFile).await();
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigException(e.getMessage());
    } finally {
      reader.close();
    }
  }
}
