package dev.switchboard.gateway;

import io.vertx.core.json.JsonObject;

/** A path matched against the announced routes: its pattern (as metrics name it), the consumer to ask, the parameters. */
record RouteMatch(String pattern, String consumer, JsonObject params) {
}
