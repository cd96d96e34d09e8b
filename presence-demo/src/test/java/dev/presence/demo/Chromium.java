package dev.presence.demo;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Chromium sessions for the browser tests, each with its own driver service and fresh
 * profile. Needs the Debian packages chromium and chromium-driver; without them a test is skipped
 * on a developer machine and fails under CI. Not thread-safe: one per test.
 */
final class Chromium implements AutoCloseable {
  private static final Path CHROMIUM = executable("chromium", "presence.chromium");
  private static final Path CHROMEDRIVER = executable("chromedriver", "presence.chromedriver");

  /** One Chromium with its own driver service and fresh profile. */
  private record Browser(ChromeDriverService service, WebDriver driver, Path profile) {}

  private final List<Browser> browsers = new ArrayList<>();

  /** Skips the test (aborts it) without Chromium on a developer machine; fails it under CI. */
  static void require() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String ci = System.getenv("CI");
    boolean underCi = ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    if (!present) {
      String message = "the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
          + " (apt-get install -y chromium chromium-driver)";
      if (underCi) {
        fail(message + "; under CI it must not be skipped");
      }
      Assumptions.abort("Skipping: " + message + "; CI is unset");
    }
  }

  /** Starts a browser and opens {@code url} in it. */
  WebDriver open(String url) throws IOException {
    Path profile = Files.createTempDirectory("presence-demo-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--window-size=900,700",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();
    // The browser console, where Chromium reports Content-Security-Policy violations.
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    WebDriver driver = new ChromeDriver(service, options);
    browsers.add(new Browser(service, driver, profile));
    driver.get(url);
    return driver;
  }

  /**
   * Returns (and drains) the console lines of every open browser that report a
   * Content-Security-Policy violation.
   */
  List<String> cspViolations() {
    List<String> out = new ArrayList<>();
    for (Browser b : browsers) {
      out.addAll(cspViolations(b.driver()));
    }
    return out;
  }

  /** Returns (and drains) the console lines of one browser that report a CSP violation. */
  static List<String> cspViolations(WebDriver driver) {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getMessage().contains("Content Security Policy")) {
        out.add(e.getMessage());
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    for (Browser b : browsers) {
      try {
        b.driver().quit();
      } finally {
        b.service().stop();
        deleteTree(b.profile());
      }
    }
    browsers.clear();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Finds an executable: the system property if set, else the first match on {@code PATH}, else
   * the Debian location (which may not exist; {@link #require()} checks).
   */
  private static Path executable(String name, String property) {
    String configured = System.getProperty(property);
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator, -1)) {
        if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, name))) {
          return Paths.get(dir, name);
        }
      }
    }
    return Paths.get("/usr/bin", name);
  }
}
