package dev.switchboard.api;

/** Where an app's own verticle runs: on nodes with this role ({@code gateway}, {@code consumers}, {@code worker}). */
public enum NodeRole {
  GATEWAY, CONSUMERS, WORKER
}
