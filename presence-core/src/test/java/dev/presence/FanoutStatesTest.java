package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import dev.presence.testing.PresenceView;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code presence_state} with a batch window: sent at the window's flush, built for all at once. */
class FanoutStatesTest {
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Set<String> hiders = new HashSet<>();
  private final Set<String> blocked = new HashSet<>();
  private final FanoutFixture fixture = new FanoutFixture(b -> b
      .policy(PresencePolicy.hideLastSeen(hiders::contains)
          .and((viewer, subject) -> blocked.contains(viewer + ">" + subject) ? Visibility.NONE : Visibility.ALL)));
  private final FakeTime time = fixture.time;
  private final PresenceRegistry registry = fixture.registry;
  private final ThreadMembership threads = fixture.threads;

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private PresenceFanout fanout(Duration window, PresencePolicy policy) {
    return fixture.closeAfter(fixture.fanout(window).policy(policy).build());
  }

  private PresenceFanout batched() {
    return fanout(WINDOW, PresencePolicy.everyone());
  }

  /** A session whose registry messages and state both land in its outbound, in order. */
  private RecordingOutbound connectWithState(PresenceFanout f, String user, String session) {
    RecordingOutbound out = new RecordingOutbound();
    f.sendState(registry.connect(user, session, out), out::send);
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }

  private static String type(String text) {
    return json(text).path("type").asText();
  }

  @Test
  void withAWindow_theStateWaitsForTheEndOfTheWindow_andShowsItsChanges_withoutADiff() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound alice = connectWithState(f, "alice", "s1");
    registry.connect("bob", "s1", new RecordingOutbound());
    time.advance(WINDOW.dividedBy(2));
    assertThat(alice.sent).as("before the window ends").isEmpty();

    time.advance(WINDOW.dividedBy(2));

    assertThat(alice.sent).containsExactly("{\"type\":\"presence_state\",\"users\":{"
        + "\"bob\":{\"is_online\":true,\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"},"
        + "\"carol\":{\"is_online\":false,\"status\":\"offline\"}}}");
    assertThat(f.messagesSent()).isEqualTo(2); // alice's state, bob's diff (+alice)
  }

  @Test
  void aRoomComingOnlineInOneWindow_getsOneStatePerMember_listingEveryoneButItself() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      members.add(String.format("m%03d", i));
    }
    threads.joinAll("room", members);
    threads.joinAll("dm", List.of("m000", "x")); // m000's audience differs: a text of its own
    PresenceFanout f = batched();
    Map<String, RecordingOutbound> outs = new HashMap<>();
    for (String m : members) {
      outs.put(m, connectWithState(f, m, "s1"));
    }
    time.advance(WINDOW);

    for (String m : members) {
      List<String> sent = outs.get(m).sent;
      assertThat(sent).as(m).hasSize(1);
      JsonNode users = json(sent.get(0)).get("users");
      Set<String> expected = new TreeSet<>(members);
      expected.remove(m);
      if (m.equals("m000")) {
        expected.add("x");
      }
      Set<String> listed = new TreeSet<>();
      users.fieldNames().forEachRemaining(listed::add);
      assertThat(listed).as(m).isEqualTo(expected);
      assertThat(new PresenceView().applyAll(sent).onlineUsers()).as(m)
          .isEqualTo(expected.stream().filter(u -> !u.equals("x")).collect(java.util.stream.Collectors.toSet()));
    }
    assertThat(f.messagesSent()).isEqualTo(200);
  }

  @Test
  void theSessionsOfOneUserRegisteredInOneWindow_shareOneText() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = batched();
    registry.connect("bob", "s1", new RecordingOutbound());
    RecordingOutbound tab1 = connectWithState(f, "alice", "s1");
    RecordingOutbound tab2 = connectWithState(f, "alice", "s2");
    time.advance(WINDOW);

    assertThat(tab1.sent).hasSize(1);
    assertThat(tab2.sent).hasSize(1);
    assertThat(tab2.sent.get(0)).isSameAs(tab1.sent.get(0));
  }

  @Test
  void aNewSessionBesideAnOlderOne_getsItsStateBeforeTheWindowsDiff_andBothEndWithTheTruth() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound old = connectWithState(f, "alice", "s1");
    time.advance(WINDOW);
    assertThat(old.sent).hasSize(1);

    RecordingOutbound fresh = connectWithState(f, "alice", "s2");
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(type(fresh.sent.get(0))).isEqualTo("presence_state");
    assertThat(old.sent).hasSize(2);
    assertThat(type(old.sent.get(1))).isEqualTo("presence_diff"); // the older tab still needs it
    assertThat(new PresenceView().applyAll(old.sent).onlineUsers()).containsExactly("carol");
    assertThat(new PresenceView().applyAll(fresh.sent).onlineUsers()).containsExactly("carol");
  }

  @Test
  void aSessionThatConnectsAndClosesWithinOneWindow_getsNothing_andIsNotKept() {
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout f = batched();
    registry.connect("bob", "s1", new RecordingOutbound());
    List<String> received = new CopyOnWriteArrayList<>();
    List<WeakReference<Object>> held = new ArrayList<>();
    for (int i = 0; i < 50; i++) { // across several windows, some of which have other changes
      held.add(connectAndClose(f, "alice", "s" + i, received));
      if (i % 10 == 9) {
        time.advance(WINDOW);
      }
    }
    time.advance(WINDOW);

    assertThat(received).isEmpty();
    for (int i = 0; i < 50 && held.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
    }
    assertThat(held).as("the closed sessions' senders, once their windows ended")
        .allMatch(r -> r.get() == null);
  }

  private WeakReference<Object> connectAndClose(PresenceFanout f, String user, String session, List<String> received) {
    Consumer<String> send = received::add;
    PresenceSession s = registry.connect(user, session, new RecordingOutbound());
    f.sendState(s, send);
    s.close();
    return new WeakReference<>(send);
  }

  /**
   * Under per-viewer policies (reciprocal hidden last seen, blocking, texts hidden per pair) and
   * invisibility, the state a batched fan-out builds at its flush is, character for character,
   * the one a window-0 fan-out builds for the same viewer at the same instant.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5})
  void batchedStates_equalPerViewerStates_underAnyPolicy(int seed) {
    Random rnd = new Random(seed);
    List<String> users = fixture.joinAtRandom(rnd, 30, 3, 2);
    for (String v : users) {
      if (rnd.nextInt(4) == 0) {
        hiders.add(v);
      }
      for (String u : users) {
        if (rnd.nextInt(10) == 0) {
          blocked.add(v + ">" + u);
        }
      }
    }
    Set<String> textHidden = new HashSet<>();
    for (String v : users) {
      for (String u : users) {
        if (rnd.nextInt(5) == 0) {
          textHidden.add(v + ">" + u);
        }
      }
    }
    PresencePolicy texts = (viewer, subject) -> textHidden.contains(viewer + ">" + subject)
        ? new Visibility(true, false, true) : Visibility.ALL;
    PresenceFanout batched = fanout(WINDOW, texts);
    PresenceFanout immediate = fanout(Duration.ZERO, texts);
    List<Availability> availabilities = List.of(Availability.AVAILABLE, Availability.BUSY, Availability.AWAY,
        Availability.INVISIBLE);
    for (String u : users) {
      if (rnd.nextInt(3) > 0) {
        registry.connect(u, "old", new RecordingOutbound());
        registry.setStatus(u, new ClientMessage.SetStatus(availabilities.get(rnd.nextInt(4)), true,
            rnd.nextBoolean() ? StatusText.of("text of " + u) : null));
      }
    }
    time.advance(WINDOW);
    Map<String, PresenceSession> viewers = new HashMap<>();
    Map<String, List<String>> states = new HashMap<>();
    for (String v : users) {
      if (rnd.nextBoolean()) {
        PresenceSession s = registry.connect(v, "new", new RecordingOutbound());
        List<String> got = new ArrayList<>();
        batched.sendState(s, got::add);
        viewers.put(v, s);
        states.put(v, got);
      }
      if (rnd.nextInt(4) == 0) {
        registry.setAvailability(users.get(rnd.nextInt(users.size())), availabilities.get(rnd.nextInt(4)));
      }
    }
    time.advance(WINDOW);

    assertThat(viewers).isNotEmpty();
    viewers.forEach((v, s) -> {
      List<String> reference = new ArrayList<>();
      immediate.sendState(s, reference::add);
      assertThat(states.get(v)).as("state of %s", v).containsExactlyElementsOf(reference);
    });
  }
}
