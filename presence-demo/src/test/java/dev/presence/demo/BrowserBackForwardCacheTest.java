package dev.presence.demo;

import static dev.presence.demo.DemoPage.PATIENCE;
import static dev.presence.demo.DemoPage.connection;
import static dev.presence.demo.DemoPage.logIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * What Chromium does with the page's WebSocket when the user leaves the page for another and
 * comes back (the back/forward cache), with and without the client's {@code pagehide} handler.
 * Observed with Chromium 156 headless (docs/demo.md): without the handler the page is cached with
 * its socket open, the browser keeps answering the server's ping frames, so the user stays online
 * past the heartbeat timeout for as long as the page sits in the cache; when the page is restored
 * the old socket is closed (the server receives 1001, the page sees 1006) and the client opens a
 * new one. With the handler the socket is closed (1000) the moment the page is hidden.
 *
 * <p>A script added to every document before the page's own (over the DevTools protocol) records
 * {@code pagehide}/{@code pageshow} and the socket's open/close events, and, for the first test,
 * drops the page's own {@code pagehide}/{@code pageshow} listeners.
 */
@ExtendWith(ErrorLogGuard.class)
class BrowserBackForwardCacheTest {
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);
  private final Tokens tokens = new Tokens();
  private final Chromium chromium = new Chromium();
  @RegisterExtension
  final EmbeddedMongoExtension mongoServer = new EmbeddedMongoExtension();
  private DemoServer server;
  private DemoClient api;
  private String observer;

  /** The recording script; with {@code drop}, the page's pagehide/pageshow listeners are ignored. */
  private static String recorder(boolean drop) {
    return String.join("\n",
        "(() => {",
        "  const add = EventTarget.prototype.addEventListener;",
        "  const log = window.__log = [];",
        "  add.call(window, 'pagehide', (e) => log.push('pagehide persisted=' + e.persisted));",
        "  add.call(window, 'pageshow', (e) => log.push('pageshow persisted=' + e.persisted));",
        drop ? "  window.addEventListener = function (type, fn, opts) {"
            + "    if (type === 'pagehide' || type === 'pageshow') { log.push('dropped ' + type); return; }"
            + "    return add.call(this, type, fn, opts); };" : "",
        "  const WS = window.WebSocket;",
        "  window.WebSocket = function (url, protocols) {",
        "    const ws = protocols === undefined ? new WS(url) : new WS(url, protocols);",
        "    add.call(ws, 'open', () => log.push('ws open'));",
        "    add.call(ws, 'close', (e) => log.push('ws close ' + e.code));",
        "    return ws;",
        "  };",
        "  window.WebSocket.prototype = WS.prototype;",
        "  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });",
        "})();");
  }

  @BeforeEach
  void start() throws Exception {
    Chromium.require();
    server = DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri",
        mongoServer.uri("bfcache"),
        "--heartbeat-interval", "1s", "--heartbeat-timeout", HEARTBEAT_TIMEOUT.toSeconds() + "s"), tokens);
    api = new DemoClient(server.uri());
    observer = api.login("observer");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      chromium.close();
    } finally {
      server.close();
    }
  }

  @Test
  void withoutThePagehideHandler_theCachedPageKeepsItsSocketOpen_andTheUserOnline_untilItIsRestored() throws Exception {
    WebDriver bob = openRecorded(true);
    logIn(bob, "bob");
    await().atMost(PATIENCE).until(() -> connection(bob).equals("live"));
    assertThat(log(bob)).contains("dropped pagehide", "dropped pageshow", "ws open");

    bob.get(server.uri().resolve("/style.css").toString()); // leave the page
    // Two heartbeat timeouts later bob is still online: the browser answered the ping frames of
    // the socket of a page the user has left.
    await().during(HEARTBEAT_TIMEOUT.multipliedBy(2)).atMost(HEARTBEAT_TIMEOUT.multipliedBy(3))
        .until(() -> presence().path("sessions").asInt() == 1 && presence().path("online_users").asInt() == 1
            && presence().path("socket_closes").isEmpty());

    bob.navigate().back();
    // Restored from the cache (not reloaded): the old socket is closed only now, and the client
    // connects again.
    await().atMost(PATIENCE).until(() -> log(bob).contains("ws close 1006")
        && presence().path("socket_closes").path("1001").asInt() == 1);
    await().atMost(PATIENCE).until(() -> connection(bob).equals("live") && presence().path("sessions").asInt() == 1);
    List<String> log = log(bob);
    assertThat(log).containsSubsequence("ws open", "pagehide persisted=true", "pageshow persisted=true",
        "ws close 1006", "ws open");
    assertThat(log.stream().filter("pageshow persisted=false"::equals)).as("loaded once, never reloaded")
        .hasSize(1);
  }

  @Test
  void withTheHandler_leavingThePageClosesItsSocketAtOnce_andComingBackReopensIt() throws Exception {
    WebDriver bob = openRecorded(false);
    logIn(bob, "bob");
    await().atMost(PATIENCE).until(() -> connection(bob).equals("live"));

    bob.get(server.uri().resolve("/style.css").toString());
    // Within the heartbeat timeout, so it is the page that closed it, with 1000.
    await().atMost(HEARTBEAT_TIMEOUT.minusMillis(500)).until(() -> presence().path("sessions").asInt() == 0);
    assertThat(presence().path("socket_closes").path("1000").asInt()).isEqualTo(1);

    bob.navigate().back();
    await().atMost(PATIENCE).until(() -> connection(bob).equals("live") && presence().path("sessions").asInt() == 1);
    assertThat(log(bob)).containsSubsequence("ws open", "pagehide persisted=true", "pageshow persisted=true", "ws open");
  }

  private WebDriver openRecorded(boolean dropHandlers) throws Exception {
    WebDriver driver = chromium.open("about:blank");
    ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
        Map.of("source", recorder(dropHandlers)));
    driver.get(server.uri().toString());
    return driver;
  }

  private JsonNode presence() {
    return api.get("/stats", observer).body().path("presence");
  }

  @SuppressWarnings("unchecked")
  private static List<String> log(WebDriver driver) {
    return (List<String>) ((JavascriptExecutor) driver).executeScript("return window.__log || [];");
  }
}
