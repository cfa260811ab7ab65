package dev.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.tls.SslContextProvider;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrafficShapingOptions;
import io.vertx.core.net.impl.NetServerInternal;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The Vert.x instance handed to the TCP event-bus bridge: identical to the real one, except that the TCP
 * servers it creates pass each new socket through {@code guard} before the bridge sees it (per-IP limits and
 * the frame-size check need the socket first, and the bridge offers no hook at connection time), and that the
 * server it created can be asked for its port. Everything else is the real instance's.
 */
final class GuardedNetServers extends VertxWrapper {

  private final UnaryOperator<Handler<NetSocket>> guard;
  private volatile NetServer created;

  GuardedNetServers(VertxInternal delegate, UnaryOperator<Handler<NetSocket>> guard) {
    super(delegate);
    this.guard = guard;
  }

  /** The last server created through this instance (the bridge creates one). */
  NetServer created() {
    return created;
  }

  @Override
  public NetServerInternal createNetServer(NetServerOptions options) {
    Guarded server = new Guarded(delegate.createNetServer(options), guard);
    created = server;
    return server;
  }

  private static final class Guarded implements NetServerInternal {
    private final NetServerInternal server;
    private final UnaryOperator<Handler<NetSocket>> guard;
    private Handler<NetSocket> handler;

    Guarded(NetServerInternal server, UnaryOperator<Handler<NetSocket>> guard) {
      this.server = server;
      this.guard = guard;
    }

    @Override
    public NetServerInternal connectHandler(Handler<NetSocket> handler) {
      this.handler = handler;
      server.connectHandler(handler == null ? null : guard.apply(handler));
      return this;
    }

    @Override
    public Handler<NetSocket> connectHandler() {
      return handler;
    }

    @Override
    public NetServerInternal exceptionHandler(Handler<Throwable> handler) {
      server.exceptionHandler(handler);
      return this;
    }

    @Override
    public SslContextProvider sslContextProvider() {
      return server.sslContextProvider();
    }

    @Override
    public Future<NetServer> listen(ContextInternal context, SocketAddress address) {
      return server.listen(context, address).map(this);
    }

    @Override
    public Future<NetServer> listen() {
      return server.listen().map(this);
    }

    @Override
    public Future<NetServer> listen(SocketAddress address) {
      return server.listen(address).map(this);
    }

    @Override
    public Future<Void> shutdown(long timeout, TimeUnit unit) {
      return server.shutdown(timeout, unit);
    }

    @Override
    public int actualPort() {
      return server.actualPort();
    }

    @Override
    public Future<Boolean> updateSSLOptions(ServerSSLOptions options, boolean force) {
      return server.updateSSLOptions(options, force);
    }

    @Override
    public Future<Boolean> updateTrafficShapingOptions(TrafficShapingOptions options) {
      return server.updateTrafficShapingOptions(options);
    }

    @Override
    public boolean isMetricsEnabled() {
      return server.isMetricsEnabled();
    }
  }
}
