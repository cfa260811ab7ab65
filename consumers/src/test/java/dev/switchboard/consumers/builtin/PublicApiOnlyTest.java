package dev.switchboard.consumers.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The built-in app is written like a user's: its classes name only the public API and each other")
class PublicApiOnlyTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/switchboard/consumers/builtin");
  private static final Pattern NAME = Pattern.compile("\\bdev\\.switchboard\\.[A-Za-z0-9_.]+");

  @Test
  @DisplayName("every dev.switchboard name in the built-in app's sources is dev.switchboard.api.* or its own package")
  void onlyPublicApi() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(path -> path.toString().endsWith(".java")).toList();
    }
    assertTrue(files.size() >= 10, "expected the built-in app's sources under " + SOURCES.toAbsolutePath() + ", found " + files);
    List<String> offences = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher name = NAME.matcher(lines.get(i));
        while (name.find()) {
          String used = name.group();
          if (!used.startsWith("dev.switchboard.api.") && !used.startsWith("dev.switchboard.consumers.builtin")) {
            offences.add(SOURCES.relativize(file) + ":" + (i + 1) + " " + used);
          }
        }
      }
    }
    assertEquals(List.of(), offences, "the built-in app reaches past the public API");
  }
}
