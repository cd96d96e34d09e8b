package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.StatusBroadcaster;
import dev.presence.ThreadMembership;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class ClusteredPresenceRegistryTest {
  private static final Duration LEASE = Duration.ofSeconds(4);
  private static final Duration SOON = Duration.ofSeconds(3);
  private static RedisServer redis;

  private TestNode a;
  private TestNode b;
  private TestNode c;
  private String prefix;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.startOrSkip();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.stop();
    }
  }

  @BeforeEach
  void startNodes(TestInfo info) {
    prefix = "t-" + info.getTestMethod().orElseThrow().getName();
    a = TestNode.start(redis, "a", prefix, LEASE);
    b = TestNode.start(redis, "b", prefix, LEASE);
    c = TestNode.start(redis, "c", prefix, LEASE);
  }

  @AfterEach
  void closeNodes() {
    for (TestNode n : new TestNode[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
  }

  @Test
  void userConnectedOnB_isOnlineOnAandC_withinASecond() {
    // warm the path once so that class loading is not what we measure
    b.registry.connect("warm", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> a.registry.isOnline("warm") && c.registry.isOnline("warm"));

    b.registry.connect("u1", "s1", new RecordingOutbound());

    // a bound for a shared, loaded build machine; the propagation delay itself is measured in
    // benchmarks (ClusterPropagation, ClusterLatencyMeasurement): p50 ~0.2 ms on loopback
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(2))
        .until(() -> a.registry.isOnline("u1") && c.registry.isOnline("u1"));
    assertThat(b.registry.isOnline("u1")).isTrue();
    assertThat(a.registry.sessionCount("u1")).isZero(); // sessions stay on their node
    assertThat(b.registry.sessionCount("u1")).isEqualTo(1);
  }

  @Test
  void oneOfTwoSessionsOnTwoNodesClosing_keepsUserOnline_bothClosing_takesUserOfflineOnce() {
    PresenceSession onA = a.registry.connect("u1", "tab-a", new RecordingOutbound());
    PresenceSession onB = b.registry.connect("u1", "tab-b", new RecordingOutbound());
    a.awaitSeenBy(b, c);
    b.awaitSeenBy(a, c);

    onA.close();
    a.awaitSeenBy(b, c); // every node has applied a's "u1 left me"
    for (TestNode n : List.of(a, b, c)) {
      assertThat(n.registry.isOnline("u1")).as("online on %s", n.registry.nodeId()).isTrue();
      assertThat(n.eventsOf("u1")).as("events on %s", n.registry.nodeId()).containsExactly(true);
    }

    onB.close();
    for (TestNode n : List.of(a, b, c)) {
      await().atMost(SOON).until(() -> !n.registry.isOnline("u1"));
      assertThat(n.eventsOf("u1")).as("events on %s", n.registry.nodeId())
          .containsExactly(true, false);
      assertThat(n.offlineEventsOf("u1")).isEqualTo(1);
      // cluster transitions counted on every node; sessions only where they live
      await().atMost(SOON).until(() -> n.registry.stats().offlineTransitions()
          == n.events.stream().filter(e -> !e.online()).count()
          && n.registry.stats().eventsPending() == 0);
      assertThat(n.registry.stats().sessions()).isZero();
    }
  }

  @Test
  void statusBroadcasterOnEveryNode_reachesThreadMembersOnOtherNodes() {
    ThreadMembership threads = new ThreadMembership();
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    for (TestNode n : List.of(a, b, c)) {
      StatusBroadcaster.install(n.registry, threads);
    }
    RecordingOutbound bobTab = new RecordingOutbound();
    RecordingOutbound carolTab = new RecordingOutbound();
    b.registry.connect("bob", "s", bobTab);
    c.registry.connect("carol", "s", carolTab);
    await().atMost(SOON).until(() -> b.registry.isOnline("carol") && c.registry.isOnline("bob"));

    PresenceSession alice = a.registry.connect("alice", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> heard(bobTab, "alice", true) && heard(carolTab, "alice", true));

    alice.close();
    await().atMost(SOON).until(() -> heard(bobTab, "alice", false) && heard(carolTab, "alice", false));
    // each session hears each transition once, from its own node only
    assertThat(bobTab.sent.stream().filter(t -> isStatus(t, "alice", true))).hasSize(1);
    assertThat(carolTab.sent.stream().filter(t -> isStatus(t, "alice", false))).hasSize(1);
  }

  @Test
  void nodeStartingLate_loadsUsersAlreadyOnline() {
    a.registry.connect("early", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> b.registry.isOnline("early"));

    try (TestNode late = TestNode.start(redis, "late", prefix, LEASE)) {
      assertThat(late.registry.isOnline("early")).isTrue(); // build() returns in sync
      assertThat(late.registry.onlineUsers()).containsExactlyInAnyOrder("early");
      // a listener added after build() is not told about users who were online before it
      assertThat(late.eventsOf("early")).isEmpty();
    }
  }

  @Test
  void nodeClosingGracefully_takesItsUsersOfflineEverywhere() {
    a.registry.connect("u1", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> b.registry.isOnline("u1") && c.registry.isOnline("u1"));

    a.close();
    a = null;

    await().atMost(SOON).until(() -> !b.registry.isOnline("u1") && !c.registry.isOnline("u1"));
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(redis.command("EXISTS {" + prefix + ":node:a}:users")).startsWith(":0");
  }

  @Test
  void lookupsSendNothingToRedis_andEachNodeLevelTransitionIsOneScriptCall() {
    // only two nodes, with a lease long enough that no renewal or reaper round runs meanwhile
    closeNodes();
    a = b = c = null;
    Duration longLease = Duration.ofMinutes(2);
    try (TestNode x = TestNode.start(redis, "x", prefix + "-quiet", longLease);
        TestNode y = TestNode.start(redis, "y", prefix + "-quiet", longLease)) {
      x.registry.connect("warm", "s", new RecordingOutbound());
      await().atMost(SOON).until(() -> y.registry.isOnline("warm"));
      redis.command("CONFIG RESETSTAT");

      for (int i = 0; i < 10_000; i++) {
        y.registry.isOnline("warm");
        y.registry.onlineAmong(List.of("warm", "nobody"));
        y.registry.onlineUserCount();
      }
      String afterLookups = redis.command("INFO commandstats");
      assertThat(afterLookups).doesNotContain("cmdstat_evalsha").doesNotContain("cmdstat_smembers")
          .doesNotContain("cmdstat_get");

      PresenceSession tab = x.registry.connect("u1", "tab1", new RecordingOutbound());
      await().atMost(SOON).until(() -> y.registry.isOnline("u1"));
      tab.close();
      await().atMost(SOON).until(() -> !y.registry.isOnline("u1"));

      String stats = redis.command("INFO commandstats");
      // online + offline: two script calls, each one SADD/SREM + HSET/HDEL of the user's record
      // + INCR + PUBLISH inside Redis. (A further tab, or its metadata, changes only the
      // record: one call more, at most ten a second per user; see docs/clustering.md.)
      assertThat(stats).contains("cmdstat_evalsha:calls=2,");
      assertThat(stats).contains("cmdstat_publish:calls=2,");
      assertThat(stats).doesNotContain("cmdstat_smembers");
    }
  }

  @Test
  void reloadLandingOnAnotherNodeWithinTheGrace_firesNothingAnywhere() {
    FakeTime time = new FakeTime();
    Duration grace = Duration.ofSeconds(5);
    try (TestNode x = TestNode.start(redis, "x", prefix + "-grace", LEASE, graceful(time, grace));
        TestNode y = TestNode.start(redis, "y", prefix + "-grace", LEASE, graceful(time, grace))) {
      PresenceSession first = x.registry.connect("u1", "tab", new RecordingOutbound());
      await().atMost(SOON).until(() -> y.registry.isOnline("u1"));

      first.close(); // the page reloads; the load balancer sends the new socket to y
      y.registry.connect("u1", "tab", new RecordingOutbound());
      y.awaitSeenBy(x); // x knows y holds u1 too
      time.advance(grace); // x's grace ends: x lets go of u1, y still holds it
      x.awaitSeenBy(y); // y has applied x's "u1 left me"
      for (TestNode n : List.of(x, y)) {
        assertThat(n.registry.isOnline("u1")).isTrue();
        assertThat(n.eventsOf("u1")).as("on %s", n.registry.nodeId()).containsExactly(true);
      }
      assertThat(x.registry.sessionCount("u1")).isZero();
    }
  }

  private static PresenceRegistry.Builder graceful(FakeTime time, Duration grace) {
    return PresenceRegistry.builder().withoutHeartbeat().offlineGrace(grace).ticker(time)
        .scheduler(time).clock(time.clock());
  }

  /** Whether a tab received a user_status_changed for the user with that online flag. */
  private static boolean heard(RecordingOutbound tab, String userId, boolean online) {
    return tab.sent.stream().anyMatch(t -> isStatus(t, userId, online));
  }

  /** Whether a text is a user_status_changed for the user with that online flag (any extra fields). */
  private static boolean isStatus(String text, String userId, boolean online) {
    try {
      JsonNode m = JSON.readTree(text);
      return "user_status_changed".equals(m.path("type").asText())
          && userId.equals(m.path("user_id").asText()) && m.path("is_online").asBoolean() == online;
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
}
