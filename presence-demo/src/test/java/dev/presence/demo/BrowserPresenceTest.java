package dev.presence.demo;

import static dev.presence.demo.DemoPage.PATIENCE;
import static dev.presence.demo.DemoPage.connection;
import static dev.presence.demo.DemoPage.dotClass;
import static dev.presence.demo.DemoPage.logIn;
import static dev.presence.demo.DemoPage.member;
import static dev.presence.demo.DemoPage.memberState;
import static dev.presence.demo.DemoPage.stale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;

/**
 * The page in a real browser: two headless Chromium sessions as two users of one thread. The
 * second user's dot turns green in the first user's page when they log in, gray when they
 * navigate away, green when they come back, and gray when their page closes. The page runs the
 * library's presence-client.js, served from the adapter jar: it reconnects after a server restart,
 * resyncs after a network drop so that no dot stays stale, and closes its socket on pagehide.
 * Needs the Debian packages chromium and chromium-driver ({@link Chromium}). Every test fails if
 * a page reported a Content-Security-Policy violation in its console.
 */
@ExtendWith(ErrorLogGuard.class)
class BrowserPresenceTest {
  private final Tokens tokens = new Tokens();
  private final Chromium chromium = new Chromium();
  @RegisterExtension
  final EmbeddedMongoExtension mongoServer = new EmbeddedMongoExtension();
  private DemoServer server;

  @BeforeEach
  void requireChromium() throws Exception {
    Chromium.require();
    server = startDemo("0");
  }

  /** A demo on its own MongoDB and token key, so that it can be restarted under the page. */
  private DemoServer startDemo(String port) throws Exception {
    return DemoServer.start(DemoOptions.parse("--port", port, "--mongo-uri",
        mongoServer.uri("browser"),
        "--heartbeat-interval", "1s", "--heartbeat-timeout", "5s"), tokens);
  }

  @AfterEach
  void stop() throws IOException {
    List<String> violations = List.of();
    try {
      violations = chromium.cspViolations();
    } finally {
      stopAll();
    }
    assertThat(violations).as("CSP violations in the browser console").isEmpty();
  }

  private void stopAll() throws IOException {
    chromium.close();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void secondUsersDot_turnsGreenOnLogin_grayOnLeaving_andGrayWhenTheirPageCloses() throws IOException {
    WebDriver alice = open();
    logIn(alice, "alice");
    createThreadWithBob(alice);
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
    await().atMost(PATIENCE).until(() -> connection(alice).equals("live"));
    int port = server.port();
    server.close(); // the socket drops (1001, server shutting down)
    await().atMost(PATIENCE).until(() -> connection(alice).equals("offline"));
    server = startDemo(String.valueOf(port)); // same port, data and token key
    DemoClient api = new DemoClient(server.uri());
    String bob = api.login("bob");
    // The page reconnects on its own (backoff), is registered again, and so sees alice online...
    await().atMost(PATIENCE).until(() -> connection(alice).equals("live"));
    assertThat(api.post("/threads", bob, "{\"name\":\"after restart\",\"user_ids\":[\"alice\"]}")
        .status()).isEqualTo(201);
    // ...and hears about the thread bob created, with alice online in it.
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "alice"))
        && "false".equals(memberState(alice, "bob")));
    assertThat(api.get("/stats", bob).body().at("/presence/online_users").asInt()).isEqualTo(1);
  }

  @Test
  void noDotStaysStale_afterANetworkDrop() throws Exception {
    DemoClient api = new DemoClient(server.uri());
    String observer = api.login("observer");
    try (DroppingProxy network = new DroppingProxy(server.port())) {
      WebDriver alice = chromium.open("http://127.0.0.1:" + network.port() + "/");
      logIn(alice, "alice");
      createThreadWithBob(alice);
      WebDriver bob = open();
      logIn(bob, "bob");
      await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob")));
      assertThat(loadedScripts(alice)).as("the page runs the client served from the adapter jar")
          .anyMatch(url -> url.endsWith("/presence/presence-client.js"));

      // The network drops: alice's socket is reset under her page, and she cannot hear bob leave.
      network.cut();
      await().atMost(PATIENCE).until(() -> connection(alice).equals("offline"));
      bob.get("about:blank");
      await().atMost(PATIENCE).until(() -> onlineUsers(api, observer) == 0);
      assertThat(memberState(alice, "bob")).as("what alice last heard").isEqualTo("true");
      assertThat(stale(alice)).as("shown as possibly out of date").isTrue();
      // The network is back: the client reconnects, is registered, resyncs, and bob is gray.
      network.restore();
      await().atMost(PATIENCE).until(() -> connection(alice).equals("live")
          && "false".equals(memberState(alice, "bob")) && !stale(alice));

      // Again, and this time bob comes back while alice cannot hear it.
      network.cut();
      await().atMost(PATIENCE).until(() -> connection(alice).equals("offline"));
      bob.navigate().back();
      await().atMost(PATIENCE).until(() -> onlineUsers(api, observer) == 1);
      assertThat(memberState(alice, "bob")).isEqualTo("false");
      network.restore();
      await().atMost(PATIENCE).until(() -> connection(alice).equals("live")
          && "true".equals(memberState(alice, "bob")) && !stale(alice));
      assertThat(onlineUsers(api, observer)).isEqualTo(2);
    }
  }

  @Test
  void pagehide_closesTheSocket_andPageshowFromTheCacheReopensIt() throws Exception {
    DemoClient api = new DemoClient(server.uri());
    String observer = api.login("observer");
    WebDriver alice = open();
    logIn(alice, "alice");
    createThreadWithBob(alice);
    WebDriver bob = open();
    logIn(bob, "bob");
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob"))
        && connection(bob).equals("live"));

    // What the browser fires when it puts the page in the back/forward cache.
    dispatch(bob, "pagehide");
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
    assertThat(connection(bob)).isEqualTo("offline");
    assertThat(onlineUsers(api, observer)).isEqualTo(1);

    dispatch(bob, "pageshow");
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob"))
        && connection(bob).equals("live"));
  }

  @Test
  void page_runsUnderTheStrictContentSecurityPolicy_whichBlocksInjectedInlineCode() throws IOException {
    WebDriver alice = open();
    logIn(alice, "alice");
    await().atMost(PATIENCE).until(() -> connection(alice).equals("live"));
    assertThat(Chromium.cspViolations(alice)).as("the page itself").isEmpty();
    // The policy is enforced: inline style and script injected into the page are refused, and
    // the browser reports it where the check after each test looks.
    ((JavascriptExecutor) alice).executeScript("const s = document.createElement('style');"
        + "s.textContent = 'body{background:red}'; document.head.appendChild(s);"
        + "const j = document.createElement('script'); j.textContent = 'window.inlineRan = true';"
        + "document.body.appendChild(j);");
    assertThat(((JavascriptExecutor) alice).executeScript("return window.inlineRan === true"))
        .isEqualTo(false);
    List<String> seen = new ArrayList<>();
    await().atMost(PATIENCE).until(() -> {
      seen.addAll(Chromium.cspViolations(alice));
      String all = String.join("\n", seen);
      return all.contains("style-src") && all.contains("script-src");
    });
  }

  private static void createThreadWithBob(WebDriver alice) {
    alice.findElement(By.id("create-name")).sendKeys("Browser thread");
    alice.findElement(By.id("create-users")).sendKeys("bob");
    alice.findElement(By.id("create-button")).click();
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
  }

  private static void dispatch(WebDriver driver, String type) {
    ((JavascriptExecutor) driver).executeScript(
        "window.dispatchEvent(new PageTransitionEvent(arguments[0], {persisted: true}));", type);
  }

  @SuppressWarnings("unchecked")
  private static List<String> loadedScripts(WebDriver driver) {
    return (List<String>) ((JavascriptExecutor) driver).executeScript(
        "return performance.getEntriesByType('resource').map(e => e.name);");
  }

  private static int onlineUsers(DemoClient api, String token) throws Exception {
    return api.get("/stats", token).body().at("/presence/online_users").asInt();
  }

  private WebDriver open() throws IOException {
    return chromium.open(server.uri().toString());
  }

  private static void screenshot(WebDriver driver, String name) throws IOException {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Paths.get("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isPositive();
  }
}
