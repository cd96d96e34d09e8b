package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.Availability;
import dev.presence.SessionInfo;
import dev.presence.SessionMetadata;
import dev.presence.Status;
import dev.presence.UserPresence;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rich presence protocol over a real container: {@code set_status}, {@code activity} and
 * {@code set_metadata} from a client are applied as the session's user and reach co-members;
 * bad ones are answered with a bounded {@code error} and change nothing; the handshake sets the
 * session's metadata and the user's stored availability (an invisible user never flashes
 * online). Run by every container module.
 */
abstract class RichPresenceSuite extends ContainerHarness {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void startPresence() {
    start();
  }

  @AfterEach
  void forgetPreferences() {
    TestEndpoints.APPEAR_OFFLINE.clear();
  }

  @Test
  void setStatusBusyWithText_reachesCoMemberAsUserStatusChanged() throws Exception {
    JdkClient bob = watcher();
    JdkClient alice = jdk("/annotated", "alice");
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", true) == 1);

    alice.send("{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"In a meeting\"}");

    await().atMost(SLACK).until(() -> statusOf(bob, "alice").filter(m -> "busy".equals(m.path("status").asText())).isPresent());
    JsonNode m = statusOf(bob, "alice").orElseThrow();
    assertThat(m.path("is_online").asBoolean()).isTrue();
    assertThat(m.path("status_text").asText()).isEqualTo("In a meeting");
    await().atMost(SLACK).until(() -> messages(alice, "self_status").stream()
        .anyMatch(s -> "busy".equals(s.path("availability").asText())));
    assertThat(registry.presenceOf("alice").orElseThrow().availability()).isEqualTo(Availability.BUSY);
    assertThat(alice.texts).noneMatch(t -> t.startsWith("echo:")); // never handed to the host
  }

  @Test
  void setStatusFromProgrammaticEndpoint_isAppliedAndNotHandedToTheHost() throws Exception {
    JdkClient bob = watcher();
    JdkClient alice = jdk("/programmatic", "alice");
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", true) == 1);

    alice.send("{\"type\":\"set_status\",\"availability\":\"away\"}");
    alice.send("host message");

    await().atMost(SLACK).until(() -> alice.texts.contains("echo:host message"));
    await().atMost(SLACK).until(() -> statusOf(bob, "alice")
        .filter(m -> "away".equals(m.path("status").asText())).isPresent());
    assertThat(alice.texts).filteredOn(t -> t.startsWith("echo:")).containsExactly("echo:host message");
  }

  @Test
  void badMessages_getAnError_changeNothing_andEchoNoLongInput() throws Exception {
    JdkClient bob = watcher();
    JdkClient alice = jdk("/annotated", "alice");
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", true) == 1);
    String longValue = "x".repeat(5000);

    alice.send("{\"type\":\"set_status\",\"availability\":\"" + longValue + "\"}");
    alice.send("{\"type\":\"set_status\",\"availability\":\"busy\",\"user_id\":\"bob\"}");
    alice.send("{\"type\":\"set_status\",\"status_text\":\"a\u202Eb\"}");
    alice.send("{\"type\":\"set_metadata\",\"metadata\":{\"Device\":\"x\"}}");
    alice.send("{\"type\":\"set_status\"");

    await().atMost(SLACK).until(() -> messages(alice, "error").size() == 5);
    List<JsonNode> errors = messages(alice, "error");
    assertThat(errors).allSatisfy(e -> assertThat(e.path("error").asText()).isEqualTo("bad_request"));
    assertThat(errors.get(0).path("message").asText()).startsWith("availability must be one of").hasSizeLessThan(200);
    assertThat(errors.get(1).path("message").asText()).contains("unknown field").contains("user_id");
    assertThat(errors.get(2).path("message").asText()).contains("U+202E");
    assertThat(errors.get(3).path("message").asText()).contains("metadata key");
    assertThat(alice.texts).allMatch(t -> t.length() < 1000);

    // nothing changed, the socket still works, and a good message after the bad ones applies
    UserPresence p = registry.presenceOf("alice").orElseThrow();
    assertThat(p.availability()).isEqualTo(Availability.AVAILABLE);
    assertThat(p.statusText()).isNull();
    assertThat(p.sessions()).allSatisfy(s -> assertThat(s.metadata()).isEmpty());
    alice.send("{\"type\":\"set_status\",\"availability\":\"busy\"}");
    await().atMost(SLACK).until(() -> statusOf(bob, "alice")
        .filter(m -> "busy".equals(m.path("status").asText())).isPresent());
    assertThat(messages(bob, "user_status_changed")).filteredOn(m -> "alice".equals(m.path("user_id").asText()))
        .hasSize(2); // online, then busy: none for the rejected messages
    assertThat(alice.texts).noneMatch(t -> t.startsWith("echo:"));
  }

  @Test
  void aFloodOfSetStatus_getsRateLimitedErrors_andTheCoMemberHearsABoundedNumber() throws Exception {
    JdkClient bob = watcher();
    JdkClient alice = jdk("/annotated", "alice");
    await().atMost(SLACK).until(() -> bob.statusMessages("alice", true) == 1);
    int flood = 300;
    long started = System.nanoTime();

    for (int i = 0; i < flood; i++) {
      alice.send("{\"type\":\"set_status\",\"status_text\":\"flood " + i + "\"}");
    }
    for (int i = 0; i < 1000; i++) {
      alice.send("{\"type\":\"activity\"}"); // never limited, never told to anyone
    }
    alice.send("echo-barrier");
    await().atMost(SLACK).until(() -> alice.texts.contains("echo:echo-barrier"));
    long refused = registry.stats().clientChangesRefused();
    await().atMost(SLACK).until(() -> messages(alice, "error").size() == refused);
    long seconds = (System.nanoTime() - started + 999_999_999L) / 1_000_000_000L;

    // the default limit: 5 at once, then one every 2 s
    long bound = 5 + seconds / 2 + 1;
    long accepted = flood - refused;
    assertThat(accepted).as("accepted in %d s", seconds).isBetween(5L, bound);
    assertThat(messages(alice, "error")).allSatisfy(e -> {
      assertThat(e.path("error").asText()).isEqualTo("rate_limited");
      assertThat(e.path("message").asText()).isEqualTo(
          "set_status refused: over this session's clientChangeLimit of 5 per PT10S");
    });
    String last = registry.presenceOf("alice").orElseThrow().statusText().text();
    await().atMost(SLACK).until(() -> statusOf(bob, "alice")
        .filter(m -> last.equals(m.path("status_text").asText())).isPresent());
    assertThat(messages(bob, "user_status_changed")).filteredOn(m -> "alice".equals(m.path("user_id").asText()))
        .hasSize((int) (1 + accepted)); // online, then one per accepted change: none per activity
  }

  @Test
  void handshakeMetadata_isVisibleInPresenceOf_andInvalidValuesAreLeftOut() throws Exception {
    JdkClient phone = JdkClient.openWithHeaders(http, wsUri("device=mobile"),
        true, Map.of("X-App-Version", "2.3.1")).get(10, TimeUnit.SECONDS);
    toClose.add(phone::abort);
    String tooLong = "y".repeat(SessionMetadata.MAX_VALUE_CODE_POINTS + 1);
    JdkClient laptop = JdkClient.openWithHeaders(http, wsUri("device=" + tooLong),
        true, Map.of()).get(10, TimeUnit.SECONDS);
    toClose.add(laptop::abort);
    await().atMost(SLACK).until(() -> registry.sessionCount("alice") == 2);

    List<Map<String, String>> metadata = registry.presenceOf("alice").orElseThrow().sessions().stream()
        .map(SessionInfo::metadata).toList();
    assertThat(metadata).containsExactlyInAnyOrder(Map.of("device", "mobile", "app", "2.3.1"), Map.of());

    laptop.send("{\"type\":\"set_metadata\",\"metadata\":{\"device\":\"laptop\"}}");
    await().atMost(SLACK).until(() -> registry.presenceOf("alice").orElseThrow().sessions().stream()
        .map(SessionInfo::metadata).toList().contains(Map.of("device", "laptop")));
    assertThat(registry.presenceOf("alice").orElseThrow().sessions().stream().map(SessionInfo::metadata))
        .contains(Map.of("device", "mobile", "app", "2.3.1"));
  }

  @Test
  void appearOfflineAtConnect_neverFlashesOnline_untilTheUserComesBack() throws Exception {
    TestEndpoints.APPEAR_OFFLINE.add("carol");
    JdkClient bob = watcher();
    JdkClient carol = jdk("/annotated", "carol");
    await().atMost(SLACK).until(() -> registry.sessionCount("carol") == 1);
    assertThat(registry.isOnline("carol")).isFalse();
    assertThat(registry.presenceOf("carol").orElseThrow().status()).isEqualTo(Status.OFFLINE);

    carol.send("{\"type\":\"set_status\",\"availability\":\"available\"}");
    await().atMost(SLACK).until(() -> bob.statusMessages("carol", true) == 1);
    // the first message bob ever got about carol is the online one: she never flashed before
    assertThat(messages(bob, "user_status_changed")).filteredOn(m -> "carol".equals(m.path("user_id").asText()))
        .hasSize(1);
    await().atMost(SLACK).until(() -> eventsOf("carol").size() == 1);
    assertThat(eventsOf("carol").get(0).online()).isTrue();
  }

  @Test
  void activity_movesLastActive_pongDoesNot() throws Exception {
    JdkClient alice = jdk("/annotated", "alice");
    await().atMost(SLACK).until(() -> registry.lastActive("alice").isPresent());
    var connected = registry.lastActive("alice").orElseThrow();

    alice.send("{\"type\":\"pong\"}");
    alice.send("echo-barrier");
    await().atMost(SLACK).until(() -> alice.texts.contains("echo:echo-barrier"));
    assertThat(registry.lastActive("alice")).contains(connected);

    alice.send("{\"type\":\"activity\"}");
    await().atMost(SLACK).until(() -> registry.lastActive("alice").orElseThrow().isAfter(connected));
    assertThat(alice.texts).noneMatch(t -> t.contains("activity"));
  }

  private static List<JsonNode> messages(JdkClient client, String type) {
    return client.texts.stream().filter(t -> t.startsWith("{")).map(RichPresenceSuite::parse)
        .filter(m -> type.equals(m.path("type").asText())).toList();
  }

  /** The latest user_status_changed about {@code user} that {@code client} received. */
  private static Optional<JsonNode> statusOf(JdkClient client, String user) {
    List<JsonNode> all = messages(client, "user_status_changed").stream()
        .filter(m -> user.equals(m.path("user_id").asText())).toList();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private java.net.URI wsUri(String extraQuery) {
    return java.net.URI.create("ws://127.0.0.1:" + port + "/annotated?token=valid-alice&" + extraQuery);
  }
}
