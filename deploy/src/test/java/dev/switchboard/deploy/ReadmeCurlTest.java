package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The README's curl commands that send a body to the API declare it JSON, as the gateway requires (415 otherwise)")
class ReadmeCurlTest {

  private static final Pattern BODY = Pattern.compile("\\s(-d|--data|--data-raw|--data-binary)\\s");

  @Test
  @DisplayName("every curl with -d/--data to an /api/ path sends content-type: application/json")
  void bodiesAreJson() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("../README.md"));
    List<String> commands = new ArrayList<>();
    StringBuilder command = null;
    for (String line : lines) {
      String text = line.replaceFirst("^\\s*`?", "");
      if (command == null && text.startsWith("curl ")) {
        command = new StringBuilder();
      }
      if (command != null) {
        command.append(' ').append(line.strip());
        if (!line.stripTrailing().endsWith("\\")) {
          commands.add(command.toString());
          command = null;
        }
      }
    }
    assertTrue(commands.size() > 20, "the README's curl commands: " + commands.size());
    List<String> offending = commands.stream()
        .filter(curl -> BODY.matcher(curl).find() && curl.contains("/api/"))
        .filter(curl -> !curl.toLowerCase(Locale.ROOT).contains("content-type: application/json"))
        .toList();
    assertEquals(List.of(), offending);
  }
}
