package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per client address: a token bucket for new connections (refilled at {@code connectionsPerSecond}, holding at most
 * {@code connectionBurst}) and a cap on open connections. One instance per Vert.x instance, shared by every
 * gateway event loop and both bridges, so a client cannot multiply its allowance by landing on several loops.
 * Thread-safe.
 *
 * <p>An IPv4 client is its address; an IPv6 client is its /64 (one subscriber's network, where every address is
 * free to pick). A client with open connections is never forgotten: forgetting would reset its count. Memory is
 * bounded in two parts: idle clients (only their bucket to remember) at most {@code maxTrackedIps}, the least
 * recently seen forgotten first; clients with open connections at most {@code maxTrackedIps} as well, and a new
 * client beyond that is refused ({@link Verdict#TOO_MANY_CLIENTS}) until one closes. Each refusal is counted.
 */
final class ClientLimits {

  /** Why a connection was refused, or that it was not. */
  enum Verdict { ADMITTED, TOO_FAST, TOO_MANY, TOO_MANY_CLIENTS }

  /** An open connection's slot: release it exactly once when the connection ends (later calls do nothing). */
  static final class Permit {
    private final ClientLimits limits;
    private final String client;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(ClientLimits limits, String client) {
      this.limits = limits;
      this.client = client;
    }

    void release() {
      if (limits != null && released.compareAndSet(false, true)) {
        limits.release(client);
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
  /** Clients with open connections: never evicted. */
  private final Map<String, Client> active = new HashMap<>();
  /** Clients without: only their bucket, least recently seen evicted first. */
  private final Map<String, Client> idle;
  private final AtomicLong refusedTooFast = new AtomicLong();
  private final AtomicLong refusedTooMany = new AtomicLong();
  private final AtomicLong refusedTooManyClients = new AtomicLong();

  ClientLimits(SecuritySettings.Limits settings) {
    this.settings = settings;
    this.idle = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
        return size() > settings.maxTrackedIps();
      }
    };
  }

  /** A node's limits (one per node, see {@link GatewayServices}), its refusals counted in {@code registry}. */
  static ClientLimits create(SecuritySettings.Limits settings, MeterRegistry registry) {
    return new ClientLimits(settings).registerMeters(registry);
  }

  private ClientLimits registerMeters(MeterRegistry registry) {
    refusal(registry, "too_fast", refusedTooFast);
    refusal(registry, "too_many_per_client", refusedTooMany);
    refusal(registry, "too_many_clients", refusedTooManyClients);
    return this;
  }

  private static void refusal(MeterRegistry registry, String reason, AtomicLong count) {
    FunctionCounter.builder(METRIC, count, AtomicLong::get).tag("reason", reason)
        .description("connections refused by the per-client limits").register(registry);
  }

  private static final String METRIC = "switchboard.connections.refused";

  /** The client an address counts as: IPv4 as is, IPv6 by its /64. */
  static String clientOf(String address) {
    if (address == null || address.indexOf(':') < 0) {
      return address;
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      if (bytes.length != 16) {
        return InetAddress.getByAddress(bytes).getHostAddress(); // an IPv4-mapped address
      }
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
      }
      return prefix.append(":/64").toString();
    } catch (UnknownHostException e) {
      return address; // not a literal: count it as it came
    }
  }

  Admission admit(String address) {
    return admitClient(clientOf(address));
  }

  private synchronized Admission admitClient(String key) {
    long now = System.nanoTime();
    Client client = active.get(key);
    if (client == null) {
      client = idle.get(key);
    }
    if (client == null) {
      client = new Client();
      client.tokens = settings.connectionBurst();
      client.refilledNanos = now;
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
      idle.putIfAbsent(key, client);
      refusedTooFast.incrementAndGet();
      return new Admission(Verdict.TOO_FAST, null);
    }
    if (client.open == 0 && active.size() >= settings.maxTrackedIps()) {
      idle.putIfAbsent(key, client);
      refusedTooManyClients.incrementAndGet();
      return new Admission(Verdict.TOO_MANY_CLIENTS, null);
    }
    client.tokens -= 1;
    if (client.open++ == 0) {
      idle.remove(key);
      active.put(key, client);
    }
    return new Admission(Verdict.ADMITTED, new Permit(this, key));
  }

  private synchronized void release(String key) {
    Client client = active.get(key);
    if (client != null && --client.open == 0) {
      active.remove(key);
      idle.put(key, client);
    }
  }

  /** Open connections of the client {@code address} counts as. */
  synchronized int open(String address) {
    Client client = active.get(clientOf(address));
    return client == null ? 0 : client.open;
  }

  long refusedTooFast() {
    return refusedTooFast.get();
  }

  long refusedTooMany() {
    return refusedTooMany.get();
  }
}
