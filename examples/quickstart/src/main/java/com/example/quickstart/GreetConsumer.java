package com.example.quickstart;

import dev.switchboard.api.consumers.WebsocketConsumer;
import io.vertx.core.Future;

/** {@code /ws/quickstart/{name}}: greets {@code hello, {name}} on connect, then answers each text reversed. */
public final class GreetConsumer extends WebsocketConsumer {

  @Override
  protected Future<Void> connect() {
    accept();
    send("hello, " + param("name"));
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> receive(String text) {
    send(new StringBuilder(text).reverse().toString());
    return Future.succeededFuture();
  }
}
