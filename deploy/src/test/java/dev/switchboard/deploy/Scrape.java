package dev.switchboard.deploy;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code /metrics}, parsed: sums of samples by metric name and label values. */
record Scrape(Map<String, Double> samples) {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})?\\s+(\\S+)$");

  static Scrape parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    text.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> {
      Matcher matcher = SAMPLE.matcher(line);
      if (matcher.matches()) {
        samples.put(matcher.group(1) + (matcher.group(2) == null ? "{}" : matcher.group(2)), Double.parseDouble(matcher.group(3)));
      }
    });
    return new Scrape(samples);
  }

  /** The sum of {@code name}'s samples whose labels include every {@code label=value} given; 0 when none. */
  double sum(String name, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> sample : samples.entrySet()) {
      String key = sample.getKey();
      if (!key.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        int eq = label.indexOf('=');
        String pattern = label.substring(0, eq) + "=\"" + label.substring(eq + 1) + "\"";
        all &= key.contains("{" + pattern) || key.contains("," + pattern);
      }
      if (all) {
        total += sample.getValue();
      }
    }
    return total;
  }

  boolean has(String name, String... labels) {
    return samples.keySet().stream().anyMatch(key -> key.startsWith(name + "{"))
        && (labels.length == 0 || samples.keySet().stream().anyMatch(key -> key.startsWith(name + "{")
        && java.util.Arrays.stream(labels).allMatch(label -> key.contains(label.replaceFirst("=(.*)", "=\"$1\"")))));
  }
}
