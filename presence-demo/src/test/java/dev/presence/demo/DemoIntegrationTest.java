package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.presence.demo.DemoClient.Reply;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The integration checklist, against the running demo (embedded MongoDB, Jetty on port 0) over
 * real HTTP and WebSocket. Each test uses its own users, so the tests share one server.
 */
@ExtendWith(ErrorLogGuard.class)
class DemoIntegrationTest {
  private static final AtomicInteger RUN = new AtomicInteger();
  @RegisterExtension
  static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
  private static MongoClient mongo;
  private static DemoServer server;
  private static DemoClient client;
  private String suffix;

  @BeforeAll
  static void start() throws Exception {
    // A MongoDB the test can look into (--mongo-uri), to know when a last-seen write has landed.
    String uri = MONGO.uri("checklist");
    mongo = MongoClients.create(uri);
    // Fast heartbeat, so that pings are seen within the test; the clients answer them.
    // Batch window 0: these tests follow each transition's user_status_changed.
    server = DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri", uri,
        "--heartbeat-interval", "200ms", "--heartbeat-timeout", "3s", "--batch-window", "0"));
    client = new DemoClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
    mongo.close();
  }

  /** Waits until the user's last seen is written to users (the write-behind has flushed it). */
  private static void awaitLastSeenStored(String userId) {
    eventually().until(() -> {
      Document u = mongo.getDatabase("checklist").getCollection("users")
          .find(Filters.eq("id", userId)).first();
      return u != null && u.get("last_online") != null;
    });
  }

  @BeforeEach
  void users() {
    suffix = "-" + RUN.incrementAndGet();
  }

  private String u(String name) {
    return name + suffix;
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20));
  }

  @Test
  void coMemberConnecting_showsOnlineAtOnce_inEventAndGet() {
    String alice = u("alice");
    String bob = u("bob");
    String ta = client.login(alice);
    String tb = client.login(bob);
    String thread = client.createThread(ta, "Lunch", bob);
    assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), bob)
        .get("is_online").asBoolean()).isFalse();

    try (TestSocket as = client.connect(ta); TestSocket bs = client.connect(tb)) {
      eventually().until(() -> as.statusesOf(bob).equals(List.of(true)));
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), bob)
          .get("is_online").asBoolean()).isTrue();
      JsonNode list = client.get("/threads", ta).body();
      assertThat(list).hasSize(1);
      assertThat(DemoClient.member(list.get(0), bob).get("is_online").asBoolean()).isTrue();
      assertThat(DemoClient.member(list.get(0), bob).has("last_online")).isFalse();
      // bob hears about alice, who was online before him, only from GET: no event for himself.
      assertThat(bs.statusesOf(bob)).isEmpty();
      assertThat(DemoClient.member(client.get("/threads/" + thread, tb).body(), alice)
          .get("is_online").asBoolean()).isTrue();
    }
  }

  @Test
  void lastSocketClosing_showsOfflineAtOnce_withLastSeen() {
    String alice = u("alice");
    String bob = u("bob");
    String ta = client.login(alice);
    String tb = client.login(bob);
    String thread = client.createThread(ta, "Standup", bob);
    try (TestSocket as = client.connect(ta)) {
      TestSocket bs = client.connect(tb);
      eventually().until(() -> as.statusesOf(bob).equals(List.of(true)));
      bs.leave();
      eventually().until(() -> as.statusesOf(bob).equals(List.of(true, false)));
      JsonNode bobEntry = DemoClient.member(client.get("/threads/" + thread, ta).body(), bob);
      assertThat(bobEntry.get("is_online").asBoolean()).isFalse();
      // last_online is written behind (one batched write), then read back with the thread.
      awaitLastSeenStored(bob);
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), bob)
          .get("last_online").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }
  }

  @Test
  void secondTabClosing_keepsUserOnline() {
    String alice = u("alice");
    String bob = u("bob");
    String ta = client.login(alice);
    String tb = client.login(bob);
    String thread = client.createThread(ta, "Tabs", bob);
    try (TestSocket as = client.connect(ta)) {
      TestSocket tab1 = client.connect(tb);
      TestSocket tab2 = client.connect(tb);
      eventually().until(() -> as.statusesOf(bob).equals(List.of(true)));
      tab1.leave();
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), bob)
          .get("is_online").asBoolean()).isTrue();
      tab2.leave();
      eventually().until(() -> as.statusesOf(bob).contains(false));
      // Events per user are in order: had tab1's close fired anything, it would come first.
      assertThat(as.statusesOf(bob)).containsExactly(true, false);
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), bob)
          .get("is_online").asBoolean()).isFalse();
    }
  }

  @Test
  void acceptedInvitation_tellsInviterTheInviteesStatus_andMembersTheNewMember() {
    String alice = u("alice");
    String carol = u("carol");
    String dave = u("dave");
    String ta = client.login(alice);
    String tc = client.login(carol);
    String td = client.login(dave);
    String thread = client.createThread(ta, "Project", carol);
    TestSocket ds = client.connect(td);
    try (TestSocket as = client.connect(ta); TestSocket cs = client.connect(tc)) {
      Reply invited = client.post("/threads/" + thread + "/invitations", ta,
          "{\"user_id\":\"" + dave + "\"}");
      assertThat(invited.status()).isEqualTo(201);
      eventually().until(() -> !ds.ofType("invitation").isEmpty());
      assertThat(ds.ofType("invitation").get(0).get("invited_by").asText()).isEqualTo(alice);
      assertThat(client.get("/invitations", td).body().get(0).get("thread_id").asText())
          .isEqualTo(thread);
      // Not a member before accepting: the thread stays hidden, and no status flows yet.
      assertThat(client.get("/threads/" + thread, td).status()).isEqualTo(404);
      assertThat(as.statusesOf(dave)).isEmpty();

      Reply accepted = client.post("/threads/" + thread + "/invitations/accept", td, null);
      assertThat(accepted.status()).isEqualTo(200);
      assertThat(accepted.body().path("thread_id").asText()).isEqualTo(thread);
      assertThat(accepted.body().path("thread_name").asText()).isEqualTo("Project");
      assertThat(accepted.body().path("user").path("id").asText()).isEqualTo(dave);
      assertThat(accepted.body().path("user").path("is_online").asBoolean()).isTrue();

      eventually().until(() -> !as.ofType("invitation_accepted").isEmpty());
      JsonNode note = as.ofType("invitation_accepted").get(0);
      assertThat(note.get("thread_id").asText()).isEqualTo(thread);
      assertThat(note.get("user_id").asText()).isEqualTo(dave);
      assertThat(note.get("is_online").asBoolean()).isTrue();
      eventually().until(() -> !cs.ofType("member_joined").isEmpty());
      assertThat(cs.ofType("member_joined").get(0).path("user").path("id").asText()).isEqualTo(dave);
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), dave)
          .get("is_online").asBoolean()).isTrue();
      assertThat(client.get("/invitations", td).body()).isEmpty();
      assertThat(client.post("/threads/" + thread + "/invitations/accept", td, null).status())
          .isEqualTo(409);

      // The in-memory membership was updated: dave's transitions now reach alice.
      ds.leave();
      eventually().until(() -> as.statusesOf(dave).equals(List.of(false)));
    }
  }

  @Test
  void threadList_showsEachMembersStatus() {
    String alice = u("alice");
    String bob = u("bob");
    String carol = u("carol");
    String erin = u("erin");
    String ta = client.login(alice);
    String tb = client.login(bob);
    String tc = client.login(carol);
    String t1 = client.createThread(ta, "One", bob, erin);
    String t2 = client.createThread(tc, "Two", alice);
    try (TestSocket as = client.connect(ta)) {
      TestSocket cs = client.connect(tc);
      cs.leave();
      try (TestSocket bs = client.connect(tb)) {
        eventually().until(() -> as.statusesOf(bob).equals(List.of(true))
            && as.statusesOf(carol).equals(List.of(true, false)));
        assertThat(bs.statusesOf(alice)).as("alice was online before bob: no event").isEmpty();
        awaitLastSeenStored(carol);
        JsonNode threads = client.get("/threads", ta).body();
        assertThat(threads).hasSize(2);
        JsonNode one = threads.get(0).get("id").asText().equals(t1) ? threads.get(0) : threads.get(1);
        JsonNode two = one.equals(threads.get(0)) ? threads.get(1) : threads.get(0);
        assertThat(two.get("id").asText()).isEqualTo(t2);
        assertThat(DemoClient.member(one, alice).get("is_online").asBoolean()).isTrue();
        assertThat(DemoClient.member(one, bob).get("is_online").asBoolean()).isTrue();
        assertThat(DemoClient.member(one, erin).get("is_online").asBoolean()).isFalse();
        assertThat(DemoClient.member(one, erin).has("last_online")).isFalse(); // never seen
        assertThat(DemoClient.member(two, carol).get("is_online").asBoolean()).isFalse();
        assertThat(DemoClient.member(two, carol).has("last_online")).isTrue();
        for (JsonNode t : threads) {
          for (JsonNode user : t.get("users")) {
            assertThat(user.fieldNames()).toIterable()
                .contains("id", "username", "name", "joined_at", "is_online");
          }
        }
        // bob only sees the thread he is in.
        assertThat(client.get("/threads", tb).body()).hasSize(1);
        assertThat(client.get("/threads/" + t2, tb).status()).isEqualTo(404);
      }
    }
  }

  @Test
  void presence_causesNoThreadWrites_andOneUserWritePerFinalDisconnect() throws Exception {
    // A server of its own: last-seen writes of other tests' disconnects must not land in its counts.
    try (DemoServer own = DemoServer.start(DemoOptions.parse("--port", "0",
        "--heartbeat-interval", "200ms", "--heartbeat-timeout", "3s"))) {
      countLoad(new DemoClient(own.uri()));
    }
  }

  @Test
  void hundredUsers_connectAndHeartbeatFree_disconnectAtMostOneUsersWriteEach() throws Exception {
    String uri = MONGO.uri("hundred");
    try (DemoServer own = DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri", uri,
        "--heartbeat-interval", "200ms", "--heartbeat-timeout", "3s"))) {
      DemoClient c = new DemoClient(own.uri());
      int users = 100;
      String[] tokens = new String[users];
      for (int i = 0; i < users; i++) {
        tokens[i] = c.login("load" + i);
      }
      for (int i = 0; i < users; i += 2) {
        c.createThread(tokens[i], "pair" + i, "load" + (i + 1));
      }
      c.stat("users", "writes");
      long userWrites = c.stat("users", "writes");
      long userReads = c.stat("users", "reads");
      long threadOps = c.stat("threads", "writes") + c.stat("threads", "reads");
      List<TestSocket> sockets = new java.util.ArrayList<>();
      for (String t : tokens) {
        sockets.add(c.connect(t));
      }
      eventually().until(() -> sockets.stream().allMatch(s -> s.jsonPings.get() >= 3));
      assertThat(c.stat("users", "writes") - userWrites).as("users writes while connected").isZero();
      assertThat(c.stat("users", "reads") - userReads).as("users reads while connected").isZero();

      sockets.parallelStream().forEach(TestSocket::leave);
      eventually().until(() -> c.get("/stats", tokens[0]).body().at("/presence/online_users").asInt() == 0);
      eventually().until(() -> mongo.getDatabase("hundred").getCollection("users")
          .countDocuments(Filters.exists("last_online")) == users);
      long writes = c.stat("users", "writes") - userWrites;
      System.out.println("100 users' final disconnects cost " + writes + " users write command(s)");
      assertThat(writes).isBetween(1L, (long) users);
      assertThat(c.stat("threads", "writes") + c.stat("threads", "reads") - threadOps).isZero();
    }
  }

  private void countLoad(DemoClient client) {
    String eve = u("eve");
    String frank = u("frank");
    String te = client.login(eve);
    String tf = client.login(frank);
    client.createThread(te, "Load", frank);
    client.stat("users", "writes"); // its one-time login must not count below
    long threadWrites = client.stat("threads", "writes");
    long threadReads = client.stat("threads", "reads");
    long userWrites = client.stat("users", "writes");
    long userReads = client.stat("users", "reads");

    TestSocket eveTab1 = client.connect(te);
    TestSocket eveTab2 = client.connect(te);
    TestSocket frankTab = client.connect(tf);
    // Several heartbeats, each sent both ways: a JSON ping (answered by a pong) and a ping frame.
    eventually().until(() -> eveTab1.jsonPings.get() >= 3 && eveTab1.pingFrames.get() >= 3
        && frankTab.jsonPings.get() >= 3 && frankTab.pingFrames.get() >= 3);
    JsonNode stats = client.get("/stats", te).body();
    assertThat(stats.at("/presence/online_users").asInt()).isEqualTo(2);
    assertThat(stats.at("/presence/sessions").asInt()).isEqualTo(3);
    assertThat(client.stat("users", "writes") - userWrites).isZero();
    assertThat(client.stat("users", "reads") - userReads).isZero();

    eveTab1.leave(); // not eve's last session: no write
    frankTab.leave(); // frank's last: one write
    eventually().until(() -> client.stat("users", "writes") - userWrites == 1);
    eveTab2.leave(); // eve's last: one more
    eventually().until(() -> client.stat("users", "writes") - userWrites == 2);

    assertThat(client.stat("threads", "writes") - threadWrites).isZero();
    assertThat(client.stat("threads", "reads") - threadReads).isZero();
    assertThat(client.stat("users", "writes") - userWrites).isEqualTo(2);
    JsonNode after = client.get("/stats", te).body();
    assertThat(after.at("/presence/online_users").asInt()).isZero();
    assertThat(after.at("/presence/sessions").asInt()).isZero();
  }

  @Test
  void threadCreated_tellsConnectedMembers_andStatusFlowsAtOnce() {
    String alice = u("alice");
    String bob = u("bob");
    String ta = client.login(alice);
    String tb = client.login(bob);
    try (TestSocket as = client.connect(ta); TestSocket bs = client.connect(tb)) {
      // Both online but sharing no thread: nobody is told about anybody.
      String thread = client.createThread(ta, "Fresh", bob);
      eventually().until(() -> !bs.ofType("thread_added").isEmpty());
      assertThat(bs.ofType("thread_added").get(0).get("thread_id").asText()).isEqualTo(thread);
      assertThat(as.ofType("thread_added")).isEmpty();
      assertThat(as.statusesOf(bob)).isEmpty();
      bs.leave();
      eventually().until(() -> as.statusesOf(bob).equals(List.of(false)));
    }
  }

  @Test
  void offlineGrace_absorbsAQuickReconnect() throws Exception {
    try (DemoServer own = DemoServer.start(DemoOptions.parse("--port", "0",
        "--offline-grace", "3s", "--batch-window", "0"))) {
      DemoClient c = new DemoClient(own.uri());
      String ta = c.login("alice");
      String tb = c.login("bob");
      c.createThread(ta, "Grace", "bob");
      try (TestSocket as = c.connect(ta)) {
        c.connect(tb).leave();
        TestSocket again = c.connect(tb); // a page reload, well within the grace
        eventually().until(() -> as.statusesOf("bob").equals(List.of(true)));
        again.leave();
        eventually().until(() -> as.statusesOf("bob").equals(List.of(true, false)));
        assertThat(as.statusesOf("bob")).as("no offline/online pair for the reload")
            .containsExactly(true, false);
      }
    }
  }

  @Test
  void silentClient_isEvictedAfterTheHeartbeatTimeout() throws Exception {
    String alice = u("alice");
    String zed = u("zed");
    String ta = client.login(alice);
    String tz = client.login(zed);
    String thread = client.createThread(ta, "Silent", zed);
    try (TestSocket as = client.connect(ta);
        java.net.Socket raw = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
      // A client that completes the handshake and then never answers anything (a frozen or
      // half-open peer): only the heartbeat can find it.
      raw.getOutputStream().write(("GET /ws?token=" + tz + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      assertThat(raw.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
      assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
      eventually().until(() -> as.statusesOf(zed).equals(List.of(true)));
      // timeout 3s: evicted after it, not before a heartbeat sweep found the silence
      eventually().until(() -> as.statusesOf(zed).equals(List.of(true, false)));
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), zed)
          .get("is_online").asBoolean()).isFalse();
    }
  }

  @Test
  void badOrMissingToken_refusesTheHandshake() {
    String token = client.login(u("mallory"));
    String forged = token.substring(0, token.length() - 2)
        + (token.endsWith("AA") ? "BB" : "AA");
    for (String bad : new String[] {null, "", "not-a-token", forged,
        "Ym9i." + token.substring(token.indexOf('.') + 1)}) {
      TestSocket s = new TestSocket();
      assertThatThrownBy(() -> client.connectAsync(bad, s).join())
          .as("token %s", bad)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(WebSocketHandshakeException.class)
          .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse()
              .statusCode()).isEqualTo(401));
    }
    assertThat(client.get("/stats", token).body().at("/presence/online_users").isInt()).isTrue();
  }

  @Test
  void api_withoutValidToken_is401() {
    String token = client.login(u("oscar"));
    assertThat(client.get("/threads", null).status()).isEqualTo(401);
    assertThat(client.get("/threads", "garbage").status()).isEqualTo(401);
    assertThat(client.get("/stats", null).status()).isEqualTo(401);
    assertThat(client.post("/threads", token + "x", "{\"name\":\"x\"}").status()).isEqualTo(401);
    assertThat(client.get("/threads", null).error()).contains("bearer token");
  }

  @Test
  void malformedJsonOrWrongTypes_are400NamingTheProblem_andTheServerKeepsServing() {
    String token = client.login(u("peggy"));
    assertError(client.post("/login", null, "{\"user_id\":"), 400, "malformed JSON");
    assertError(client.post("/login", null, "{\"user_id\":42}"), 400, "user_id must be a string but was number");
    assertError(client.post("/login", null, "{}"), 400, "user_id must be a string but was missing");
    assertError(client.post("/login", null, "{\"user_id\":\"  \"}"), 400, "user_id must be 1 to 64");
    assertError(client.post("/login", null, "[\"alice\"]"), 400, "must be a JSON object but was array");
    assertError(client.post("/login", null, null), 400, "must be a JSON object but was empty");
    assertError(client.post("/login", null, "{\"user_id\":\"a\",\"user_id\":\"b\"}"), 400, "Duplicate field 'user_id'");
    assertError(client.post("/threads", token, "{\"name\":7}"), 400, "name must be a string but was number");
    assertError(client.post("/threads", token, "{\"name\":\"x\",\"user_ids\":\"bob\"}"), 400, "user_ids must be an array of strings but was string");
    assertError(client.post("/threads", token, "{\"name\":\"x\",\"user_ids\":[\"bob\",3]}"), 400, "user_ids[1] must be a string but was number");
    String thread = client.createThread(token, "Errors");
    assertError(client.post("/threads/" + thread + "/invitations", token, "{\"user_id\":true}"), 400, "user_id must be a string but was boolean");
    assertError(client.post("/threads/" + thread + "/invitations", token, "{\"user_id\":\"" + u("peggy") + "\"}"), 409, "already a member");
    assertError(client.get("/threads/nope", token), 404, "thread 'nope' not found");
    assertError(client.post("/threads/nope/invitations/accept", token, null), 404, "no pending invitation");
    assertError(client.get("/login", null), 405, "method GET not allowed on '/login'");
    assertError(client.get("/nowhere", null), 404, "no such path: '/nowhere'");
    assertThat(client.get("/threads/" + thread, token).status()).isEqualTo(200);
  }

  @Test
  void corruptStoredThread_answersJson500WithAnIncidentId_notTheExceptionMessage() {
    String victor = u("victor");
    String token = client.login(victor);
    mongo.getDatabase("checklist").getCollection("threads").insertOne(new Document("id", "corrupt" + suffix)
        .append("name", "written by something else")
        .append("users", List.of(new Document("id", victor), new Document("name", "no id"))));
    ErrorLogGuard.expect("(incident ");
    Reply r = client.get("/threads/corrupt" + suffix, token);
    assertError(r, 500, "internal error (incident ");
    // The exception's message is logged, never sent to the client.
    assertThat(r.error()).doesNotContain("users", "non-blank", "Exception");
    assertThat(ErrorLogGuard.errors()).anySatisfy(line -> assertThat(line).contains(r.error()
        .substring(r.error().indexOf("incident ") + 9, r.error().length() - 1)));
    assertThat(client.get("/stats", token).status()).isEqualTo(200);
  }

  @Test
  void unknownWebSocketMessage_isAnsweredWithAnError_andTheSessionStays() {
    String token = client.login(u("trent"));
    try (TestSocket s = client.connect(token)) {
      s.send("hello");
      s.send("{\"type\":\"shout\"}");
      eventually().until(() -> s.ofType("error").size() == 2);
      assertThat(s.ofType("error").get(0).get("error").asText()).contains("must be JSON objects");
      assertThat(s.ofType("error").get(1).get("error").asText()).contains("unknown message type 'shout'");
      assertThat(s.closed).isNotDone();
      int before = s.jsonPings.get();
      eventually().until(() -> s.jsonPings.get() > before);
    }
  }

  @Test
  void page_isServedFromTheJar_withoutExternalScripts() {
    var page = client.http.sendAsync(java.net.http.HttpRequest.newBuilder(server.uri()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).join();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js\"></script>")
        .doesNotContain("http://", "https://");
    var js = client.http.sendAsync(java.net.http.HttpRequest.newBuilder(server.uri().resolve("/app.js")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).join();
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("from '/presence/presence-client.js'").doesNotContain("http://", "https://");
    // The library's client, from the adapter jar's META-INF/resources: the npm package's file.
    var lib = client.http.sendAsync(java.net.http.HttpRequest.newBuilder(
        server.uri().resolve("/presence/presence-client.js")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).join();
    assertThat(lib.statusCode()).isEqualTo(200);
    assertThat(lib.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("javascript"));
    assertThat(lib.body()).contains("{ type: 'pong' }").doesNotContain("import ", "http://", "https://");
  }

  private static void assertError(Reply r, int status, String fragment) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    assertThat(r.error()).as("%s", r).contains(fragment);
  }
}
