package dev.switchboard.consumers.data;

import dev.switchboard.shared.apps.AppException;
import dev.switchboard.shared.apps.AppManifest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The migrations of a node's apps. Each app's files are recorded under its scope, the last segment of the directory
 * it named ({@code db/quickstart} → {@code quickstart}; the built-in app's {@code db/chat} → {@code chat}, as before
 * apps existed), so two apps may not use directories ending alike.
 */
public final class AppMigrations {

  private AppMigrations() {
  }

  /** Every migration of {@code apps}, app by app; fails with an AppException naming the app and the problem. */
  public static List<Migration> of(List<AppManifest> apps) {
    List<Migration> all = new ArrayList<>();
    Map<String, String> scopes = new HashMap<>();
    for (AppManifest app : apps) {
      if (app.migrationsDir().isEmpty()) {
        continue;
      }
      String dir = app.migrationsDir().get();
      String scope = scope(dir);
      String earlier = scopes.putIfAbsent(scope, app.name());
      if (earlier != null) {
        throw new AppException("migration scope " + scope + " is claimed twice: by app " + earlier + " and by app " + app.name());
      }
      try {
        all.addAll(Migration.loadDirectory(app.classLoader(), scope, dir));
      } catch (RuntimeException e) {
        throw new AppException("app " + app.name() + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(all);
  }

  static String scope(String dir) {
    int slash = dir.lastIndexOf('/');
    return slash < 0 ? dir : dir.substring(slash + 1);
  }
}
