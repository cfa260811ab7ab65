package dev.switchboard.gateway;

import io.vertx.core.json.JsonObject;

/**
 * A path matched against the announced routes: its pattern (as metrics name it), the consumer to ask, the parameters,
 * and when the consumer's registration is known here at the latest (its route's announcement plus
 * {@link ConsumerRequests#REGISTRATION_GRACE_MS}; epoch milliseconds).
 */
record RouteMatch(String pattern, String consumer, JsonObject params, long registeredBy) {
}
