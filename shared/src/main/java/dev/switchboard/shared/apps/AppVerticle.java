package dev.switchboard.shared.apps;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.NodeRole;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import java.util.function.Function;

/** One of an app's own verticles: deployed on nodes with role {@code where}. */
public record AppVerticle(String app, NodeRole where, Function<AppEnvironment, ? extends Deployable> factory,
                          DeploymentOptions options) {
}
