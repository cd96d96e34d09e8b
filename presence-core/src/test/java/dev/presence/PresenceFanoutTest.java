package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.presence.test.FakeTime;
import dev.presence.testing.PresenceView;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PresenceFanoutTest {
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private final FanoutFixture fixture = new FanoutFixture();
  private final FakeTime time = fixture.time;
  private final PresenceRegistry registry = fixture.registry;
  private final ThreadMembership threads = fixture.threads;

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private PresenceFanout batched() {
    return fanout(fixture.fanout(WINDOW));
  }

  private PresenceFanout fanout(PresenceFanout.Builder b) {
    return fixture.closeAfter(b.build());
  }

  private RecordingOutbound connect(String user) {
    RecordingOutbound out = new RecordingOutbound();
    registry.connect(user, "s1", out);
    return out;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A diff's lists in short: {@code "diff +alice +bob -carol"}, users-only entries as {@code ~dave}. */
  private static String lists(String message) {
    JsonNode n = json(message);
    assertThat(n.path("type").asText()).as(message).isEqualTo("presence_diff");
    StringBuilder out = new StringBuilder("diff");
    Set<String> listed = new HashSet<>();
    n.get("online").forEach(u -> {
      out.append(" +").append(u.asText());
      listed.add(u.asText());
    });
    n.get("offline").forEach(u -> {
      out.append(" -").append(u.asText());
      listed.add(u.asText());
    });
    n.get("users").fieldNames().forEachRemaining(u -> {
      if (!listed.contains(u)) {
        out.append(" ~").append(u);
      }
    });
    assertThat(listed).as("every listed user has fields: %s", message)
        .allMatch(u -> n.get("users").has(u));
    return out.toString();
  }

  private static final Map<String, com.networknt.schema.Schema> SCHEMAS = new HashMap<>();

  /** Every message validates against its published schema (docs/schema). */
  private static void assertValid(List<String> messages) {
    for (String m : messages) {
      String type = json(m).path("type").asText();
      com.networknt.schema.Schema schema = SCHEMAS.computeIfAbsent(type, t -> {
        try {
          return Schemas.load(t.replace('_', '-') + ".schema.json");
        } catch (Exception e) {
          throw new AssertionError("no schema for " + t, e);
        }
      });
      assertThat(schema.validate(m, com.networknt.schema.InputFormat.JSON)).as(m).isEmpty();
    }
  }

  private static List<String> lists(List<String> messages) {
    return messages.stream().map(PresenceFanoutTest::lists).toList();
  }

  private static JsonNode json(String message) {
    try {
      return JSON.readTree(message);
    } catch (Exception e) {
      throw new AssertionError(message, e);
    }
  }

  /** The fields a diff or state carries of one user. */
  private static JsonNode entry(String message, String user) {
    return json(message).get("users").get(user);
  }

  // ------------------------------------------------------------------ window 0

  /** Runs one script of connects and closes and returns every outbound's messages. */
  private static Map<String, List<String>> script(boolean useFanout) {
    FakeTime t = new FakeTime();
    PresenceRegistry r = PresenceRegistry.builder().withoutHeartbeat().ticker(t).clock(t.clock())
        .scheduler(t).eventExecutor(Runnable::run).build();
    ThreadMembership m = new ThreadMembership();
    m.joinAll("t1", List.of("alice", "bob", "carol"));
    m.joinAll("t2", List.of("carol", "dave"));
    AutoCloseable installed = useFanout
        ? PresenceFanout.builder(r, m).build()
        : StatusBroadcaster.install(r, m);
    Map<String, RecordingOutbound> outs = new HashMap<>();
    Map<String, PresenceSession> sessions = new HashMap<>();
    for (String step : List.of("bob/1", "bob/2", "carol/1", "alice/1", "dave/1", "-bob/1",
        "-alice/1", "alice/2", "-bob/2", "-carol/1", "bob/3", "-dave/1")) {
      boolean close = step.startsWith("-");
      String key = close ? step.substring(1) : step;
      if (close) {
        sessions.get(key).close();
      } else {
        RecordingOutbound o = new RecordingOutbound();
        outs.put(key, o);
        String[] p = key.split("/", -1);
        sessions.put(key, r.connect(p[0], p[1], o));
      }
    }
    try {
      installed.close();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    r.close();
    Map<String, List<String>> sent = new HashMap<>();
    outs.forEach((k, o) -> sent.put(k, List.copyOf(o.sent)));
    return sent;
  }

  @Test
  void windowZero_sendsExactlyTheMessagesOfStatusBroadcaster() {
    Map<String, List<String>> fanout = script(true);
    assertThat(fanout).isEqualTo(script(false));
    assertThat(fanout.get("bob/1")).containsExactly(
        "{\"type\":\"user_status_changed\",\"user_id\":\"carol\",\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"}",
        "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"}");
  }

  @Test
  void windowZero_isTheDefault_andNeedsNoScheduler() {
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads));
    threads.joinAll("t1", List.of("alice", "bob"));
    RecordingOutbound bob = connect("bob");
    connect("alice");
    assertThat(f.batchWindow()).isZero();
    assertThat(bob.sent).containsExactly(
        "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"}");
    assertThat(time.pendingTasks()).isZero();
  }

  // ------------------------------------------------------------------ batching

  @Test
  void changesWithinAWindow_reachEachRecipientAsOneDiff_whenTheWindowEnds() {
    threads.joinAll("t1", List.of("alice", "bob", "carol", "dave"));
    batched();
    RecordingOutbound dave = connect("dave");
    time.advance(WINDOW);
    dave.sent.clear();

    connect("alice");
    connect("bob");
    PresenceSession carol = registry.connect("carol", "s1", new RecordingOutbound());
    carol.close();
    assertThat(dave.sent).isEmpty();

    time.advance(WINDOW.minusMillis(1));
    assertThat(dave.sent).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(lists(dave.sent)).containsExactly("diff +alice +bob");
  }

  @Test
  void aUserWhoFlipsAndFlipsBackWithinAWindow_isInNeitherList() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    batched();
    RecordingOutbound bob = connect("bob");
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    time.advance(WINDOW);
    bob.sent.clear();

    alice.close();
    registry.connect("alice", "s2", new RecordingOutbound());
    PresenceSession carol = registry.connect("carol", "s1", new RecordingOutbound());
    carol.close();
    time.advance(WINDOW);

    assertThat(bob.sent).isEmpty();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void listenersStillSeeEveryTransitionInOrder_whileTheWireIsCoalesced() {
    threads.joinAll("t1", List.of("alice", "bob"));
    batched();
    List<String> heard = new CopyOnWriteArrayList<>();
    fixture.closeAfter(registry.addListener(e -> heard.add(e.userId() + (e.online() ? "+" : "-"))));
    RecordingOutbound bob = connect("bob");
    time.advance(WINDOW);
    bob.sent.clear();

    for (int i = 0; i < 3; i++) {
      registry.connect("alice", "s" + i, new RecordingOutbound()).close();
    }
    registry.connect("alice", "last", new RecordingOutbound());
    time.advance(WINDOW);
    registry.sendToUser("alice", "x"); // irrelevant traffic
    registry.connect("alice", "last", new RecordingOutbound()).close(); // replaced, then closed
    time.advance(WINDOW);

    assertThat(heard).containsExactly("bob+", "alice+", "alice-", "alice+", "alice-", "alice+", "alice-",
        "alice+", "alice-");
    assertThat(lists(bob.sent)).containsExactly("diff +alice", "diff -alice");
  }

  @Test
  void eachRecipientHearsOnlyOfItsOwnAudience_andNeverOfItself() {
    threads.joinAll("t1", List.of("alice", "bob"));
    threads.joinAll("t2", List.of("bob", "carol"));
    batched();
    RecordingOutbound alice = connect("alice");
    RecordingOutbound bob = connect("bob");
    RecordingOutbound carol = connect("carol");
    time.advance(WINDOW);

    assertThat(lists(alice.sent)).containsExactly("diff +bob");
    assertThat(lists(carol.sent)).containsExactly("diff +bob");
    assertThat(lists(bob.sent)).containsExactly("diff +alice +carol");
  }

  @Test
  void aRecipientWithMoreChangesThanTheBound_getsAResyncAndAState_insteadOfADiff() {
    threads.joinAll("t1", List.of("alice", "bob", "carol", "dave"));
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads).batchWindow(WINDOW)
        .scheduler(time).maxDiffUsers(2));
    RecordingOutbound dave = connect("dave");
    time.advance(WINDOW);
    dave.sent.clear();
    connect("alice");
    connect("bob");
    connect("carol");
    time.advance(WINDOW);

    assertThat(dave.sent).containsExactly("{\"type\":\"presence_resync\"}",
        "{\"type\":\"presence_state\",\"users\":{\"alice\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:01Z\"},"
            + "\"bob\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:01Z\"},\"carol\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:01Z\"}}}");
    assertThat(f.resyncs()).isEqualTo(1);
    // alice's diff lists bob and carol: within the bound
    assertThat(new PresenceView().applyAll(dave.sent).onlineUsers())
        .containsExactly("alice", "bob", "carol");
  }

  // ------------------------------------------------------------------ rich fields

  @Test
  void statusAndTextChanges_withAWindow_reachEachRecipientInTheWindowsOneDiff_latestWinning() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = batched();
    RecordingOutbound bob = connect("bob");
    connect("alice");
    time.advance(WINDOW);
    bob.sent.clear();
    long before = f.messagesSent();

    registry.setAvailability("alice", Availability.BUSY);
    registry.setStatusText("alice", StatusText.of("Lunch"));
    registry.setStatusText("alice", StatusText.of("Call"));
    assertThat(bob.sent).as("nothing at once").isEmpty();
    time.advance(WINDOW);

    assertThat(lists(bob.sent)).containsExactly("diff ~alice");
    assertThat(entry(bob.sent.get(0), "alice")).isEqualTo(json(
        "{\"is_online\":true,\"status\":\"busy\",\"status_text\":\"Call\",\"last_active\":\"2026-01-01T00:00:00Z\"}"));
    assertThat(f.messagesSent() - before).isEqualTo(1);
  }

  @Test
  void aStatusChangedAndChangedBackWithinAWindow_sendsNothing_whileAMetadataChangeNeverDoes() {
    threads.joinAll("t1", List.of("alice", "bob"));
    batched();
    RecordingOutbound bob = connect("bob");
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    registry.setStatusText("alice", StatusText.of("Call"));
    time.advance(WINDOW);
    bob.sent.clear();

    registry.setAvailability("alice", Availability.AWAY);
    registry.setStatusText("alice", null);
    registry.setAvailability("alice", Availability.AVAILABLE);
    registry.setStatusText("alice", StatusText.of("Call"));
    alice.metadata(java.util.Map.of("device", "mobile"));
    time.advance(WINDOW);

    assertThat(bob.sent).isEmpty();
  }

  @Test
  void aUserWhoReconnectsWithinAWindow_withAnotherStatus_isInUsersButInNeitherList() {
    threads.joinAll("t1", List.of("alice", "bob"));
    batched();
    RecordingOutbound bob = connect("bob");
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    registry.setAvailability("alice", Availability.BUSY);
    registry.setStatusText("alice", StatusText.of("Call"));
    time.advance(WINDOW);
    bob.sent.clear();

    alice.close(); // no grace: availability and text go with the last session
    time.advance(Duration.ofMillis(100));
    registry.connect("alice", "s2", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(lists(bob.sent)).containsExactly("diff ~alice");
    assertThat(entry(bob.sent.get(0), "alice")).isEqualTo(json(
        "{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:01.100Z\"}"));
  }

  @Test
  void diffsAndStates_carryOnlyWhatEachRecipientMaySee_onlineAndOffline() {
    threads.joinAll("t1", List.of("alice", "bob", "dave"));
    PresencePolicy bobSeesPresenceOnly = (viewer, subject) ->
        viewer.equals("bob") ? Visibility.PRESENCE_ONLY : Visibility.ALL;
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads).batchWindow(WINDOW).scheduler(time)
        .policy(bobSeesPresenceOnly));
    RecordingOutbound bob = connect("bob");
    RecordingOutbound dave = connect("dave");
    time.advance(WINDOW);
    bob.sent.clear();
    dave.sent.clear();

    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Call")));
    time.advance(WINDOW);
    assertThat(lists(bob.sent)).containsExactly("diff +alice");
    assertThat(lists(dave.sent)).containsExactly("diff +alice");
    assertThat(entry(bob.sent.get(0), "alice")).isEqualTo(json("{\"is_online\":true,\"status\":\"busy\"}"));
    assertThat(entry(dave.sent.get(0), "alice")).isEqualTo(json(
        "{\"is_online\":true,\"status\":\"busy\",\"status_text\":\"Call\",\"last_active\":\"2026-01-01T00:00:01Z\"}"));

    // a text-only change: dave hears of it, bob (who may not see texts) does not
    registry.setStatusText("alice", StatusText.of("Lunch"));
    time.advance(WINDOW);
    assertThat(bob.sent).hasSize(1);
    assertThat(lists(dave.sent.subList(1, 2))).containsExactly("diff ~alice");

    // states: the same rules
    RecordingOutbound bobLate = new RecordingOutbound();
    f.sendState(registry.connect("bob", "s2", bobLate), bobLate::send);
    RecordingOutbound daveLate = new RecordingOutbound();
    f.sendState(registry.connect("dave", "s2", daveLate), daveLate::send);
    time.advance(WINDOW); // with a window, states come at its end
    assertThat(entry(bobLate.sent.get(0), "alice")).isEqualTo(json("{\"is_online\":true,\"status\":\"busy\"}"));
    assertThat(entry(daveLate.sent.get(0), "alice").get("status_text").asText()).isEqualTo("Lunch");

    // offline: last_online only where last seen may be seen
    alice.close();
    time.advance(WINDOW);
    assertValid(bob.sent);
    assertValid(dave.sent);
    assertValid(bobLate.sent);
    assertValid(daveLate.sent);
    assertThat(entry(bob.sent.get(bob.sent.size() - 1), "alice"))
        .isEqualTo(json("{\"is_online\":false,\"status\":\"offline\"}"));
    assertThat(entry(dave.sent.get(dave.sent.size() - 1), "alice")).isEqualTo(json(
        "{\"is_online\":false,\"status\":\"offline\",\"last_online\":\"2026-01-01T00:00:04Z\"}"));
  }

  @Test
  void aStateWithAWindow_showsTheLatestActivity_whichFiresNoEvent() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = batched();
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    time.advance(Duration.ofSeconds(5));
    alice.activity();
    RecordingOutbound bob = new RecordingOutbound();
    f.sendState(registry.connect("bob", "s1", bob), bob::send);
    time.advance(WINDOW);

    assertThat(entry(bob.sent.get(0), "alice").get("last_active").asText()).isEqualTo("2026-01-01T00:00:05Z");
  }

  @Test
  void windowZero_leavesOutWhatTheFanoutsPolicyHides() {
    threads.joinAll("t1", List.of("alice", "bob"));
    fanout(PresenceFanout.builder(registry, threads).policy((viewer, subject) -> Visibility.PRESENCE_ONLY));
    RecordingOutbound bob = connect("bob");
    connect("alice");
    registry.setStatusText("alice", StatusText.of("Call"));
    assertThat(bob.sent).containsExactly(
        "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,\"status\":\"available\"}",
        "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,\"status\":\"available\"}");
  }

  // ------------------------------------------------------------------ state on connect

  @ParameterizedTest
  @ValueSource(longs = {0, 1000})
  void aSessionThatConnects_getsTheStateOfItsWholeAudience(long windowMillis) {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    threads.joinAll("t2", List.of("alice", "dave"));
    threads.join("t3", "erin");
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads)
        .batchWindow(Duration.ofMillis(windowMillis)).scheduler(time));
    connect("bob");
    connect("dave");
    connect("erin");
    RecordingOutbound out = new RecordingOutbound();
    PresenceSession alice = registry.connect("alice", "s1", out);
    f.sendState(alice, out::send);
    time.advance(Duration.ofMillis(windowMillis));

    assertThat(out.sent).containsExactly("{\"type\":\"presence_state\",\"users\":{"
        + "\"bob\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"},\"carol\":{\"is_online\":false,\"status\":\"offline\"},"
        + "\"dave\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"}}}");
  }

  @Test
  void aClosedSession_getsNoState() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = batched();
    RecordingOutbound out = new RecordingOutbound();
    PresenceSession alice = registry.connect("alice", "s1", out);
    alice.close();
    f.sendState(alice, out::send);
    assertThat(out.sent).isEmpty();
  }

  @Test
  void aStateWithAWindow_isCutWhenTheWindowCloses_soAUserWhoFlippedAndCameBackNeedsNoDiff() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresenceFanout f = batched();
    connect("carol");
    time.advance(WINDOW);
    PresenceSession carol1 = registry.connect("carol", "s1", new RecordingOutbound()); // replaces

    carol1.close(); // carol offline (window: started online)
    RecordingOutbound out = new RecordingOutbound();
    PresenceSession bob = registry.connect("bob", "s1", out);
    f.sendState(bob, out::send); // nothing yet: the state waits for the end of the window
    assertThat(out.sent).isEmpty();
    registry.connect("carol", "s2", new RecordingOutbound()); // back: no net change in the window
    time.advance(WINDOW);

    assertThat(out.sent).hasSize(1);
    assertThat(new PresenceView().applyAll(out.sent).onlineUsers()).containsExactly("carol");
  }

  @Test
  void aUserWhoFlipsBackAfterAResyncState_isInTheNextDiffOfThatRecipient() {
    threads.joinAll("t1", List.of("alice", "bob", "carol", "dave"));
    fanout(PresenceFanout.builder(registry, threads).batchWindow(WINDOW).scheduler(time).maxDiffUsers(1));
    RecordingOutbound out = connect("bob");
    PresenceSession carol = registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);
    connect("alice");
    connect("dave");
    time.advance(WINDOW); // two users in bob's diff: resync + a state, cut after the window closed
    assertThat(out.sent).extracting(m -> json(m).path("type").asText())
        .containsExactly("presence_diff", "presence_resync", "presence_state");
    int before = out.sent.size();

    carol.close();
    registry.connect("carol", "s2", new RecordingOutbound()); // back: no net change in the window
    time.advance(WINDOW);

    assertThat(out.sent).hasSizeBetween(before, before + 1);
    assertThat(new PresenceView().applyAll(out.sent).onlineUsers()).containsExactly("alice", "carol", "dave");
  }

  // ------------------------------------------------------------------ convergence

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomChurn_everyClientsViewEqualsTheTruth_afterTheLastWindow(int seed) {
    randomChurn(seed, threads);
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 12, 13, 14})
  void randomChurn_withAnyAudience_everyClientsViewEqualsTheTruth(int seed) {
    randomChurn(seed, u -> threads.audienceOf(u)); // not a ThreadMembership: the per-user path
  }

  private void randomChurn(int seed, Audience audience) {
    Random rnd = new Random(seed);
    List<String> users = fixture.joinAtRandom(rnd, 12, 4, 3);
    PresenceFanout f = fanout(PresenceFanout.builder(registry, audience).batchWindow(WINDOW)
        .scheduler(time).maxDiffUsers(1 + rnd.nextInt(4)));
    Map<String, PresenceSession> sessions = new HashMap<>();
    Map<String, RecordingOutbound> outs = new HashMap<>();
    List<Availability> availabilities = List.of(Availability.AVAILABLE, Availability.BUSY, Availability.AWAY,
        Availability.INVISIBLE);
    for (int step = 0; step < 400; step++) {
      String u = users.get(rnd.nextInt(users.size()));
      if (rnd.nextInt(4) == 0) { // a status change, folded into the window's diff
        int text = rnd.nextInt(3);
        registry.setStatus(u, new ClientMessage.SetStatus(availabilities.get(rnd.nextInt(4)), text > 0,
            text == 2 ? StatusText.of("t" + rnd.nextInt(3)) : null));
        time.advance(Duration.ofMillis(rnd.nextInt(400)));
        continue;
      }
      String key = u + "/" + rnd.nextInt(2);
      PresenceSession s = sessions.get(key);
      if (s != null && s.isOpen()) {
        s.close();
      } else {
        RecordingOutbound o = new RecordingOutbound();
        PresenceSession fresh = registry.connect(u, key, o);
        sessions.put(key, fresh);
        outs.put(key, o);
        f.sendState(fresh, o::send);
      }
      time.advance(Duration.ofMillis(rnd.nextInt(400)));
    }
    time.advance(WINDOW);

    Set<String> truth = registry.onlineUsers();
    sessions.forEach((key, s) -> {
      if (s.isOpen()) {
        String viewer = s.userId();
        Set<String> expected = new TreeSet<>(threads.audienceOf(viewer));
        expected.retainAll(truth);
        assertValid(outs.get(key).sent);
        assertThat(outs.get(key).sent).as("session %s", key).first().asString()
            .startsWith("{\"type\":\"presence_state\""); // never a diff before its state
        PresenceView view = new PresenceView().applyAll(outs.get(key).sent);
        assertThat(view.onlineUsers()).as("view of session %s", key).isEqualTo(expected);
        Map<String, String> statuses = new TreeMap<>();
        for (String m : threads.audienceOf(viewer)) {
          if (!m.equals(viewer)) {
            VisiblePresence p = registry.visiblePresence(viewer, m);
            statuses.put(m, p.status().wireName() + "|" + (p.statusText() == null ? "" : p.statusText().text()));
          }
        }
        assertThat(view.statuses()).as("statuses seen by session %s", key).isEqualTo(statuses);
      }
    });
  }

  // ------------------------------------------------------------------ policy

  @ParameterizedTest
  @ValueSource(longs = {0, 1000})
  void aSubjectTheViewerMayNotSee_looksOfflineInStates_andNeverReachesItsDiffs(long windowMillis) {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresencePolicy carolHidesFromAlice = (viewer, subject) ->
        viewer.equals("alice") && subject.equals("carol") ? Visibility.NONE : Visibility.ALL;
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads)
        .batchWindow(Duration.ofMillis(windowMillis)).scheduler(time).policy(carolHidesFromAlice));
    RecordingOutbound alice = new RecordingOutbound();
    f.sendState(registry.connect("alice", "s1", alice), alice::send);
    RecordingOutbound bob = connect("bob");
    connect("carol");
    time.advance(WINDOW);
    RecordingOutbound late = new RecordingOutbound();
    f.sendState(registry.connect("alice", "s2", late), late::send);
    time.advance(WINDOW);

    assertThat(new PresenceView().applyAll(alice.sent).onlineUsers()).containsExactly("bob");
    assertThat(new PresenceView().applyAll(late.sent).map())
        .containsEntry("bob", true).containsEntry("carol", false);
    assertThat(new PresenceView().applyAll(bob.sent).onlineUsers()).contains("carol");
    assertThat(String.join("", alice.sent)).doesNotContain("carol\":{\"is_online\":true");
  }

  @Test
  void aPolicyThatThrows_hidesTheSubject() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = fanout(PresenceFanout.builder(registry, threads).batchWindow(WINDOW)
        .scheduler(time).policy((viewer, subject) -> {
          throw new IllegalStateException("policy store down");
        }));
    RecordingOutbound alice = connect("alice");
    connect("bob");
    time.advance(WINDOW);
    RecordingOutbound out = new RecordingOutbound();
    f.sendState(registry.connect("bob", "s2", out), out::send);
    time.advance(WINDOW);

    assertThat(alice.sent).isEmpty();
    assertThat(out.sent).containsExactly("{\"type\":\"presence_state\",\"users\":{\"alice\":{\"is_online\":false,\"status\":\"offline\"}}}");
  }

  // ------------------------------------------------------------------ shutdown and settings

  @Test
  void afterClose_nothingIsSent_evenWhenTheRegistryTakesEveryoneOffline() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound bob = connect("bob");
    connect("alice");
    f.close();
    registry.connect("carol", "s1", new RecordingOutbound());
    registry.close();
    time.advance(WINDOW.multipliedBy(2));

    assertThat(bob.sent).isEmpty();
    assertThat(f.messagesSent()).isZero();
  }

  @Test
  void builder_rejectsBadSettings_namingThem() {
    PresenceFanout.Builder b = PresenceFanout.builder(registry, threads);
    assertThatThrownBy(() -> b.batchWindow(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchWindow must not be negative: PT-0.001S");
    assertThatThrownBy(() -> b.batchWindow(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchWindow must be at most PT1M: PT2M");
    assertThatThrownBy(() -> b.maxDiffUsers(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDiffUsers must be positive: 0");
    assertThatThrownBy(() -> b.batchWindow(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("batchWindow");
    assertThatThrownBy(() -> PresenceFanout.builder(null, threads))
        .isInstanceOf(NullPointerException.class).hasMessage("registry");
    assertThatThrownBy(() -> b.scheduler(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("scheduler");
  }
}
