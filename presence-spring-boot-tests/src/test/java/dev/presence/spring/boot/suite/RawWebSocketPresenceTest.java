package dev.presence.spring.boot.suite;

import static dev.presence.spring.boot.suite.Clients.statusChanged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.DisconnectReason;
import dev.presence.PresenceRegistry;
import dev.presence.spring.SpringWebSocketPresence;
import dev.presence.spring.boot.suite.Clients.WsClient;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/** The raw WebSocket application, exercised by real clients over loopback. */
@SpringBootTest(classes = RawWebSocketApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "presence.heartbeat-interval=200ms",
        "presence.heartbeat-timeout=700ms",
        "presence.websocket.send-time-limit=5s",
        "presence.websocket.send-buffer-size-limit=65536",
        "presence.mongo.database=presence_test",
        "presence.max-sessions-per-user=3",
        "presence.client-change-limit.permits=2",
        "presence.client-change-limit.per=1m",
        "management.endpoints.web.exposure.include=health,metrics",
        "management.endpoint.health.show-details=always",
        "server.address=127.0.0.1"})
class RawWebSocketPresenceTest {
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofMillis(700);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired PresenceRegistry registry;
  @Autowired SpringWebSocketPresence presence;
  @Autowired Environment env;

  private final List<AutoCloseable> open = new ArrayList<>();
  private int port;

  @BeforeEach
  void port() {
    port = TestSupport.port(env);
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private WsClient client(String user) throws Exception {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + port + "/ws?access_token=t-" + user);
    open.add(c);
    return c;
  }

  @Test
  void onlineAndOffline_reachCoMember() throws Exception {
    WsClient alice = client("r1-alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r1-alice"));
    WsClient bob = client("r1-bob");
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received(statusChanged("r1-bob", true)));

    bob.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received(statusChanged("r1-bob", false)));
    assertThat(registry.isOnline("r1-bob")).isFalse();
    assertThat(bob.texts).noneMatch(t -> t.contains("\"user_id\":\"r1-bob\""));
  }

  @Test
  void secondTabClosing_keepsUserOnline() throws Exception {
    WsClient alice = client("r2-alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r2-alice"));
    WsClient tab1 = client("r2-bob");
    WsClient tab2 = client("r2-bob");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.sessionCount("r2-bob") == 2);

    tab1.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.sessionCount("r2-bob") == 1);
    assertThat(registry.isOnline("r2-bob")).isTrue();

    tab2.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received(statusChanged("r2-bob", false)));
    assertThat(alice.count(statusChanged("r2-bob", true))).isEqualTo(1);
    assertThat(alice.count(statusChanged("r2-bob", false))).as("one offline, after the last tab")
        .isEqualTo(1);
  }

  @Test
  void unauthenticatedHandshake_isRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> WsClient.connect("ws://127.0.0.1:" + port + "/ws?access_token=wrong"))
        .hasStackTraceContaining("401");
  }

  @Test
  void jsonPong_isLivenessAndNotEchoed() throws Exception {
    WsClient carol = client("r8-carol");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r8-carol"));
    carol.send("{\"type\":\"pong\"}");
    carol.send("\"hello\"");
    await().atMost(Duration.ofSeconds(5)).until(() -> carol.received("\"type\":\"echo\""));
    assertThat(carol.texts).noneMatch(t -> t.contains("pong"));
  }

  @Test
  void setStatusFromASpringClient_reachesTheCoMemberWithStatusAndText_andIsNotHandedToTheApp() throws Exception {
    WsClient bob = client("r10-bob");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r10-bob"));
    WsClient alice = client("r10-alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.received(statusChanged("r10-alice", true)));

    alice.send("{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"In a meeting\"}");

    await().atMost(Duration.ofSeconds(5)).until(() -> bob.texts.stream().map(RawWebSocketPresenceTest::json)
        .anyMatch(m -> "user_status_changed".equals(m.path("type").asText())
            && "r10-alice".equals(m.path("user_id").asText()) && "busy".equals(m.path("status").asText())
            && "In a meeting".equals(m.path("status_text").asText()) && m.path("is_online").asBoolean()));
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received("\"type\":\"self_status\""));
    alice.send("{\"type\":\"activity\"}");
    alice.send("\"barrier\"");
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received("\"text\":\"barrier\""));
    assertThat(alice.texts).filteredOn(t -> t.contains("\"type\":\"echo\""))
        .containsExactly("{\"type\":\"echo\",\"text\":\"barrier\"}");
    assertThat(registry.presenceOf("r10-alice").orElseThrow().availability()).isEqualTo(dev.presence.Availability.BUSY);
  }

  @Test
  void badPresenceMessage_getsAnError_andChangesNothing() throws Exception {
    WsClient bob = client("r11-bob");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r11-bob"));
    WsClient alice = client("r11-alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.received(statusChanged("r11-alice", true)));

    alice.send("{\"type\":\"set_status\",\"availability\":\"gone\"}");
    alice.send("{\"type\":\"set_status\",\"availability\":\"busy\",\"user_id\":\"r11-bob\"}");

    await().atMost(Duration.ofSeconds(5)).until(() -> alice.count("\"type\":\"error\"") == 2);
    List<JsonNode> errors = alice.texts.stream().map(RawWebSocketPresenceTest::json)
        .filter(m -> "error".equals(m.path("type").asText())).toList();
    assertThat(errors).allSatisfy(e -> assertThat(e.path("error").asText()).isEqualTo("bad_request"));
    assertThat(errors.get(0).path("message").asText())
        .isEqualTo("availability must be one of available, busy, away, invisible: 'gone'");
    assertThat(errors.get(1).path("message").asText()).isEqualTo("set_status has an unknown field: 'user_id'");
    assertThat(registry.presenceOf("r11-alice").orElseThrow().availability())
        .isEqualTo(dev.presence.Availability.AVAILABLE);
    assertThat(alice.texts).noneMatch(t -> t.contains("\"type\":\"echo\""));
    assertThat(bob.count("\"user_id\":\"r11-alice\"")).as("only the online message").isEqualTo(1);
  }

  @Test
  void aFloodOfSetStatus_isRateLimitedByTheConfiguredLimit_andTheCoMemberHearsTwo() throws Exception {
    WsClient bob = client("r12-bob");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r12-bob"));
    WsClient alice = client("r12-alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.received(statusChanged("r12-alice", true)));
    long refusedBefore = registry.stats().clientChangesRefused();

    for (int i = 0; i < 50; i++) {
      alice.send("{\"type\":\"set_status\",\"status_text\":\"flood " + i + "\"}");
    }
    alice.send("\"barrier\"");
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.received("\"text\":\"barrier\""));
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.count("\"error\":\"rate_limited\"") == 48);

    // presence.client-change-limit: 2 per minute; the flood takes far less than the 30 s refill
    assertThat(registry.stats().clientChangesRefused() - refusedBefore).isEqualTo(48);
    assertThat(alice.texts).filteredOn(t -> t.contains("rate_limited")).allMatch(t -> t.contains("clientChangeLimit of 2 per PT1M"));
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.received("\"status_text\":\"flood 1\""));
    assertThat(bob.count("\"user_id\":\"r12-alice\"")).as("online, flood 0, flood 1").isEqualTo(3);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      return JSON.createObjectNode();
    }
  }

  @Test
  void halfOpenClient_isEvictedWithinHeartbeatTimeout() throws Exception {
    long timeoutsBefore = presence.endedCount(DisconnectReason.HEARTBEAT_TIMEOUT);
    try (Socket ghost = Clients.silentWebSocket(port, "/ws?access_token=t-r3-ghost", 0)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r3-ghost"));
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).until(() -> !registry.isOnline("r3-ghost"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // evicted at the first sweep after the timeout: at most timeout + one interval, plus
      // scheduling slack for a loaded 2-core CI machine (a TCP timeout would take minutes)
      assertThat(took).isLessThan(TIMEOUT.plus(INTERVAL).plusSeconds(3));
      assertThat(presence.endedCount(DisconnectReason.HEARTBEAT_TIMEOUT)).isGreaterThan(timeoutsBefore);
    }
  }

  @Test
  void nonReadingClient_doesNotDelayOthers() throws Exception {
    long slowBefore = presence.slowConsumerCount();
    WsClient fast = client("r4-fast");
    try (Socket slow = Clients.silentWebSocket(port, "/ws?access_token=t-r4-slow", 4096)) {
      Clients.keepTalking(slow); // alive for the heartbeat, but it never reads
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r4-slow"));
      String big = "\"" + "x".repeat(16 * 1024) + "\"";
      long start = System.nanoTime();
      for (int i = 0; i < 400; i++) {
        registry.sendToUser("r4-slow", big);
      }
      Duration flooding = Duration.ofNanos(System.nanoTime() - start);
      // a sender that waited on the stuck client would wait the 5 s send time limit
      assertThat(flooding).as("6.4 MB to a client that does not read never blocks the sender")
          .isLessThan(Duration.ofSeconds(2));

      long sentAt = System.nanoTime();
      registry.sendToUser("r4-fast", "{\"type\":\"probe\"}");
      await().atMost(Duration.ofSeconds(3)).until(() -> fast.received("probe"));
      assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isLessThan(Duration.ofSeconds(2));

      await().atMost(Duration.ofSeconds(5)).until(() -> !registry.isOnline("r4-slow"));
      assertThat(presence.slowConsumerCount()).isGreaterThan(slowBefore);
      await().atMost(Duration.ofSeconds(5)).until(() -> fast.received(statusChanged("r4-slow", false)));
    }
  }

  @Test
  void tabBeyondTheCap_isClosedWith1013_andCounted() throws Exception {
    long refusedBefore = registry.stats().sessionsRefused();
    client("r10-eve");
    client("r10-eve");
    client("r10-eve");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.sessionCount("r10-eve") == 3);
    try (Socket fourth = Clients.silentWebSocket(port, "/ws?access_token=t-r10-eve", 0)) {
      assertThat(Clients.readClose(fourth)).isEqualTo("1013 try again later");
    }
    assertThat(registry.sessionCount("r10-eve")).isEqualTo(3);
    assertThat(registry.stats().sessionsRefused()).isEqualTo(refusedBefore + 1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        metric("presence.sessions.refused?tag=cause:capacity")).isEqualTo(refusedBefore + 1));
  }

  @Test
  void sessionsMetric_matchesTheRegistry() throws Exception {
    client("r5-a");
    client("r5-a");
    client("r5-b");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.sessionCount("r5-a") == 2
        && registry.sessionCount("r5-b") == 1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(metric("presence.sessions")).isEqualTo(registry.totalSessionCount()).isGreaterThanOrEqualTo(3);
      assertThat(metric("presence.users.online")).isEqualTo(registry.onlineUserCount());
    });
  }

  @Test
  void health_showsPresenceUp() throws Exception {
    HttpResponse<String> r = Clients.get(port, "/actuator/health");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode presenceHealth = JSON.readTree(r.body()).path("components").path("presence");
    assertThat(presenceHealth.path("status").asText()).isEqualTo("UP");
    assertThat(presenceHealth.path("details").has("sessions")).isTrue();
  }

  private double metric(String name) throws Exception {
    HttpResponse<String> r = Clients.get(port, "/actuator/metrics/" + name);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("measurements").get(0).path("value").asDouble();
  }
}
