package dev.switchboard.deploy.cli;

import picocli.CommandLine.Option;

/** {@code --url}: which gateway a command talks to. */
public final class GatewayOptions {

  @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
      description = "the gateway's base URL (default: ${DEFAULT-VALUE})")
  String url;

  GatewayClient client() {
    return new GatewayClient(url);
  }
}
