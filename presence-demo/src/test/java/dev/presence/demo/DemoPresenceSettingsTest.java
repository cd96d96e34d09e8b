package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.presence.demo.DemoClient.Reply;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET/PUT /me/presence} against the running demo over real HTTP and WebSocket: the
 * settings reach co-members (status and text), survive a restart and apply at connect (an
 * invisible user is never seen online), "hide my last seen" works both ways in the thread JSON,
 * acceptances show the joiner as the policy allows, and bad input is refused naming the field
 * with nothing stored.
 */
@ExtendWith(ErrorLogGuard.class)
class DemoPresenceSettingsTest {
  private final Tokens tokens = new Tokens();
  @RegisterExtension
  final EmbeddedMongoExtension mongoServer = new EmbeddedMongoExtension();
  private DemoServer server;
  private DemoClient c;

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20));
  }

  @BeforeEach
  void start() throws Exception {
    server = startDemo();
    c = new DemoClient(server.uri());
  }

  /** Batch window 0: every change is one user_status_changed, so tests can read them in order. */
  private DemoServer startDemo() throws Exception {
    return DemoServer.start(DemoOptions.parse("--port", "0", "--batch-window", "0", "--mongo-uri",
        mongoServer.uri("settings")), tokens);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Reply put(String token, String body) {
    return c.put("/me/presence", token, body);
  }

  private static List<JsonNode> statusesWithFields(TestSocket s, String userId) {
    return s.ofType("user_status_changed").stream()
        .filter(m -> userId.equals(m.path("user_id").asText())).toList();
  }

  @Test
  void aNewUser_hasTheDefaults_andIsOfflineUntilConnected() {
    String alice = c.login("alice");
    Reply r = c.get("/me/presence", alice);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().toString()).isEqualTo("{\"availability\":\"available\",\"status_text\":null,"
        + "\"expires_at\":null,\"hide_last_seen\":false,\"status\":\"offline\"}");
    try (TestSocket s = c.connect(alice)) {
      assertThat(c.get("/me/presence", alice).body().get("status").asText()).isEqualTo("available");
    }
  }

  @Test
  void busyWithAText_reachesTheCoMember_theThreadJson_andTheUsersOwnSessions() {
    String alice = c.login("alice");
    String bob = c.login("bob");
    c.createThread(alice, "Standup", "bob");
    try (TestSocket bs = c.connect(bob); TestSocket as = c.connect(alice)) {
      eventually().until(() -> bs.statusesOf("alice").equals(List.of(true)));
      String expires = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
      Reply r = put(alice, "{\"availability\":\"busy\",\"status_text\":\"  In a meeting \","
          + "\"expires_at\":\"" + expires + "\"}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().get("availability").asText()).isEqualTo("busy");
      assertThat(r.body().get("status_text").asText()).as("stripped").isEqualTo("In a meeting");
      assertThat(r.body().get("expires_at").asText()).isEqualTo(expires);
      assertThat(r.body().get("status").asText()).isEqualTo("busy");

      eventually().until(() -> statusesWithFields(bs, "alice").stream()
          .anyMatch(m -> m.path("status").asText().equals("busy")
              && m.path("status_text").asText().equals("In a meeting")));
      eventually().until(() -> as.ofType("self_status").stream()
          .anyMatch(m -> m.path("availability").asText().equals("busy")));
      JsonNode seen = DemoClient.member(c.get("/threads", bob).body().get(0), "alice");
      assertThat(seen.get("is_online").asBoolean()).isTrue();
      assertThat(seen.get("status").asText()).isEqualTo("busy");
      assertThat(seen.get("status_text").asText()).isEqualTo("In a meeting");

      // Only the fields sent change: the text stays when the availability goes back.
      assertThat(put(alice, "{\"availability\":\"available\"}").body().get("status_text").asText())
          .isEqualTo("In a meeting");
      assertThat(put(alice, "{\"status_text\":null}").body().get("status_text").isNull()).isTrue();
      eventually().until(() -> {
        List<JsonNode> all = statusesWithFields(bs, "alice");
        JsonNode last = all.get(all.size() - 1);
        return last.path("status").asText().equals("available") && !last.has("status_text");
      });
    }
  }

  @Test
  void invisible_isKeptAcrossARestart_andAppliedAtConnect_soTheUserNeverShowsOnline() throws Exception {
    String alice = c.login("alice");
    String bob = c.login("bob");
    String carol = c.login("carol");
    c.createThread(alice, "Room", "bob", "carol");
    assertThat(put(alice, "{\"availability\":\"invisible\",\"hide_last_seen\":true}").status()).isEqualTo(200);

    server.close();
    server = startDemo(); // same database and token key
    c = new DemoClient(server.uri());
    assertThat(c.get("/me/presence", alice).body().get("availability").asText()).isEqualTo("invisible");
    assertThat(c.get("/me/presence", alice).body().get("hide_last_seen").asBoolean()).isTrue();

    try (TestSocket bs = c.connect(bob); TestSocket as = c.connect(alice)) {
      // carol connects after alice: once bob has heard of carol, he would have heard of alice.
      try (TestSocket cs = c.connect(carol)) {
        eventually().until(() -> bs.statusesOf("carol").equals(List.of(true)));
        assertThat(bs.statusesOf("alice")).as("what bob heard of invisible alice").isEmpty();
        JsonNode state = bs.ofType("presence_state").get(0).path("users");
        assertThat(state.path("alice").path("is_online").asBoolean()).isFalse();
        JsonNode seen = DemoClient.member(c.get("/threads", bob).body().get(0), "alice");
        assertThat(seen.get("is_online").asBoolean()).isFalse();
        assertThat(seen.get("status").asText()).isEqualTo("offline");
        assertThat(c.get("/stats", bob).body().at("/presence/online_users").asInt()).isEqualTo(2);
        assertThat(c.get("/stats", bob).body().at("/presence/sessions").asInt()).isEqualTo(3);
        assertThat(c.get("/me/presence", alice).body().get("status").asText()).isEqualTo("offline");

        // Coming out of invisibility is an ordinary online transition.
        assertThat(put(alice, "{\"availability\":\"available\"}").body().get("status").asText())
            .isEqualTo("available");
        eventually().until(() -> bs.statusesOf("alice").equals(List.of(true)));
      }
    }
  }

  @Test
  void hideLastSeen_isReciprocal_inTheThreadJson() throws Exception {
    String alice = c.login("alice");
    String bob = c.login("bob");
    String carol = c.login("carol");
    c.createThread(carol, "Three", "alice", "bob");
    for (String t : List.of(alice, bob)) {
      c.connect(t).leave(); // each has a last seen now (written behind)
    }
    eventually().until(() -> {
      JsonNode thread = c.get("/threads", carol).body().get(0);
      return DemoClient.member(thread, "alice").has("last_online")
          && DemoClient.member(thread, "bob").has("last_online");
    });
    assertThat(put(alice, "{\"hide_last_seen\":true}").body().get("hide_last_seen").asBoolean()).isTrue();

    JsonNode byCarol = c.get("/threads", carol).body().get(0);
    assertThat(DemoClient.member(byCarol, "alice").has("last_online")).as("alice hides hers").isFalse();
    assertThat(DemoClient.member(byCarol, "bob").has("last_online")).isTrue();
    JsonNode byAlice = c.get("/threads", alice).body().get(0);
    assertThat(DemoClient.member(byAlice, "bob").has("last_online")).as("so alice sees no one's").isFalse();
    JsonNode byBob = c.get("/threads/" + byCarol.get("id").asText(), bob).body(); // GET /threads/{id}
    assertThat(DemoClient.member(byBob, "alice").has("last_online")).isFalse();

    // Online, last_active follows the same rule; status and text stay visible.
    try (TestSocket as = c.connect(alice); TestSocket bs = c.connect(bob)) {
      put(alice, "{\"status_text\":\"Lunch\"}");
      JsonNode thread = c.get("/threads", carol).body().get(0);
      assertThat(DemoClient.member(thread, "alice").has("last_active")).isFalse();
      assertThat(DemoClient.member(thread, "alice").get("status_text").asText()).isEqualTo("Lunch");
      assertThat(DemoClient.member(thread, "bob").has("last_active")).isTrue();
      assertThat(DemoClient.member(c.get("/threads", alice).body().get(0), "bob").has("last_active")).isFalse();
      eventually().until(() -> statusesWithFields(bs, "alice").stream()
          .anyMatch(m -> m.path("status_text").asText().equals("Lunch")));
      assertThat(statusesWithFields(bs, "alice")).allMatch(m -> !m.has("last_active"));
    }
    // Turned off again: both ways visible again.
    put(alice, "{\"hide_last_seen\":false}");
    eventually().until(() -> DemoClient.member(c.get("/threads", alice).body().get(0), "bob").has("last_online"));
  }

  @Test
  void anAcceptedInvitation_showsTheJoinerToEachMember_asThePolicyAllows() {
    String alice = c.login("alice");
    String bob = c.login("bob");
    String dave = c.login("dave");
    String thread = c.createThread(alice, "Room", "bob");
    assertThat(c.post("/threads/" + thread + "/invitations", alice, "{\"user_id\":\"dave\"}").status())
        .isEqualTo(201);
    put(dave, "{\"availability\":\"invisible\"}");
    try (TestSocket as = c.connect(alice); TestSocket bs = c.connect(bob); TestSocket ds = c.connect(dave)) {
      Reply r = c.post("/threads/" + thread + "/invitations/accept", dave, null);
      assertThat(r.status()).isEqualTo(200);
      eventually().until(() -> !as.ofType("invitation_accepted").isEmpty() && !bs.ofType("member_joined").isEmpty());
      JsonNode note = as.ofType("invitation_accepted").get(0);
      assertThat(note.get("user_id").asText()).isEqualTo("dave");
      assertThat(note.get("is_online").asBoolean()).as("invisible dave, to alice").isFalse();
      assertThat(note.get("status").asText()).isEqualTo("offline");
      JsonNode joined = bs.ofType("member_joined").get(0).get("user");
      assertThat(joined.get("id").asText()).isEqualTo("dave");
      assertThat(joined.get("is_online").asBoolean()).as("invisible dave, to bob").isFalse();
      assertThat(joined.get("status").asText()).isEqualTo("offline");
    }
  }

  @Test
  void idleAfter_turnsAQuietUserAway_andTheirActivityBringsThemBack() throws Exception {
    server.close();
    server = DemoServer.start(DemoOptions.parse("--port", "0", "--idle-after", "1s", "--batch-window", "0", "--mongo-uri",
        mongoServer.uri("settings")), tokens);
    c = new DemoClient(server.uri());
    String alice = c.login("alice");
    String bob = c.login("bob");
    c.createThread(alice, "Room", "bob");
    try (TestSocket as = c.connect(alice); TestSocket bs = c.connect(bob)) {
      assertThat(bs.ofType("ready").get(0).get("idle_after_ms").asLong()).isEqualTo(1000);
      // bob only answers pings (liveness, not activity): away about 1 s after connecting.
      eventually().until(() -> statusesWithFields(as, "bob").stream()
          .anyMatch(m -> m.path("status").asText().equals("away")));
      bs.send("{\"type\":\"activity\"}");
      eventually().until(() -> {
        List<JsonNode> all = statusesWithFields(as, "bob");
        return all.get(all.size() - 1).path("status").asText().equals("available");
      });
    }
  }

  @Test
  void anExpiringText_disappearsForTheCoMember_andFromTheSettings_whenItExpires() {
    String alice = c.login("alice");
    String bob = c.login("bob");
    c.createThread(alice, "Room", "bob");
    try (TestSocket bs = c.connect(bob); TestSocket as = c.connect(alice)) {
      String expires = Instant.now().plusMillis(1500).toString();
      assertThat(put(alice, "{\"status_text\":\"Back soon\",\"expires_at\":\"" + expires + "\"}").status())
          .isEqualTo(200);
      eventually().until(() -> statusesWithFields(bs, "alice").stream()
          .anyMatch(m -> m.path("status_text").asText().equals("Back soon")));
      // The registry's timer clears it: an update without the text.
      eventually().until(() -> {
        List<JsonNode> all = statusesWithFields(bs, "alice");
        return !all.get(all.size() - 1).has("status_text");
      });
      assertThat(Instant.now()).isAfterOrEqualTo(Instant.parse(expires));
      assertThat(c.get("/me/presence", alice).body().get("status_text").isNull()).isTrue();
      assertThat(c.get("/me/presence", alice).body().get("expires_at").isNull()).isTrue();
    }
  }

  @Test
  void changesOverTheLimit_are429_withRetryAfter_andChangeNothing() {
    String alice = c.login("alice");
    assertThat(put(alice, "{\"availability\":\"sideways\"}").status()).as("invalid ones do not count")
        .isEqualTo(400);
    Reply refused = null;
    int accepted = 0;
    for (int i = 0; i < 20 && refused == null; i++) {
      Reply r = put(alice, "{\"status_text\":\"change " + i + "\"}");
      if (r.status() == 429) {
        refused = r;
      } else {
        assertThat(r.status()).isEqualTo(200);
        accepted++;
      }
    }
    assertThat(refused).as("a 429 within 20 quick changes").isNotNull();
    assertThat(accepted).as("the burst").isGreaterThanOrEqualTo(5);
    assertThat(refused.error()).matches("too many presence changes: at most 5 per 10s; try again in [12]s");
    assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(v).matches("[12]"));
    assertThat(c.get("/me/presence", alice).body().get("status_text").asText())
        .isEqualTo("change " + (accepted - 1));
  }

  @Test
  void storedSettingsItCannotRead_areLeftAtTheirDefaults_andTheServerStarts() throws Exception {
    String alice = c.login("alice");
    put(alice, "{\"availability\":\"busy\",\"hide_last_seen\":true}");
    server.close();
    try (MongoClient mongo = MongoClients.create(mongoServer.uri())) {
      MongoCollection<Document> users = mongo.getDatabase("settings").getCollection("users");
      users.insertOne(new Document("id", "mallory").append("availability", "gone").append("hide_last_seen", true));
      users.insertOne(new Document("id", "trudy").append("status_text", "a\u202Eb"));
      users.insertOne(new Document("id", 42).append("availability", "busy"));
    }
    server = startDemo();
    c = new DemoClient(server.uri());
    JsonNode mallory = c.get("/me/presence", tokens.issue("mallory")).body();
    assertThat(mallory.get("availability").asText()).isEqualTo("available");
    assertThat(mallory.get("hide_last_seen").asBoolean()).as("what could be read is kept").isTrue();
    assertThat(c.get("/me/presence", tokens.issue("trudy")).body().get("status_text").isNull()).isTrue();
    assertThat(c.get("/me/presence", alice).body().get("availability").asText()).isEqualTo("busy");
  }

  @Test
  void aChange_isOneUsersWrite_andConnectingReadsNothing() {
    String alice = c.login("alice");
    c.stat("users", "writes"); // the stats reader's login
    long writes = c.stat("users", "writes");
    long reads = c.stat("users", "reads");
    assertThat(put(alice, "{\"availability\":\"busy\",\"status_text\":\"x\",\"hide_last_seen\":true}").status())
        .isEqualTo(200);
    assertThat(c.stat("users", "writes") - writes).isEqualTo(1);
    try (TestSocket s = c.connect(alice)) {
      assertThat(c.get("/me/presence", alice).body().get("status").asText()).isEqualTo("busy");
    }
    assertThat(c.stat("users", "reads") - reads).as("settings come from memory").isZero();
  }

  static Stream<Arguments> badInput() {
    String past = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    String far = Instant.now().plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    return Stream.of(
        Arguments.of("{}", 400, "nothing to change: send availability, status_text or hide_last_seen"),
        Arguments.of("{\"user_id\":\"bob\",\"availability\":\"busy\"}", 400,
            "unknown field 'user_id' (send availability, status_text, expires_at or hide_last_seen)"),
        Arguments.of("{\"availability\":\"gone\"}", 400,
            "availability must be one of available, busy, away, invisible: 'gone'"),
        Arguments.of("{\"availability\":\"BUSY\"}", 400,
            "availability must be one of available, busy, away, invisible: 'BUSY'"),
        Arguments.of("{\"availability\":1}", 400,
            "availability must be one of available, busy, away, invisible but was number"),
        Arguments.of("{\"availability\":null}", 400,
            "availability must be one of available, busy, away, invisible but was null"),
        Arguments.of("{\"status_text\":\"" + "x".repeat(101) + "\"}", 400,
            "status_text must be at most 100 code points: 101"),
        Arguments.of("{\"status_text\":\"" + "\uD83D\uDE00".repeat(101) + "\"}", 400,
            "status_text must be at most 100 code points: 101"),
        Arguments.of("{\"status_text\":\"a\\u202Eb\"}", 400,
            "status_text must not contain control or bidi-override characters"),
        Arguments.of("{\"status_text\":\"a\\nb\"}", 400,
            "status_text must not contain control or bidi-override characters"),
        Arguments.of("{\"status_text\":42}", 400, "status_text must be a string or null but was number"),
        Arguments.of("{\"status_text\":\"x\",\"expires_at\":\"tomorrow\"}", 400,
            "expires_at must be an ISO-8601 instant such as 2026-11-29T12:00:00Z: 'tomorrow'"),
        Arguments.of("{\"status_text\":\"x\",\"expires_at\":5}", 400,
            "expires_at must be an ISO-8601 instant such as 2026-11-29T12:00:00Z but was number"),
        Arguments.of("{\"status_text\":\"x\",\"expires_at\":\"" + past + "\"}", 400,
            "expires_at must be in the future: " + past),
        Arguments.of("{\"status_text\":\"x\",\"expires_at\":\"" + far + "\"}", 400,
            "expires_at must be at most 366 days ahead: " + far),
        Arguments.of("{\"status_text\":\"x\",\"expires_at\":\"+999999999-12-31T23:59:59Z\"}", 400,
            "expires_at must be at most 366 days ahead"),
        Arguments.of("{\"expires_at\":\"" + far + "\"}", 400, "expires_at needs a non-empty status_text"),
        Arguments.of("{\"availability\":\"busy\",\"expires_at\":\"" + far + "\"}", 400,
            "expires_at needs a non-empty status_text"),
        Arguments.of("{\"status_text\":null,\"expires_at\":\"" + far + "\"}", 400,
            "expires_at needs a non-empty status_text"),
        Arguments.of("{\"hide_last_seen\":\"yes\"}", 400, "hide_last_seen must be a boolean but was string"),
        Arguments.of("{\"hide_last_seen\":true,\"availability\":\"busy\"} []", 400, "malformed JSON: content after the JSON value"),
        Arguments.of("[\"busy\"]", 400, "request body must be a JSON object but was array"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInput_isRefusedNamingTheField_andChangesNothing(String body, int status, String error) {
    String alice = c.login("alice");
    long writes = c.stat("users", "writes");
    JsonNode before = c.get("/me/presence", alice).body();
    Reply r = put(alice, body);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.error()).startsWith(error);
    assertThat(c.get("/me/presence", alice).body()).isEqualTo(before);
    assertThat(c.stat("users", "writes")).isEqualTo(writes);
  }

  @Test
  void wrongMediaType_method_orToken_areRefusedLikeElsewhereInTheApi() {
    String alice = c.login("alice");
    Reply text = c.put("/me/presence", alice, "{\"availability\":\"busy\"}", "text/plain");
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.error()).isEqualTo("a request body must be sent as Content-Type: application/json, not 'text/plain'");
    Reply none = c.put("/me/presence", alice, null, "application/json");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.error()).isEqualTo("request body must be a JSON object but was empty");
    Reply delete = c.request("DELETE", "/me/presence", alice, null, null);
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.error()).isEqualTo("method DELETE not allowed on '/me/presence' (use GET or PUT)");
    assertThat(c.get("/me/presence", null).status()).isEqualTo(401);
    assertThat(c.put("/me/presence", "forged.123.abc", "{\"availability\":\"busy\"}").status()).isEqualTo(401);
    assertThat(c.get("/me/presence", alice).body().get("availability").asText()).isEqualTo("available");
  }
}
