package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the browser tests (deploy/src/test/js, Debian's chromium driven by playwright-core) share. */
final class BrowserTests {

  private BrowserTests() {
  }

  /** {@code npm ci} in the browser-test folder when playwright-core is not installed there yet. */
  static synchronized void installPlaywright(Path folder) throws Exception {
    if (Files.isDirectory(folder.resolve("node_modules").resolve("playwright-core"))) {
      return;
    }
    Path log = Path.of("target", "it-logs", "npm-ci.log");
    Files.createDirectories(log.getParent());
    Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(folder.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(install.waitFor(180, TimeUnit.SECONDS) && install.exitValue() == 0,
        "npm ci in " + folder + " failed: see " + log);
  }
}
