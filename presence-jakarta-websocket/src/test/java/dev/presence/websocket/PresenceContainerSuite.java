package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.PresenceEvent;
import dev.presence.PresenceMessages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behavioural suite of the integration, run against a real container by a subclass in each
 * container's test module (Jetty 12, Tomcat 11), on 127.0.0.1, port 0.
 */
abstract class PresenceContainerSuite extends ContainerHarness {
  /** 1,000 by default; {@code -Dpresence.flood=N} to find the machine's limit. */
  static final int FLOOD_CONNECTIONS = Integer.getInteger("presence.flood", 1_000);

  // ------------------------------------------------------------------ connect / close

  @ParameterizedTest
  @ValueSource(strings = {"/annotated", "/programmatic"})
  void connectThenClose_turnsUserOnlineThenOffline_andWatcherHearsBoth(String path)
      throws Exception {
    start();
    JdkClient bob = watcher();

    JdkClient alice = jdk(path, "alice");
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", true) == 1);

    alice.close();
    await().atMost(SLACK).until(() -> !registry.isOnline("alice"));
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", false) == 1);
    assertThat(alice.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(eventsOf("alice")).extracting(PresenceEvent::online).containsExactly(true, false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/annotated", "/programmatic"})
  void hostSeesTexts_butNotJsonPongs(String path) throws Exception {
    start(PingStyle.BOTH, null, 256);
    JdkClient alice = jdk(path, "alice");
    alice.send(PresenceMessages.PONG);
    alice.send("hello");
    await().atMost(SLACK).until(() -> alice.texts.contains("echo:hello"));
    assertThat(alice.texts).containsExactly("echo:hello");
  }

  @Test
  void twoTabs_closingOneKeepsUserOnline_closingBothMakesThemOffline() throws Exception {
    start();
    JdkClient bob = watcher();
    JdkClient tab1 = jdk("/annotated", "alice");
    JdkClient tab2 = jdk("/programmatic", "alice");
    await().atMost(SLACK).until(() -> registry.sessionCount("alice") == 2);

    assertThat(registry.sendToUser("alice", "to-every-tab")).isEqualTo(2);
    await().atMost(SLACK).until(() -> tab1.texts.contains("to-every-tab")
        && tab2.texts.contains("to-every-tab"));

    tab1.close();
    await().atMost(SLACK).until(() -> registry.sessionCount("alice") == 1);
    assertThat(registry.isOnline("alice")).isTrue();

    tab2.close();
    await().atMost(SLACK).until(() -> !registry.isOnline("alice"));
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", false) == 1);
    assertThat(bob.statusMessages("alice", true)).isEqualTo(1);
    assertThat(eventsOf("alice")).extracting(PresenceEvent::online).containsExactly(true, false);
  }

  // ------------------------------------------------------------------ heartbeat

  @Test
  void halfOpenPeer_isEvictedWithinTheTimeout_andWatcherIsTold() throws Exception {
    start();
    JdkClient bob = watcher();
    long connected = System.nanoTime();
    raw("alice", RawClient.Mode.NEVER_READ);
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));

    await().atMost(TIMEOUT.plus(INTERVAL).plus(SLACK)).until(() -> !registry.isOnline("alice"));
    Duration took = Duration.ofNanos(System.nanoTime() - connected);
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", false) == 1);
    // Not before the timeout: it was the heartbeat, not a socket close, that found it.
    assertThat(took).isGreaterThanOrEqualTo(TIMEOUT);
  }

  @Test
  void silentClient_isClosedWith1001HeartbeatTimeout() throws Exception {
    start();
    RawClient alice = raw("alice", RawClient.Mode.SILENT);
    await().atMost(TIMEOUT.plus(INTERVAL).plus(SLACK)).until(() -> eventsOf("alice").size() == 2);
    assertThat(alice.serverClose.get(5, TimeUnit.SECONDS)).isEqualTo("1001 heartbeat timeout");
    assertThat(alice.pingFrames.get()).isPositive();
  }

  /** Awaits many heartbeat intervals, then checks the client never went offline. */
  private void assertStaysOnline(String user, java.util.function.IntSupplier pingsSeen) {
    int intervals = 10; // 10 × 200 ms, twice the 1 s timeout
    await().atMost(INTERVAL.multipliedBy(intervals).plus(SLACK))
        .until(() -> pingsSeen.getAsInt() >= intervals);
    assertThat(registry.isOnline(user)).isTrue();
    assertThat(eventsOf(user)).extracting(PresenceEvent::online).containsExactly(true);
  }

  @Test
  void clientAnsweringOnlyPingFrames_staysOnline() throws Exception {
    start(PingStyle.BOTH, INTERVAL, 256);
    RawClient alice = raw("alice", RawClient.Mode.FRAME_PONGS);
    assertStaysOnline("alice", alice.pingFrames::get);
    assertThat(alice.jsonPings.get()).isPositive();
  }

  @Test
  void clientAnsweringOnlyJsonPings_staysOnline() throws Exception {
    start(PingStyle.BOTH, INTERVAL, 256);
    RawClient alice = raw("alice", RawClient.Mode.JSON_PONGS);
    assertStaysOnline("alice", alice.jsonPings::get);
    assertThat(alice.pingFrames.get()).isPositive();
  }

  @Test
  void frameStyle_sendsOnlyFrames_andAnAnsweringClientStaysOnline() throws Exception {
    start(PingStyle.FRAME, INTERVAL, 256);
    JdkClient alice = jdk("/programmatic", "alice");
    assertStaysOnline("alice", alice.pingFrames::get);
    assertThat(alice.jsonPings.get()).isZero();
  }

  @Test
  void jsonStyle_sendsOnlyJson_andAnAnsweringClientStaysOnline() throws Exception {
    start(PingStyle.JSON, INTERVAL, 256);
    RawClient alice = raw("alice", RawClient.Mode.JSON_PONGS);
    assertStaysOnline("alice", alice.jsonPings::get);
    assertThat(alice.pingFrames.get()).isZero();
  }

  @Test
  void abruptSocketKill_goesOfflineWithinTheTimeout() throws Exception {
    start();
    JdkClient bob = watcher();
    RawClient alice = raw("alice", RawClient.Mode.FRAME_PONGS);
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));

    alice.kill();
    await().atMost(TIMEOUT.plus(INTERVAL).plus(SLACK)).until(() -> !registry.isOnline("alice"));
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", false) == 1);
  }

  // ------------------------------------------------------------------ identity

  @ParameterizedTest
  @ValueSource(strings = {"/annotated", "/programmatic", "/annotated?token=forged-alice",
      "/programmatic?token="})
  void unresolvableUser_isRefusedWith1008_andNothingIsRegistered(String pathAndQuery)
      throws Exception {
    start();
    JdkClient anonymous = jdk(pathAndQuery, null);
    assertThat(anonymous.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(presence.refusedCount()).isEqualTo(1);
    assertThat(registry.totalSessionCount()).isZero();
    assertThat(registry.onlineUsers()).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void containerAuthenticatedPrincipal_isTheDefaultIdentity() throws Exception {
    start();
    String basic = java.util.Base64.getEncoder().encodeToString(
        (SECURE_USER + ":" + SECURE_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    JdkClient erin = JdkClient.open(http, uri("/secure/annotated", null), true,
        "Basic " + basic).get(10, TimeUnit.SECONDS);
    toClose.add(erin::abort);
    await().atMost(SLACK).until(() -> registry.isOnline(SECURE_USER));
    erin.close();
    await().atMost(SLACK).until(() -> !registry.isOnline(SECURE_USER));
  }

  @Test
  void unauthenticatedHandshake_isRejectedByTheContainer_andNothingIsRegistered() {
    start();
    CompletableFuture<JdkClient> anonymous =
        JdkClient.open(http, uri("/secure/annotated", null), true, null);
    assertThat(anonymous).failsWithin(Duration.ofSeconds(10));
    assertThat(registry.totalSessionCount()).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void pathParameterResolver_registersTheClientTypedId() throws Exception {
    start();
    JdkClient client = jdk("/trusting/dave", null);
    await().atMost(SLACK).until(() -> registry.isOnline("dave"));
    client.close();
    await().atMost(SLACK).until(() -> !registry.isOnline("dave"));
  }

  // ------------------------------------------------------------------ slow consumer

  @Test
  void clientThatDoesNotRead_isClosedAndEvictedOverThePendingBound_once() throws Exception {
    start(PingStyle.BOTH, null, 8);
    JdkClient bob = watcher();
    raw("alice", RawClient.Mode.NEVER_READ);
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));

    String big = "x".repeat(256 * 1024);
    // Fill the socket buffers until the queue overflows; bob's fan-out must keep flowing meanwhile.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
      registry.sendToUser("alice", big);
      return !registry.isOnline("alice");
    });
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", false) == 1);
    assertThat(presence.slowConsumerCount()).isEqualTo(1);
    registry.sendToUser("bob", "still-flowing");
    await().atMost(SLACK).until(() -> bob.texts.contains("still-flowing"));
  }

  @Test
  void slowConsumerFoundWhileConnecting_isStillEvicted() throws Exception {
    start(PingStyle.BOTH, null, 8);
    String big = "x".repeat(256 * 1024);
    // Listeners run inside connect(), before the integration holds the session's registration.
    registry.addListener(e -> {
      if (e.userId().equals("alice") && e.online()) {
        for (int i = 0; i < 64; i++) {
          registry.sendToUser("alice", big);
        }
      }
    });
    raw("alice", RawClient.Mode.NEVER_READ);
    await().atMost(Duration.ofSeconds(10)).until(() -> eventsOf("alice").size() == 2);
    assertThat(eventsOf("alice")).extracting(PresenceEvent::online).containsExactly(true, false);
    assertThat(presence.slowConsumerCount()).isEqualTo(1);
  }

  @Test
  void stuckClient_doesNotStallThePingsOfOthers() throws Exception {
    start(PingStyle.BOTH, INTERVAL, 8, 1); // one I/O thread: a blocked close would show
    RawClient healthy = raw("carol", RawClient.Mode.FRAME_PONGS);
    raw("alice", RawClient.Mode.NEVER_READ);
    String big = "x".repeat(256 * 1024);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
      registry.sendToUser("alice", big);
      return !registry.isOnline("alice");
    });
    int before = healthy.pingFrames.get();
    assertStaysOnline("carol", () -> healthy.pingFrames.get() - before);
  }

  @Test
  void concurrentSendsToOneSession_allArrive_inOrderPerSender() throws Exception {
    start(PingStyle.BOTH, INTERVAL, 10_000);
    JdkClient alice = jdk("/annotated", "alice");
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));
    int senders = 4;
    int each = 250;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      for (int t = 0; t < senders; t++) {
        int sender = t;
        pool.execute(() -> {
          for (int n = 0; n < each; n++) {
            registry.sendToUser("alice", sender + ":" + n);
          }
        });
      }
    } finally {
      pool.shutdown();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> alice.texts.size() == senders * each);
    for (int t = 0; t < senders; t++) {
      String prefix = t + ":";
      assertThat(alice.texts.stream().filter(m -> m.startsWith(prefix)))
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each)
              .mapToObj(n -> prefix + n).toList());
    }
  }

  @Test
  void closingTheRegistry_closesSessionsWith1001() throws Exception {
    start();
    RawClient alice = raw("alice", RawClient.Mode.FRAME_PONGS);
    await().atMost(SLACK).until(() -> registry.isOnline("alice"));
    registry.close();
    presence.close(); // after the registry: its closes still go out
    assertThat(alice.serverClose.get(5, TimeUnit.SECONDS)).isEqualTo("1001 server shutting down");
  }

  // ------------------------------------------------------------------ flood

  @Test
  void floodOfConnections_connectingAndDisconnectingInRandomOrder_leavesNothingBehind()
      throws Exception {
    start(PingStyle.BOTH, Duration.ofSeconds(30), 256); // no heartbeat traffic during the flood
    Random random = new Random(42);
    int users = FLOOD_CONNECTIONS / 4; // up to 4 tabs each
    List<String> order = new ArrayList<>();
    for (int i = 0; i < FLOOD_CONNECTIONS; i++) {
      order.add("user" + random.nextInt(users));
    }
    Semaphore inFlight = new Semaphore(64); // the accept backlog is finite
    ConcurrentLinkedQueue<JdkClient> open = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<?>> connects = new ArrayList<>();
    String[] paths = {"/annotated", "/programmatic"};
    for (int i = 0; i < order.size(); i++) {
      inFlight.acquire();
      connects.add(JdkClient.open(http, uri(paths[i % 2], order.get(i)), true)
          .whenComplete((c, e) -> {
            inFlight.release();
            if (c != null) {
              open.add(c);
            }
          }));
    }
    CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null).get(60, TimeUnit.SECONDS);
    int connected = open.size();
    System.out.printf("flood: %d of %d connections open at once%n", connected, FLOOD_CONNECTIONS);
    assertThat(connected).isEqualTo(FLOOD_CONNECTIONS);
    await().atMost(Duration.ofSeconds(30)).until(() -> registry.totalSessionCount() == connected);
    // Every session is registered under the user of its own handshake: the containers keep the
    // configurator's user properties per connection, even for concurrent handshakes.
    Map<String, Integer> tabs = new HashMap<>();
    order.forEach(u -> tabs.merge(u, 1, Integer::sum));
    tabs.forEach((user, n) -> assertThat(registry.sessionCount(user)).as(user).isEqualTo(n));

    List<JdkClient> shuffled = new ArrayList<>(open);
    Collections.shuffle(shuffled, random);
    ExecutorService closers = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < shuffled.size(); i++) {
        JdkClient c = shuffled.get(i);
        boolean abort = i % 3 == 0; // a third vanish without a close frame
        closers.execute(() -> {
          if (abort) {
            c.abort();
          } else {
            c.close();
          }
        });
      }
    } finally {
      closers.shutdown();
    }
    // Listeners hear of a transition just after the registry's state changed: await both.
    await().atMost(Duration.ofSeconds(60)).until(() -> registry.totalSessionCount() == 0
        && registry.onlineUserCount() == 0
        && events.stream().filter(PresenceEvent::online).count() * 2 == events.size());
    assertThat(registry.onlineUsers()).isEmpty();

    Map<String, List<Boolean>> byUser = new HashMap<>();
    for (PresenceEvent e : events) {
      byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e.online());
    }
    assertThat(byUser.keySet()).containsExactlyInAnyOrderElementsOf(new java.util.HashSet<>(order));
    // Every tab opened before any closed: each user went online once and offline once.
    byUser.forEach((user, flips) -> assertThat(flips).as(user).containsExactly(true, false));
  }
}
