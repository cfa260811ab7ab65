package dev.switchboard.deploy;

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

@DisplayName("Node-wide services are created once, in SwitchboardNode, and handed down: main code never takes a test's fallback")
class CompositionRootTest {

  /** The verticles that share node-wide services (task client, gateway services, layer stats, channels). */
  private static final Pattern BUILT = Pattern.compile(
      "new (GatewayVerticle|TcpBridgeVerticle|ConsumersVerticle|ChannelLayerVerticle|BeatVerticle|CeleryIngestVerticle)\\(");
  /** A call of one of their standalone() factories (their own services: tests of one verticle alone). */
  private static final Pattern STANDALONE = Pattern.compile("\\b[A-Z][A-Za-z]*Verticle\\.standalone\\(");

  @Test
  @DisplayName("no main class calls a verticle's standalone() factory; only SwitchboardNode (or the class itself) builds those verticles")
  void onlyTheRootBuildsThem() throws IOException {
    List<Path> sources;
    try (Stream<Path> modules = Files.list(Path.of(".."))) {
      sources = modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory)
          .flatMap(CompositionRootTest::javaFiles).toList();
    }
    assertTrue(sources.stream().anyMatch(path -> path.endsWith("SwitchboardNode.java")), "the sources of every module: " + sources.size());
    List<String> offences = new ArrayList<>();
    for (Path file : sources) {
      String name = file.getFileName().toString();
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.trim().startsWith("*") || line.trim().startsWith("//")) {
          continue;
        }
        if (STANDALONE.matcher(line).find()) {
          offences.add(name + ":" + (i + 1) + " calls standalone(): " + line.trim());
        }
        Matcher built = BUILT.matcher(line);
        while (built.find()) {
          if (!name.equals("SwitchboardNode.java") && !name.equals(built.group(1) + ".java")) {
            offences.add(name + ":" + (i + 1) + " builds a " + built.group(1) + ": " + line.trim());
          }
        }
      }
    }
    assertEquals(List.of(), offences);
  }

  private static Stream<Path> javaFiles(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(path -> path.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
