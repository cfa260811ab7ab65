package dev.switchboard.shared.apps;

import dev.switchboard.api.SwitchboardApp;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.zip.ZipFile;

/**
 * Finds a node's apps: those on its own class path (the built-in ones) and those in users' jars ({@code --app},
 * {@code SWITCHBOARD_APPS}), through {@link ServiceLoader}. One class loader over all the users' jars, child of the
 * node's, so apps share Switchboard's and Vert.x's classes. Every failure is an {@link AppException} whose message
 * is one line naming the jar or the app.
 */
public final class AppLoader {

  static final String SERVICES = "META-INF/services/" + SwitchboardApp.class.getName();

  private AppLoader() {
  }

  /** The catalog of the apps in {@code parent} and in {@code jars}. */
  public static AppCatalog load(List<Path> jars, ClassLoader parent) {
    for (Path jar : jars) {
      check(jar);
    }
    ClassLoader loader = jars.isEmpty() ? parent : new URLClassLoader("switchboard-apps", urls(jars), parent);
    return new AppCatalog(discoverManifests(loader));
  }

  /** The apps {@link ServiceLoader} finds through {@code loader}, configured and checked. */
  static List<AppManifest> discoverManifests(ClassLoader loader) {
    List<AppManifest> manifests = new ArrayList<>();
    try {
      for (SwitchboardApp app : ServiceLoader.load(SwitchboardApp.class, loader)) {
        manifests.add(AppManifest.of(app));
      }
    } catch (ServiceConfigurationError | LinkageError e) {
      throw new AppException("an app cannot be loaded: " + e.getMessage(), e);
    }
    return manifests;
  }

  private static void check(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new AppException("app jar " + jar + " does not exist or is not a file");
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      if (zip.getEntry(SERVICES) == null) {
        throw new AppException("app jar " + jar + " declares no app: it has no " + SERVICES);
      }
    } catch (IOException e) {
      throw new AppException("app jar " + jar + " cannot be read as a jar: " + e.getMessage(), e);
    }
  }

  private static URL[] urls(List<Path> jars) {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toAbsolutePath().toUri().toURL();
      } catch (MalformedURLException e) {
        throw new AppException("app jar " + jars.get(i) + ": " + e.getMessage(), e);
      }
    }
    return urls;
  }
}
