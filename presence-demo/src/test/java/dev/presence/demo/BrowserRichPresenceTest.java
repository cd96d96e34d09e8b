package dev.presence.demo;

import static dev.presence.demo.DemoPage.PATIENCE;
import static dev.presence.demo.DemoPage.connection;
import static dev.presence.demo.DemoPage.dotClass;
import static dev.presence.demo.DemoPage.logIn;
import static dev.presence.demo.DemoPage.memberState;
import static dev.presence.demo.DemoPage.memberStatus;
import static dev.presence.demo.DemoPage.memberText;
import static dev.presence.demo.DemoPage.stale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
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
import org.openqa.selenium.support.ui.Select;

/**
 * Rich presence in a real browser (headless Chromium, {@link Chromium}): the status picker, the
 * status text, invisibility, automatic away after {@code --idle-after}, "hide my last seen" both
 * ways, and a reconnect that repaints from {@code presence_state} without {@code GET /threads}.
 * Every test fails if a page reported a Content-Security-Policy violation.
 */
@ExtendWith(ErrorLogGuard.class)
class BrowserRichPresenceTest {
  private final Tokens tokens = new Tokens();
  private final Chromium chromium = new Chromium();
  private final List<TestSocket> sockets = new ArrayList<>();
  @RegisterExtension
  final EmbeddedMongoExtension mongoServer = new EmbeddedMongoExtension();
  private DemoServer server;
  private DemoClient api;

  @BeforeEach
  void requireChromium() throws Exception {
    Chromium.require();
  }

  private void start(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--mongo-uri",
        mongoServer.uri("rich"),
        "--heartbeat-interval", "1s", "--heartbeat-timeout", "5s"));
    args.addAll(List.of(flags));
    server = DemoServer.start(DemoOptions.parse(args.toArray(String[]::new)), tokens);
    api = new DemoClient(server.uri());
  }

  @AfterEach
  void stop() throws IOException {
    List<String> violations = List.of();
    try {
      violations = chromium.cspViolations();
    } finally {
      chromium.close();
      for (TestSocket s : sockets) {
        s.ws.abort();
      }
      if (server != null) {
        server.close();
      }
    }
    assertThat(violations).as("CSP violations in the browser console").isEmpty();
  }

  @Test
  void busyWithAText_isShownToTheCoMember() throws Exception {
    start();
    WebDriver alice = open();
    logIn(alice, "alice");
    createThread(alice, "bob");
    WebDriver bob = open();
    logIn(bob, "bob");
    await().atMost(PATIENCE).until(() -> "available".equals(memberStatus(bob, "alice")));

    new Select(alice.findElement(By.id("status-availability"))).selectByValue("busy");
    alice.findElement(By.id("status-text")).sendKeys("In a meeting");
    new Select(alice.findElement(By.id("status-expiry"))).selectByValue("1h");
    alice.findElement(By.id("status-text-set")).click();

    await().atMost(PATIENCE).until(() -> "busy".equals(memberStatus(bob, "alice"))
        && "In a meeting".equals(memberText(bob, "alice", "status-text")));
    assertThat(dotClass(bob, "alice")).contains("busy");
    assertThat(memberText(bob, "alice", "state")).isEqualTo("busy");
    assertThat(memberStatus(alice, "alice")).as("alice's own row").isEqualTo("busy");
    // Stored, with the expiry chosen in the page.
    JsonNode me = api.get("/me/presence", tokenOf(alice)).body();
    assertThat(me.get("availability").asText()).isEqualTo("busy");
    assertThat(Duration.between(Instant.now(), Instant.parse(me.get("expires_at").asText())))
        .isBetween(Duration.ofMinutes(55), Duration.ofMinutes(61));
    screenshot(bob, "browser-rich-busy.png");

    alice.findElement(By.id("status-text-clear")).click();
    await().atMost(PATIENCE).until(() -> "".equals(memberText(bob, "alice", "status-text")));
  }

  @Test
  void invisible_makesTheDotGrayForOthers_whileTheUserIsConnected_evenAcrossAReload() throws Exception {
    start("--batch-window", "0"); // one message per change: a flash online would be seen
    String carolToken = api.login("carol");
    WebDriver alice = open();
    logIn(alice, "alice");
    createThread(alice, "bob, carol");
    WebDriver bob = open();
    logIn(bob, "bob");
    TestSocket carol = socket(carolToken);
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(bob, "alice")));

    new Select(alice.findElement(By.id("status-availability"))).selectByValue("invisible");
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(bob, "alice")));
    assertThat(dotClass(bob, "alice")).contains("offline");
    assertThat(memberStatus(bob, "alice")).isEqualTo("offline");
    assertThat(memberStatus(alice, "alice")).as("alice sees herself as invisible").isEqualTo("invisible");
    assertThat(dotClass(alice, "alice")).contains("invisible");
    assertThat(connection(alice)).isEqualTo("live");
    JsonNode stats = api.get("/stats", carolToken).body();
    assertThat(stats.at("/presence/sessions").asInt()).as("alice is still connected").isEqualTo(3);
    assertThat(stats.at("/presence/online_users").asInt()).isEqualTo(2);

    // A reload reconnects her invisible (the setting is stored and given at connect).
    alice.navigate().refresh();
    await().atMost(PATIENCE).until(() -> connection(alice).equals("live")
        && "invisible".equals(memberStatus(alice, "alice")));
    // bob turning busy now reaches carol after anything alice's reconnect could have caused.
    new Select(bob.findElement(By.id("status-availability"))).selectByValue("busy");
    await().atMost(PATIENCE).until(() -> carol.ofType("user_status_changed").stream()
        .anyMatch(m -> m.path("user_id").asText().equals("bob") && m.path("status").asText().equals("busy")));
    assertThat(carol.statusesOf("alice")).as("what carol heard of alice").containsExactly(false);
    assertThat(memberState(bob, "alice")).isEqualTo("false");
    assertThat(api.get("/stats", carolToken).body().at("/presence/sessions").asInt()).isEqualTo(3);
    screenshot(alice, "browser-rich-invisible.png");
  }

  @Test
  void idle_turnsTheDotAway_afterIdleAfter_andInputBringsItBack() throws Exception {
    // The idle time is well above the batch window: with both at 1 s, "available" after the input
    // and "away" again could fall into one window, which then (rightly) reports no change.
    start("--idle-after", "3s", "--batch-window", "200ms");
    WebDriver alice = open();
    logIn(alice, "alice");
    createThread(alice, "bob");
    WebDriver bob = open();
    logIn(bob, "bob");
    // No input in bob's page after he logged in: away about 3 s after his socket connected.
    await().atMost(PATIENCE).until(() -> "away".equals(memberStatus(alice, "bob")));
    assertThat(dotClass(alice, "bob")).contains("away");
    assertThat(memberState(alice, "bob")).as("away is online").isEqualTo("true");

    bob.findElement(By.id("status-text")).sendKeys("x"); // input: the page reports activity
    await().atMost(PATIENCE).until(() -> "available".equals(memberStatus(alice, "bob")));
    assertThat(dotClass(alice, "bob")).contains("available");
    // And idle again.
    await().atMost(PATIENCE).until(() -> "away".equals(memberStatus(alice, "bob")));
  }

  @Test
  void hideLastSeen_hidesMineFromOthers_andTheirsFromMe() throws Exception {
    start();
    String carolToken = api.login("carol");
    String aliceToken = api.login("alice");
    api.createThread(aliceToken, "Rich thread", "bob", "carol");
    socket(carolToken).leave(); // carol has a last seen, written behind
    await().atMost(PATIENCE).until(() -> DemoClient.member(api.get("/threads", aliceToken).body().get(0), "carol")
        .has("last_online"));
    WebDriver alice = open();
    logIn(alice, "alice");
    await().atMost(PATIENCE).until(() -> "last seen just now".equals(memberText(alice, "carol", "seen")));
    WebDriver bob = open();
    logIn(bob, "bob");
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob"))
        && "last seen just now".equals(memberText(bob, "carol", "seen")));

    bob.findElement(By.id("hide-last-seen")).click();
    await().atMost(PATIENCE).until(() -> api.get("/me/presence", tokenOf(bob)).body()
        .get("hide_last_seen").asBoolean());
    // bob sees no one's last seen now...
    await().atMost(PATIENCE).until(() -> "".equals(memberText(bob, "carol", "seen")));
    assertThat(memberText(alice, "carol", "seen")).as("alice still sees carol's").isEqualTo("last seen just now");

    // ...and no one sees his: he closes his page, alice's dot turns gray without a time.
    closePage(bob);
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "bob")));
    assertThat(memberText(alice, "bob", "seen")).isEmpty();
    assertThat(memberStatus(alice, "bob")).isEqualTo("offline");

    // Control: carol does not hide hers, and alice sees her leave with a time.
    TestSocket again = socket(carolToken);
    await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "carol")));
    again.leave();
    await().atMost(PATIENCE).until(() -> "false".equals(memberState(alice, "carol")));
    assertThat(memberText(alice, "carol", "seen")).isEqualTo("last seen just now");
    assertThat(memberText(alice, "bob", "seen")).isEmpty();
  }

  @Test
  void aReconnect_repaintsFromPresenceState_withoutGetThreads() throws Exception {
    start();
    String bobToken = api.login("bob");
    try (DroppingProxy network = new DroppingProxy(server.port())) {
      WebDriver alice = chromium.open("http://127.0.0.1:" + network.port() + "/");
      logIn(alice, "alice");
      createThread(alice, "bob");
      TestSocket bob = socket(bobToken);
      new Select(alice.findElement(By.id("status-availability"))).selectByValue("busy");
      await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob")));
      long threadLoads = api.requests("GET /threads");
      long threadReads = api.stat("threads", "reads");
      long settingsReads = api.requests("GET /me/presence");

      network.cut(); // alice's socket is reset; she cannot hear bob leave
      await().atMost(PATIENCE).until(() -> connection(alice).equals("offline"));
      bob.leave();
      await().atMost(PATIENCE).until(() -> api.get("/stats", bobToken).body()
          .at("/presence/online_users").asInt() == 0);
      assertThat(memberState(alice, "bob")).isEqualTo("true");
      network.restore();
      await().atMost(PATIENCE).until(() -> connection(alice).equals("live")
          && "false".equals(memberState(alice, "bob")) && !stale(alice));

      assertThat(api.requests("GET /threads")).as("GET /threads on the reconnect").isEqualTo(threadLoads);
      assertThat(api.stat("threads", "reads")).as("threads reads on the reconnect").isEqualTo(threadReads);
      assertThat(api.requests("GET /me/presence")).as("the token check before reconnecting")
          .isGreaterThan(settingsReads);
      assertThat(memberStatus(alice, "alice")).as("her own status, kept").isEqualTo("busy");

      // bob comes back: a diff, still no load.
      TestSocket back = socket(bobToken);
      await().atMost(PATIENCE).until(() -> "true".equals(memberState(alice, "bob")));
      assertThat(api.requests("GET /threads")).isEqualTo(threadLoads);
      back.leave();
    }
  }

  // ---------------------------------------------------------------- helpers

  private WebDriver open() throws IOException {
    return chromium.open(server.uri().toString());
  }

  private TestSocket socket(String token) {
    TestSocket s = api.connect(token);
    sockets.add(s);
    return s;
  }

  private static void createThread(WebDriver driver, String members) {
    driver.findElement(By.id("create-name")).sendKeys("Rich thread");
    driver.findElement(By.id("create-users")).sendKeys(members);
    driver.findElement(By.id("create-button")).click();
    String first = members.split(",", -1)[0].trim();
    await().atMost(PATIENCE).until(() -> memberState(driver, first) != null);
  }

  /** Closes the page's tab; a second, blank tab keeps the browser running. */
  private static void closePage(WebDriver driver) {
    String page = driver.getWindowHandle();
    driver.switchTo().newWindow(WindowType.TAB);
    String blank = driver.getWindowHandle();
    driver.switchTo().window(page);
    driver.close();
    driver.switchTo().window(blank);
  }

  private static String tokenOf(WebDriver driver) {
    return (String) ((JavascriptExecutor) driver).executeScript(
        "return JSON.parse(sessionStorage.getItem('presence-demo')).token;");
  }

  private static void screenshot(WebDriver driver, String name) throws IOException {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Paths.get("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isPositive();
  }
}
