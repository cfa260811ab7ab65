package dev.switchboard.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Speaking the Python stack's wire formats on Redis: the channels_redis group bridge ({@code channelsRedis}) and
 * Celery's protocol v2 ({@code celery}). Both are off by default; the defaults of each value are the Python
 * libraries' own, so a Django project's settings carry over unchanged.
 */
public record InteropSettings(ChannelsRedis channelsRedis, Celery celery) {

  /** The regex marker in a list of group names, as in the bridges' permission lists. */
  public static final String REGEX_PREFIX = "re:";

  /**
   * The channels_redis bridge: on when {@code url} is set. {@code groups} are the bridged Switchboard groups
   * (exact names, or {@code re:REGEX}); {@code prefix}, {@code expiry} (s), {@code groupExpiry} (s),
   * {@code capacity} and {@code encryptionKeys} mean what channels_redis' {@code prefix}, {@code expiry},
   * {@code group_expiry}, {@code capacity} and {@code symmetric_encryption_keys} mean.
   */
  public record ChannelsRedis(Optional<String> url, List<String> groups, String prefix, int expiry, int groupExpiry,
      int capacity, List<String> encryptionKeys) {

    public boolean enabled() {
      return url.isPresent();
    }

    /** True when {@code group} is listed exactly or matches one of the {@code re:} patterns. */
    public boolean bridges(String group) {
      for (String entry : groups) {
        if (entry.startsWith(REGEX_PREFIX) ? Pattern.matches(entry.substring(REGEX_PREFIX.length()), group)
            : entry.equals(group)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Celery's protocol v2: a worker takes Celery envelopes from the Celery {@code queues} listed (none = off);
   * {@code aliases} map Python task names to Switchboard ones; {@code brokerUrl} names the Redis of the Celery
   * broker and result backend when it is not Switchboard's own; results keep {@code resultExpires} seconds, as
   * Celery's {@code result_expires}.
   */
  public record Celery(List<String> queues, Map<String, String> aliases, Optional<String> brokerUrl, int resultExpires) {

    public boolean enabled() {
      return !queues.isEmpty();
    }

    /** The Switchboard task a Celery task name runs: its alias, else the name itself. */
    public String taskName(String celeryName) {
      return aliases.getOrDefault(celeryName, celeryName);
    }
  }

  static InteropSettings fromJson(JsonObject root) {
    Settings redis = new Settings(root, "channelsRedis");
    Settings celery = new Settings(root, "celery");
    List<String> groups = redis.listOrEmpty("groups");
    for (String entry : groups) {
      checkGroupEntry(entry);
    }
    return new InteropSettings(
        new ChannelsRedis(
            Optional.ofNullable(redis.string("url", null)),
            groups,
            redis.string("prefix", "asgi"),
            redis.integer("expiry", 60, 1, 86_400 * 30),
            redis.integer("groupExpiry", 86_400, 10, 86_400 * 365),
            redis.integer("capacity", 100, 1, 1_000_000),
            redis.listOrEmpty("encryptionKeys")),
        new Celery(
            celery.listOrEmpty("queues"),
            aliases(celery.listOrEmpty("aliases")),
            Optional.ofNullable(celery.string("brokerUrl", null)),
            celery.integer("resultExpires", 86_400, 1, 86_400 * 365)));
  }

  /** channels_redis holds group names of ASCII letters, digits, '-', '_' and '.', shorter than 100 characters (as Switchboard). */
  private static void checkGroupEntry(String entry) {
    if (entry.startsWith(REGEX_PREFIX)) {
      try {
        Pattern.compile(entry.substring(REGEX_PREFIX.length()));
      } catch (PatternSyntaxException e) {
        throw new ConfigException("channelsRedis.groups: invalid regular expression " + entry + ": " + e.getDescription());
      }
    } else if (!entry.matches("[A-Za-z0-9_.\\-]{1,99}")) {
      throw new ConfigException("channelsRedis.groups: \"" + entry + "\" cannot be a channels_redis group bridged to"
          + " Switchboard: expected 1 to 99 ASCII letters, digits, '-', '_' or '.'");
    }
  }

  private static Map<String, String> aliases(List<String> pairs) {
    Map<String, String> aliases = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ConfigException("celery.aliases: expected python.name=switchboard_name, got \"" + pair + "\"");
      }
      String python = pair.substring(0, eq).trim();
      String previous = aliases.put(python, pair.substring(eq + 1).trim());
      if (previous != null) {
        throw new ConfigException("celery.aliases: \"" + python + "\" is mapped twice (to " + previous + " and "
            + aliases.get(python) + ")");
      }
    }
    return Map.copyOf(aliases);
  }

  void writeTo(JsonObject root) {
    root.put("channelsRedis", new JsonObject().put("url", channelsRedis.url.orElse(null))
        .put("groups", new JsonArray(channelsRedis.groups)).put("prefix", channelsRedis.prefix)
        .put("expiry", channelsRedis.expiry).put("groupExpiry", channelsRedis.groupExpiry)
        .put("capacity", channelsRedis.capacity).put("encryptionKeys", new JsonArray(channelsRedis.encryptionKeys)));
    root.put("celery", new JsonObject().put("queues", new JsonArray(celery.queues))
        .put("aliases", new JsonArray(celery.aliases.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()))
        .put("brokerUrl", celery.brokerUrl.orElse(null)).put("resultExpires", celery.resultExpires));
  }
}
