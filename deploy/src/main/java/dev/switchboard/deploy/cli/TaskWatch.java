package dev.switchboard.deploy.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.http.WebSocket;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows one task on the gateway's {@code /ws/tasks/{id}} until its final state, drawing a progress bar on
 * {@code out} from its progress events ({@code {"current", "total"}}) and its state changes otherwise. If the socket
 * closes before a final state was seen, the task's state is read once over HTTP.
 */
final class TaskWatch implements WebSocket.Listener {

  private static final Set<String> FINAL = Set.of("SUCCESS", "FAILURE", "REVOKED");
  private static final int BAR_WIDTH = 30;

  private final GatewayClient gateway;
  private final String id;
  private final PrintStream out;
  private final CompletableFuture<JsonObject> done = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private String lastLine = "";
  private JsonObject lastProgress;

  TaskWatch(GatewayClient gateway, String id, PrintStream out) {
    this.gateway = gateway;
    this.id = id;
    this.out = out;
  }

  /** Blocks the calling (main) thread until the task is final, or {@code timeoutSeconds} (0: no limit) pass. */
  JsonObject await(long timeoutSeconds) {
    WebSocket socket = gateway.webSocket("/ws/tasks/" + id, this);
    try {
      JsonObject last = timeoutSeconds > 0 ? done.get(timeoutSeconds, TimeUnit.SECONDS) : done.get();
      if (!FINAL.contains(last.getString("state"))) {
        last = gateway.get("/api/tasks/" + id);
      }
      return last;
    } catch (TimeoutException e) {
      throw new CliException(CliException.FAILED, "task " + id + " not finished within " + timeoutSeconds + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof CliException cli ? cli
          : new CliException(CliException.FAILED, "lost the task's event stream: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.FAILED, "interrupted");
    } finally {
      socket.abort();
      if (!lastLine.isEmpty()) {
        out.println();
      }
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      JsonObject event = new JsonObject(partial.toString());
      partial.setLength(0);
      onEvent(event);
    }
    socket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
    done.complete(new JsonObject().put("state", "CLOSED").put("code", statusCode));
    return null;
  }

  @Override
  public void onError(WebSocket socket, Throwable error) {
    done.completeExceptionally(error);
  }

  private void onEvent(JsonObject event) {
    if (event.containsKey("error") && !event.containsKey("state")) {
      done.completeExceptionally(new CliException(CliException.FAILED, event.getString("error")));
      return;
    }
    String state = event.getString("state");
    JsonObject progress = event.getJsonObject("progress");
    if (progress != null) {
      lastProgress = progress;
    }
    draw(state, lastProgress);
    if (FINAL.contains(state)) {
      done.complete(event);
    }
  }

  private void draw(String state, JsonObject progress) {
    String line;
    if (progress != null && progress.getValue("total") instanceof Number total && total.doubleValue() > 0
        && progress.getValue("current") instanceof Number current) {
      double share = Math.min(1, current.doubleValue() / total.doubleValue());
      int filled = (int) Math.round(share * BAR_WIDTH);
      line = String.format("[%s%s] %s/%s %3d%% %s", "#".repeat(filled), " ".repeat(BAR_WIDTH - filled),
          plain(current), plain(total), Math.round(share * 100), state);
    } else {
      line = String.format("[%s] %s", " ".repeat(BAR_WIDTH), state);
    }
    if (line.equals(lastLine)) {
      return;
    }
    out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
    out.flush();
    lastLine = line;
  }

  private static String plain(Number number) {
    return number.doubleValue() == Math.rint(number.doubleValue()) ? String.valueOf(number.longValue()) : number.toString();
  }
}
