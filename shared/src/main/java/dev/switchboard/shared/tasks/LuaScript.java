package dev.switchboard.shared.tasks;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Redis Lua script, run atomically with {@code EVALSHA}; when Redis does not know it (first use, or
 * after a Redis restart emptied the script cache) it is sent once more with {@code EVAL}, which caches it.
 *
 * <p>Every script starts with the prelude {@code celery_meta.lua}: the functions that write Celery's result meta
 * for tasks that came from Celery, so each state change calls them in the script that makes it (one place per
 * transition, atomic with it).
 */
public final class LuaScript {

  private static final String PRELUDE = read(LuaScript.class, "celery_meta.lua");
  /** The library that writes a new task ({@code task_refusal}, {@code task_create}), for every script that makes one. */
  public static final String NEW_TASK = "/dev/switchboard/shared/tasks/new_task.lua";
  /** Workflow progression, for every script that ends a task; it queues later steps, so it comes after NEW_TASK. */
  public static final String WORKFLOW_STEPS = "/dev/switchboard/shared/tasks/workflow_steps.lua";

  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Loads {@code resource} from the classpath next to {@code anchor}, after the {@code libraries} (Lua files of
   * local functions several scripts share, also next to {@code anchor}), so that one transition is written once.
   */
  public static LuaScript load(Class<?> anchor, String resource, String... libraries) {
    StringBuilder source = new StringBuilder(PRELUDE).append('\n');
    for (String library : libraries) {
      source.append(read(anchor, library)).append('\n');
    }
    return new LuaScript(resource, source.append(read(anchor, resource)).toString());
  }

  private static String read(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Lua script " + resource + " not found next to " + anchor.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the script; the Future fails with Redis' error, prefixed with the script's name, or with the
   * {@link RedisUnavailableException} of a Redis that cannot be reached.
   */
  public Future<Response> run(Redis redis, List<String> keys, List<?> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args))
        .recover(err -> isNoScript(err)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(err))
        .recover(err -> Future.failedFuture(err instanceof RedisUnavailableException ? err : new IllegalStateException(
            "Redis script " + name + " failed: " + err.getMessage(), err)));
  }

  private static Request request(Command command, String script, List<String> keys, List<?> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    // binary arguments (a Buffer) go as they are: String.valueOf would corrupt them
    args.forEach(arg -> {
      if (arg instanceof io.vertx.core.buffer.Buffer bytes) {
        request.arg(bytes);
      } else {
        request.arg(String.valueOf(arg));
      }
    });
    return request;
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
