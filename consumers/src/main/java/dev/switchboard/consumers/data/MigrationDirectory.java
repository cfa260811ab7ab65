package dev.switchboard.consumers.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** Lists the files of a classpath directory, whether it sits in a jar (an app's, the fat jar) or on disk (tests). */
final class MigrationDirectory {

  private MigrationDirectory() {
  }

  /** The names (no path) of the files directly in {@code dir}, across every class path entry that has it, sorted. */
  static TreeSet<String> list(ClassLoader loader, String dir) {
    TreeSet<String> names = new TreeSet<>();
    try {
      Enumeration<URL> urls = loader.getResources(dir);
      while (urls.hasMoreElements()) {
        URL url = urls.nextElement();
        if ("jar".equals(url.getProtocol())) {
          listJar(url, dir, names);
        } else if ("file".equals(url.getProtocol())) {
          try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            files.filter(Files::isRegularFile).forEach(file -> names.add(file.getFileName().toString()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("classpath directory " + dir + " cannot be listed: " + e.getMessage(), e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("classpath directory " + dir + ": " + e.getMessage(), e);
    }
    return names;
  }

  private static void listJar(URL url, String dir, TreeSet<String> names) throws IOException {
    JarURLConnection connection = (JarURLConnection) url.openConnection();
    connection.setUseCaches(false); // a cached JarFile would stay open, and could be closed under another user
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    try (JarFile jar = connection.getJarFile()) {
      jar.stream()
          .map(entry -> entry.getName())
          .filter(name -> name.startsWith(prefix) && name.length() > prefix.length() && name.indexOf('/', prefix.length()) < 0)
          .forEach(name -> names.add(name.substring(prefix.length())));
    }
  }
}
