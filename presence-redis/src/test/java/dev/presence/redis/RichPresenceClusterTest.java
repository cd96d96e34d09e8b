package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.Availability;
import dev.presence.ConnectOptions;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.PresenceUpdate;
import dev.presence.SessionInfo;
import dev.presence.Status;
import dev.presence.StatusText;
import dev.presence.ThreadEnricher;
import dev.presence.UserPresence;
import dev.presence.VisiblePresence;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Rich presence across three real nodes on a real redis-server: aggregation, status text
 * expiry, invisibility, metadata, a node's crash and erasure. Timing rules run on one
 * {@link FakeTime} shared by the three nodes' local registries and replicas; what crosses Redis
 * is awaited with a deadline.
 */
class RichPresenceClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration SOON = Duration.ofSeconds(5);
  private static final Duration IDLE_AFTER = Duration.ofMinutes(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServer redis;

  private final FakeTime time = new FakeTime();
  private String prefix;
  private TestNode a;
  private TestNode b;
  private TestNode c;

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
    prefix = "rich-" + info.getTestMethod().orElseThrow().getName();
    a = node("a", false);
    b = node("b", true);
    c = node("c", false);
  }

  @AfterEach
  void closeNodes() {
    for (TestNode n : new TestNode[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private TestNode node(String id, boolean crashable) {
    return TestNode.start(redis, id, prefix, LEASE, crashable, builder -> builder
        .clock(time.clock())
        .local(PresenceRegistry.builder().withoutHeartbeat().idleAfter(IDLE_AFTER)
            .ticker(time).scheduler(time).clock(time.clock())));
  }

  private List<TestNode> all() {
    return List.of(a, b, c);
  }

  // ---------------------------------------------------------------- aggregation

  @Test
  void busyOnA_andAvailableOnB_isBusyAsSeenFromEveryNode() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    b.registry.connect("u1", "laptop", new RecordingOutbound());
    awaitEverywhere(n -> n.registry.isOnline("u1"));

    assertThat(a.registry.setAvailability("u1", Availability.BUSY)).isTrue();

    awaitEverywhere(n -> statusOf(n, "u1") == Status.BUSY);
    for (TestNode n : all()) {
      assertThat(n.registry.visiblePresence("viewer", "u1").status()).isEqualTo(Status.BUSY);
      assertThat(n.eventsOf("u1")).as("on %s", n.registry.nodeId()).containsExactly(true);
    }
    // b's own sessions got the user-level change too (its local registry applies it)
    assertThat(b.registry.presenceOf("u1").orElseThrow().availability())
        .isEqualTo(Availability.BUSY);
    await().atMost(SOON).until(() -> c.updatesOf("u1").stream()
        .anyMatch(u -> u.status() == Status.BUSY && u.changes().contains(PresenceUpdate.Change.STATUS)));
    assertThat(c.updatesOf("u1")).filteredOn(u -> u.status() == Status.BUSY).hasSize(1);
  }

  @Test
  void statusSetOnANodeWithoutTheUser_isRoutedToTheNodesHoldingThem() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    b.registry.connect("u1", "laptop", new RecordingOutbound());
    awaitEverywhere(n -> n.registry.isOnline("u1"));

    assertThat(c.registry.setStatus("u1", new dev.presence.ClientMessage.SetStatus(
        Availability.AWAY, true, StatusText.of("Lunch")))).isTrue();

    awaitEverywhere(n -> statusOf(n, "u1") == Status.AWAY && text(n, "u1").equals("Lunch"));
    assertThat(c.registry.setAvailability("nobody", Availability.BUSY)).isFalse();
    assertThat(c.registry.presenceOf("nobody")).isEmpty();
  }

  @Test
  void idleBecomesAwayOnlyWhenNoSessionOnAnyNodeWasActive() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    PresenceSession laptop = b.registry.connect("u1", "laptop", new RecordingOutbound());
    awaitEverywhere(n -> n.registry.isOnline("u1"));

    time.advance(Duration.ofSeconds(50));
    laptop.activity(); // b active at 50 s; a has been quiet since the connect
    time.advance(Duration.ofSeconds(15)); // 65 s: a idle, b not
    a.awaitSeenBy(b, c);
    b.awaitSeenBy(a, c);
    for (TestNode n : all()) {
      assertThat(statusOf(n, "u1")).as("on %s", n.registry.nodeId()).isEqualTo(Status.AVAILABLE);
    }

    time.advance(Duration.ofSeconds(50)); // 115 s: b quiet for 65 s too
    awaitEverywhere(n -> statusOf(n, "u1") == Status.AWAY);
    // the latest activity anywhere is b's; it reaches the others with b's next record
    Instant bActive = b.registry.presenceOf("u1").orElseThrow().lastActive();
    awaitEverywhere(n -> bActive.equals(n.registry.lastActive("u1").orElse(null)));
  }

  @Test
  void statusTextWithExpiry_expiresOnEveryNode() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    b.registry.connect("u1", "laptop", new RecordingOutbound());
    awaitEverywhere(n -> n.registry.isOnline("u1"));

    Instant expiry = time.now().plus(Duration.ofMinutes(10));
    a.registry.setStatusText("u1", StatusText.of("In a meeting", expiry));
    awaitEverywhere(n -> text(n, "u1").equals("In a meeting"));
    awaitEverywhere(n -> "In a meeting".equals(textSeen(n, "u1")));

    time.advance(Duration.ofMinutes(10));

    for (TestNode n : all()) { // reads check the clock: never an expired text
      assertThat(n.registry.presenceOf("u1").orElseThrow().statusText()).isNull();
    }
    await().atMost(SOON).until(() -> c.updatesOf("u1").stream()
        .anyMatch(u -> u.changes().contains(PresenceUpdate.Change.STATUS_TEXT) && u.statusText() == null));
    // each change once: the text set, then expired
    assertThat(c.updatesOf("u1")).filteredOn(u -> u.changes().contains(PresenceUpdate.Change.STATUS_TEXT))
        .extracting(u -> u.statusText() == null ? null : u.statusText().text())
        .containsExactly("In a meeting", null);
  }

  // ---------------------------------------------------------------- invisibility

  @Test
  void invisibleUser_isOfflineOnEveryNodeAndPath_andNoOnlineTransitionReachesAnyListener() {
    a.registry.connect("ghost", "phone", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));
    a.awaitSeenBy(b, c); // b has a's record of ghost
    b.registry.connect("ghost", "laptop", new RecordingOutbound()); // no options: live state wins
    b.awaitSeenBy(a, c);
    a.awaitSeenBy(b, c);

    ThreadEnricher enricher;
    for (TestNode n : all()) {
      String on = "on " + n.registry.nodeId();
      assertThat(n.registry.isOnline("ghost")).as(on).isFalse();
      assertThat(n.registry.onlineAmong(List.of("ghost"))).as(on).isEmpty();
      assertThat(n.registry.onlineUsers()).as(on).doesNotContain("ghost");
      assertThat(n.registry.visiblePresence("viewer", "ghost")).as(on)
          .isEqualTo(VisiblePresence.offline("ghost"));
      enricher = ThreadEnricher.builder(n.registry).build();
      JsonNode thread = enricher.enrichFor("viewer", thread("ghost"));
      assertThat(thread.path("users").path(0).path("is_online").asBoolean()).as(on).isFalse();
      assertThat(n.eventsOf("ghost")).as(on).isEmpty();
      assertThat(n.updatesOf("ghost")).as(on).isEmpty();
      // trusted views: both sessions, and the user sees themselves as invisible
      UserPresence raw = n.registry.presenceOf("ghost").orElseThrow();
      assertThat(raw.availability()).as(on).isEqualTo(Availability.INVISIBLE);
      assertThat(raw.status()).as(on).isEqualTo(Status.OFFLINE);
      assertThat(sessionIds(raw)).as(on).containsExactlyInAnyOrder("phone", "laptop");
      assertThat(n.registry.visiblePresence("ghost", "ghost").availability()).as(on)
          .isEqualTo(Availability.INVISIBLE);
    }
    assertThat(b.registry.sessionCount("ghost")).isEqualTo(1);

    b.registry.setAvailability("ghost", Availability.AVAILABLE); // appears: online everywhere, once
    awaitEverywhere(n -> n.eventsOf("ghost").equals(List.of(true)));
    a.registry.setAvailability("ghost", Availability.INVISIBLE); // and disappears, once
    awaitEverywhere(n -> n.eventsOf("ghost").equals(List.of(true, false)));
    a.awaitSeenBy(b, c);
    b.awaitSeenBy(a, c);
    for (TestNode n : all()) {
      assertThat(n.eventsOf("ghost")).containsExactly(true, false);
      assertThat(n.registry.isOnline("ghost")).isFalse();
    }
  }

  // ---------------------------------------------------------------- metadata

  @Test
  void sessionMetadata_isVisibleFromAnotherNode_andItsChangesFireUpdates() {
    PresenceSession phone = a.registry.connect("u1", "phone", new RecordingOutbound(),
        ConnectOptions.defaults().withMetadata(Map.of("device", "mobile")));
    b.registry.connect("u1", "laptop", new RecordingOutbound(),
        ConnectOptions.defaults().withMetadata(Map.of("device", "desktop", "app", "2.3.1")));

    awaitEverywhere(n -> metadataBySession(n, "u1").equals(Map.of(
        "phone", Map.of("device", "mobile"),
        "laptop", Map.of("device", "desktop", "app", "2.3.1"))));

    phone.metadata(Map.of("device", "mobile", "app", "2.4.0"));
    awaitEverywhere(n -> metadataBySession(n, "u1").get("phone")
        .equals(Map.of("device", "mobile", "app", "2.4.0")));
    await().atMost(SOON).until(() -> c.updatesOf("u1").stream()
        .anyMatch(u -> u.changes().equals(Set.of(PresenceUpdate.Change.METADATA))));
  }

  // ---------------------------------------------------------------- failure and erasure

  @Test
  void nodeKilled_itsContributionsAreRemovedAfterTheLease() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    b.registry.connect("u1", "laptop", new RecordingOutbound(),
        ConnectOptions.defaults().withMetadata(Map.of("device", "desktop")));
    b.registry.connect("u2", "tab", new RecordingOutbound());
    b.registry.setAvailability("u2", Availability.BUSY);
    awaitEverywhere(n -> sessionIdsOf(n, "u1").size() == 2 && statusOf(n, "u2") == Status.BUSY);
    assertThat(redis.command("HLEN {" + prefix + ":node:b}:records")).startsWith(":2\r\n");

    b.crash();

    for (TestNode n : List.of(a, c)) {
      await().atMost(LEASE.multipliedBy(3)).until(() -> sessionIdsOf(n, "u1").equals(Set.of("phone"))
          && n.registry.presenceOf("u2").isEmpty());
      assertThat(n.registry.isOnline("u1")).isTrue();
      assertThat(n.registry.isOnline("u2")).isFalse();
      assertThat(n.eventsOf("u2")).containsExactly(true, false);
    }
    await().atMost(SOON).until(() -> redis.command("EXISTS {" + prefix + ":node:b}:records")
        .startsWith(":0\r\n"));
  }

  @Test
  void forget_clearsTextAndLastActiveOnEveryNode_andInRedis() {
    a.registry.connect("u1", "phone", new RecordingOutbound());
    b.registry.connect("u1", "laptop", new RecordingOutbound());
    a.registry.setStatusText("u1", StatusText.of("Secret plans"));
    awaitEverywhere(n -> text(n, "u1").equals("Secret plans"));
    // b adopted a's change and stored it in its own record
    await().atMost(SOON).until(() -> redis.command("HGET {" + prefix + ":node:b}:records u1")
        .contains("Secret plans"));

    c.registry.forget(List.of("u1"));

    awaitEverywhere(n -> n.registry.presenceOf("u1").map(p -> p.statusText() == null
        && p.lastActive() == null).orElse(false));
    await().atMost(SOON).until(() -> !redis.command("HGET {" + prefix + ":node:a}:records u1")
        .contains("Secret") && !redis.command("HGET {" + prefix + ":node:b}:records u1")
        .contains("Secret"));
    for (String node : List.of("a", "b")) {
      String stored = redis.command("HGET {" + prefix + ":node:" + node + "}:records u1");
      assertThat(stored).contains("\"s\"").doesNotContain("\"l\"").doesNotContain("\"t\"");
    }
    for (TestNode n : all()) {
      assertThat(n.registry.isOnline("u1")).isTrue(); // still connected: only the data went
    }
  }

  @Test
  void malformedAndOversizedChannelMessages_areIgnored_andTheNodesKeepWorking() {
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      String channel = prefix + ":events";
      connection.sync().publish(channel, "b|999999|U|0|{not json");
      connection.sync().publish(channel, "b|999999|U|0|" + "x".repeat(Message.MAX_CHARS + 10));
      connection.sync().publish(channel, "b|999999|S|0|{\"u\":\"u1\",\"v\":\"x\"}");
    } finally {
      client.shutdown();
    }
    a.registry.connect("u1", "phone", new RecordingOutbound());
    a.registry.setAvailability("u1", Availability.AWAY);
    awaitEverywhere(n -> statusOf(n, "u1") == Status.AWAY);
  }

  // ---------------------------------------------------------------- helpers

  private void awaitEverywhere(java.util.function.Predicate<TestNode> condition) {
    for (TestNode n : all()) {
      await("on " + n.registry.nodeId()).atMost(SOON).pollInterval(Duration.ofMillis(5))
          .until(() -> condition.test(n));
    }
  }

  private static Status statusOf(TestNode n, String user) {
    return n.registry.presenceOf(user).map(UserPresence::status).orElse(Status.OFFLINE);
  }

  private static String text(TestNode n, String user) {
    return n.registry.presenceOf(user).map(p -> p.statusText() == null ? "" : p.statusText().text())
        .orElse("");
  }

  private static String textSeen(TestNode n, String user) {
    StatusText t = n.registry.visiblePresence("viewer", user).statusText();
    return t == null ? null : t.text();
  }

  private static Set<String> sessionIds(UserPresence p) {
    return p.sessions().stream().map(SessionInfo::sessionId).collect(Collectors.toSet());
  }

  private static Set<String> sessionIdsOf(TestNode n, String user) {
    return n.registry.presenceOf(user).map(RichPresenceClusterTest::sessionIds).orElse(Set.of());
  }

  private static Map<String, Map<String, String>> metadataBySession(TestNode n, String user) {
    return n.registry.presenceOf(user).map(p -> p.sessions().stream()
        .collect(Collectors.toMap(SessionInfo::sessionId, SessionInfo::metadata)))
        .orElse(Map.of());
  }

  private static JsonNode thread(String user) {
    return JSON.createObjectNode().put("id", "t1").set("users",
        JSON.createArrayNode().add(JSON.createObjectNode().put("id", user)));
  }
}
