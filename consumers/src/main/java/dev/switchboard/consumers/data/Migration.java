package dev.switchboard.consumers.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned SQL file, {@code V<version>__<description>.sql}, of the module that owns its tables ({@code scope}).
 * Once applied it must never change: its SHA-256 is recorded and compared at every start.
 */
public record Migration(String scope, int version, String file, String sql, String checksum) {

  private static final Pattern NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_]+\\.sql");

  /** A readable label for logs and errors, e.g. {@code chat V1 (V1__chat_messages.sql)}. */
  public String label() {
    return scope + " V" + version + " (" + file + ")";
  }

  /**
   * Loads the named files from the classpath directory {@code resourceDir} (works the same from a fat jar) and
   * orders them by version. Fails with an IllegalStateException naming the file when one is missing, misnamed, or
   * two share a version: a packaging mistake, found at start.
   */
  public static List<Migration> load(String scope, String resourceDir, String... files) {
    return load(Migration.class.getClassLoader(), scope, resourceDir, List.of(files));
  }

  /** As {@link #load(String, String, String...)}, from {@code loader} (an app's jar). */
  public static List<Migration> load(ClassLoader loader, String scope, String resourceDir, List<String> files) {
    List<Migration> migrations = new ArrayList<>();
    for (String file : files) {
      Matcher name = NAME.matcher(file);
      if (!name.matches()) {
        throw new IllegalStateException("migration " + scope + "/" + file + ": expected a name like V1__create_table.sql");
      }
      String path = resourceDir + "/" + file;
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("migration " + scope + "/" + file + " is not on the classpath at " + path);
        }
        byte[] bytes = in.readAllBytes();
        migrations.add(new Migration(scope, Integer.parseInt(name.group(1)), file,
            new String(bytes, StandardCharsets.UTF_8), sha256(bytes)));
      } catch (IOException e) {
        throw new IllegalStateException("migration " + scope + "/" + file + " cannot be read: " + e.getMessage(), e);
      }
    }
    migrations.sort(Comparator.comparingInt(Migration::version));
    for (int i = 1; i < migrations.size(); i++) {
      if (migrations.get(i).version() == migrations.get(i - 1).version()) {
        throw new IllegalStateException("migrations " + migrations.get(i - 1).label() + " and "
            + migrations.get(i).label() + " share a version");
      }
    }
    return List.copyOf(migrations);
  }

  /**
   * Every {@code V<version>__<description>.sql} file of the classpath directory {@code resourceDir} as seen by
   * {@code loader} (in a jar or a directory), loaded under {@code scope}; other files there are ignored. Fails with
   * an IllegalStateException when the directory holds none.
   */
  public static List<Migration> loadDirectory(ClassLoader loader, String scope, String resourceDir) {
    List<String> files = MigrationDirectory.list(loader, resourceDir).stream()
        .filter(file -> file.endsWith(".sql")).toList();
    if (files.isEmpty()) {
      throw new IllegalStateException("migrations " + scope + ": no .sql file in classpath directory " + resourceDir);
    }
    return load(loader, scope, resourceDir, files);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
