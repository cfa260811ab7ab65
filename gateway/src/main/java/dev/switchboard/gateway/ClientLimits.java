package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per client IP: a token bucket for new connections (refilled at {@code connectionsPerSecond}, holding at most
 * {@code connectionBurst}) and a cap on open connections. One instance per Vert.x instance, shared by every
 * gateway event loop and both bridges, so a client cannot multiply its allowance by landing on several loops.
 * At most {@code maxTrackedIps} addresses are remembered, least recently seen evicted first (an evicted
 * address starts afresh). Thread-safe.
 */
final class ClientLimits implements Shareable {

  /** Why a connection was refused, or that it was not. */
  enum Verdict { ADMITTED, TOO_FAST, TOO_MANY }

  /** An open connection's slot: release it exactly once when the connection ends (later calls do nothing). */
  static final class Permit {
    private final ClientLimits limits;
    private final String ip;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(ClientLimits limits, String ip) {
      this.limits = limits;
      this.ip = ip;
    }

    void release() {
      if (limits != null && released.compareAndSet(false, true)) {
        limits.release(ip);
      }
    }
  }

  /** The outcome of {@link #admit}: a verdict and, when admitted, the permit to release. */
  record Admission(Verdict verdict, Permit permit) {
    boolean admitted() {
      return verdict == Verdict.ADMITTED;
    }

    /** The HTTP status for a refusal. */
    int status() {
      return 429;
    }
  }

  private static final class Client {
    double tokens;
    long refilledNanos;
    int open;
  }

  private final SecuritySettings.Limits settings;
  private final Map<String, Client> clients;
  private final AtomicLong refusedTooFast = new AtomicLong();
  private final AtomicLong refusedTooMany = new AtomicLong();

  ClientLimits(SecuritySettings.Limits settings) {
    this.settings = settings;
    this.clients = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
        return size() > settings.maxTrackedIps();
      }
    };
  }

  /** The node's limits; the first caller's settings win (every gateway verticle of a node has the same). */
  static ClientLimits of(Vertx vertx, SecuritySettings.Limits settings) {
    return vertx.sharedData().<String, ClientLimits>getLocalMap("switchboard.gateway.limits")
        .computeIfAbsent("limits", key -> new ClientLimits(settings));
  }

  synchronized Admission admit(String ip) {
    long now = System.nanoTime();
    Client client = clients.get(ip);
    if (client == null) {
      client = new Client();
      client.tokens = settings.connectionBurst();
      client.refilledNanos = now;
      clients.put(ip, client);
    } else {
      double refill = (now - client.refilledNanos) / 1e9 * settings.connectionsPerSecond();
      client.tokens = Math.min(settings.connectionBurst(), client.tokens + refill);
      client.refilledNanos = now;
    }
    if (client.open >= settings.maxConnectionsPerIp()) {
      refusedTooMany.incrementAndGet();
      return new Admission(Verdict.TOO_MANY, null);
    }
    if (client.tokens < 1) {
      refusedTooFast.incrementAndGet();
      return new Admission(Verdict.TOO_FAST, null);
    }
    client.tokens -= 1;
    client.open++;
    return new Admission(Verdict.ADMITTED, new Permit(this, ip));
  }

  private synchronized void release(String ip) {
    Client client = clients.get(ip);
    if (client != null && client.open > 0) {
      client.open--;
    }
  }

  synchronized int open(String ip) {
    Client client = clients.get(ip);
    return client == null ? 0 : client.open;
  }

  long refusedTooFast() {
    return refusedTooFast.get();
  }

  long refusedTooMany() {
    return refusedTooMany.get();
  }

  @Override
  public Shareable copy() {
    return this;
  }
}
