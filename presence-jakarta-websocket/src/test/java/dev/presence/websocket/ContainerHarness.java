package dev.presence.websocket;

import static org.awaitility.Awaitility.await;

import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import dev.presence.StatusBroadcaster;
import dev.presence.ThreadMembership;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every container suite shares: one embedded container per test class (see {@link
 * #server()}), a fresh registry and integration per test, clients that are closed after it, and
 * the {@link LogGuard} that fails a test on any ERROR/SEVERE log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogGuard.class)
abstract class ContainerHarness {
  static final Duration INTERVAL = Duration.ofMillis(200);
  /** Five intervals: a ponging client on a loaded build machine is never late by that much. */
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** Slack for a loaded 2-core machine on top of the heartbeat's own bound. */
  static final Duration SLACK = Duration.ofSeconds(2);
  static final String SECURE_PATHS = ContainerServer.SECURE_PATHS;
  static final String ROLE = ContainerServer.ROLE;
  static final String SECURE_USER = ContainerServer.SECURE_USER;
  static final String SECURE_PASSWORD = ContainerServer.SECURE_PASSWORD;

  final HttpClient http = HttpClient.newHttpClient();
  final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
  private ContainerServer server;
  int port;
  PresenceRegistry registry;
  WebSocketPresence presence;
  final List<PresenceEvent> events = new CopyOnWriteArrayList<>();

  /** The container this suite runs on; a new, unstarted one. */
  abstract ContainerServer server();

  @BeforeAll
  void startContainer() throws Exception {
    // Containers may throw on their own threads when a session closes with a write in flight
    // (Tomcat does); that is not a failure of the behaviour under test.
    Awaitility.doNotCatchUncaughtExceptionsByDefault();
    server = server();
    port = server.start(TestEndpoints.annotated(), TestEndpoints.programmatic());
  }

  @AfterAll
  void stopContainer() throws Exception {
    server.stop();
  }

  /** Builds the registry and integration of one test; the heartbeat is off if interval is null. */
  void start(PingStyle style, Duration interval, int maxPendingSends) {
    start(style, interval, maxPendingSends, 4);
  }

  void start(PingStyle style, Duration interval, int maxPendingSends, int ioThreads) {
    start(r -> {
      if (interval == null) {
        r.withoutHeartbeat();
      } else {
        r.heartbeatInterval(interval).heartbeatTimeout(interval.multipliedBy(5));
      }
    }, w -> w.pingStyle(style).maxPendingSends(maxPendingSends).ioThreads(ioThreads));
  }

  void start() {
    start(PingStyle.BOTH, INTERVAL, 256);
  }

  /**
   * Builds the registry and integration of one test from these settings. Alice, bob and carol
   * share thread t1, so each hears of the others' transitions.
   */
  void start(Consumer<PresenceRegistry.Builder> registrySettings,
      Consumer<WebSocketPresence.Builder> settings) {
    PresenceRegistry.Builder b = PresenceRegistry.builder();
    registrySettings.accept(b);
    registry = b.build();
    events.clear();
    registry.addListener(events::add);
    ThreadMembership threads = new ThreadMembership();
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    StatusBroadcaster.install(registry, threads);
    WebSocketPresence.Builder w = WebSocketPresence.builder(registry);
    settings.accept(w);
    presence = w.build();
    TestEndpoints.presence = presence;
    TestEndpoints.trusting = WebSocketPresence.builder(registry)
        .userResolver(UserResolver.pathParameter("client_id")).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already gone
      }
    }
    toClose.clear();
    if (registry != null) {
      registry.close();
      presence.close();
      TestEndpoints.trusting.close();
      registry = null;
    }
  }

  URI uri(String path, String user) {
    return URI.create("ws://127.0.0.1:" + port + path + (user == null ? "" : "?token=valid-" + user));
  }

  JdkClient jdk(String path, String user) throws Exception {
    JdkClient c = JdkClient.connect(http, uri(path, user));
    toClose.add(c::abort);
    return c;
  }

  RawClient raw(String user, RawClient.Mode mode) throws Exception {
    RawClient c = RawClient.connect(port, "/annotated?token=valid-" + user, mode);
    toClose.add(c);
    return c;
  }

  /** Bob watches: he shares thread t1 with alice and carol. */
  JdkClient watcher() throws Exception {
    JdkClient bob = jdk("/annotated", "bob");
    await().atMost(SLACK).until(() -> registry.isOnline("bob"));
    return bob;
  }

  List<PresenceEvent> eventsOf(String user) {
    return events.stream().filter(e -> e.userId().equals(user)).toList();
  }
}
