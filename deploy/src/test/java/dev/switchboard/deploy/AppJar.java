package dev.switchboard.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds a user's app jar for launcher tests: compiles one source file against the fat jar and lists it as an app. */
final class AppJar {

  private AppJar() {
  }

  /** A jar with class {@code className} (package {@code testapp}) compiled from {@code source}, declared as an app. */
  static Path build(Path dir, String className, String source) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/testapp")).resolve(className + ".java");
    Files.writeString(src, source);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-cp", Path.of("target", "switchboard.jar").toString(), "-d", classes.toString(),
        src.toString());
    if (status != 0) {
      throw new IllegalStateException("test app " + className + " does not compile");
    }
    return jar(dir.resolve(className + ".jar"), classes, "testapp." + className);
  }

  /** A jar holding {@code classes} and a services file listing {@code services}. */
  static Path jar(Path jar, Path classes, String... services) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
         Stream<Path> files = classes == null ? Stream.empty() : Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(file));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/dev.switchboard.api.SwitchboardApp"));
      OutputStream entry = out;
      entry.write((String.join("\n", List.of(services)) + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
