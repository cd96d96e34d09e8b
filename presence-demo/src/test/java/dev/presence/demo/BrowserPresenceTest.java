package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The page in a real browser: two headless Chromium sessions as two users of one thread. The
 * second user's dot turns green in the first user's page when they log in, gray when they
 * navigate away, green when they come back, and gray when their page closes. Needs the Debian packages chromium and chromium-driver; without them the test is
 * skipped on a developer machine and fails under CI.
 */
class BrowserPresenceTest {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final Tokens tokens = new Tokens();
  private MongoServer mongoServer;
  private DemoServer server;
  private final List<Browser> browsers = new ArrayList<>();

  /** One Chromium with its own driver service and fresh profile. */
  private record Browser(ChromeDriverService service, WebDriver driver, Path profile) {}

  @BeforeEach
  void requireChromium() throws Exception {
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
    mongoServer = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
    mongoServer.bind("127.0.0.1", 0);
    server = startDemo("0");
  }

  /** A demo on its own MongoDB and token key, so that it can be restarted under the page. */
  private DemoServer startDemo(String port) throws Exception {
    return DemoServer.start(DemoOptions.parse("--port", port, "--mongo-uri",
        "mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort() + "/browser",
        "--heartbeat-interval", "1s", "--heartbeat-timeout", "5s"), tokens);
  }

  @AfterEach
  void stop() throws IOException {
    for (Browser b : browsers) {
      try {
        b.driver().quit();
      } finally {
        b.service().stop();
        deleteTree(b.profile());
      }
    }
    if (server != null) {
      server.close();
    }
    if (mongoServer != null) {
      mongoServer.shutdownNow();
    }
  }

  @Test
  void secondUsersDot_turnsGreenOnLogin_grayOnLeaving_andGrayWhenTheirPageCloses() throws IOException {
    WebDriver alice = open();
    logIn(alice, "alice");
    alice.findElement(By.id("create-name")).sendKeys("Browser thread");
    alice.findElement(By.id("create-users")).sendKeys("bob");
    alice.findElement(By.id("create-button")).click();
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
    assertThat(dotClass(alice, "bob")).contains("offline");

    WebDriver bob = open();
    logIn(bob, "bob");
    // bob's own page shows alice online, from GET /threads
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(bob, "alice")));
    // alice's page turns bob green, from the user_status_changed event
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob")));
    assertThat(dotClass(alice, "bob")).contains("online");
    screenshot(alice, "browser-bob-online.png");

    // bob leaves the page for another: the page closes its socket on pagehide (a page kept in the
    // back/forward cache would otherwise stay connected, its browser still answering ping frames).
    bob.get("about:blank");
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
    bob.navigate().back();
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob")));

    // bob closes his page (its tab); a second, blank tab keeps his browser running.
    String page = bob.getWindowHandle();
    bob.switchTo().newWindow(WindowType.TAB);
    String blank = bob.getWindowHandle();
    bob.switchTo().window(page);
    bob.close();
    bob.switchTo().window(blank);
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
    assertThat(dotClass(alice, "bob")).contains("offline");
    assertThat(alice.findElement(By.cssSelector(member("bob") + " .seen")).getText())
        .isEqualTo("last seen just now");
    assertThat(memberState(alice, "alice")).isEqualTo("true");
    screenshot(alice, "presence-demo-browser.png");
  }

  @Test
  void page_reconnectsAfterTheServerRestarts() throws Exception {
    WebDriver alice = open();
    logIn(alice, "alice");
    await().atMost(PATIENCE).until(() -> alice.findElement(By.id("connection")).getText().equals("live"));
    int port = server.port();
    server.close(); // the socket drops (1001, server shutting down)
    await().atMost(PATIENCE).until(() -> alice.findElement(By.id("connection")).getText().equals("offline"));
    server = startDemo(String.valueOf(port)); // same port, data and token key
    DemoClient api = new DemoClient(server.uri());
    String bob = api.login("bob");
    // The page reconnects on its own (backoff), is registered again, and so sees alice online...
    await().atMost(PATIENCE).until(() -> alice.findElement(By.id("connection")).getText().equals("live"));
    assertThat(api.post("/threads", bob, "{\"name\":\"after restart\",\"user_ids\":[\"alice\"]}")
        .status()).isEqualTo(201);
    // ...and hears about the thread bob created, with alice online in it.
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "alice"))
        && "false".equals(memberState(alice, "bob")));
    assertThat(api.get("/stats", bob).body().at("/presence/online_users").asInt()).isEqualTo(1);
  }

  private WebDriver open() throws IOException {
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
    WebDriver driver = new ChromeDriver(service, options);
    browsers.add(new Browser(service, driver, profile));
    driver.get(server.uri().toString());
    return driver;
  }

  private static void logIn(WebDriver driver, String user) {
    driver.findElement(By.id("login-user")).sendKeys(user);
    driver.findElement(By.id("login-button")).click();
    await().atMost(PATIENCE).until(() -> driver.findElement(By.id("whoami")).getText()
        .equals("Logged in as " + user));
  }

  private static String member(String user) {
    return ".thread .member[data-user-id='" + user + "']";
  }

  /** Returns the member's data-online ("true"/"false"), or null while it is not rendered. */
  private static String memberState(WebDriver driver, String user) {
    List<WebElement> found = driver.findElements(By.cssSelector(member(user)));
    return found.isEmpty() ? null : found.get(0).getAttribute("data-online");
  }

  private static String dotClass(WebDriver driver, String user) {
    return driver.findElement(By.cssSelector(member(user) + " .dot")).getAttribute("class");
  }

  private static void screenshot(WebDriver driver, String name) throws IOException {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Paths.get("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isPositive();
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
}
