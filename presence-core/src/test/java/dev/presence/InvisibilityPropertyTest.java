package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Under random sequences of connects, disconnects, availability and text changes, activity, time
 * passing and policy changes, a user who is invisible (or offline, or hidden from a viewer by the
 * policy) never appears online to anyone else through any output path: {@code isOnline},
 * {@code onlineAmong}, {@code onlineUsers}, {@code visiblePresence}, the broadcaster's messages,
 * the enricher's output and the listeners' events; and their last seen does not move meanwhile.
 * The ground truth is a model kept by the test, not the registry.
 */
class InvisibilityPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> USERS = List.of("u0", "u1", "u2", "u3");
  private static final List<String> SESSIONS = List.of("a", "b");

  sealed interface Op {}

  record Connect(String user, String session, Availability initial) implements Op {}

  record Close(String user, String session) implements Op {}

  record SetAvailability(String user, Availability availability) implements Op {}

  record SetText(String user, String text, int expiresInMinutes) implements Op {}

  record Activity(String user, String session) implements Op {}

  record Advance(int seconds) implements Op {}

  record ToggleBlock(String viewer, String subject) implements Op {}

  record ToggleHideLastSeen(String user) implements Op {}

  record ToggleHideText(String user) implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<String> user = Arbitraries.of(USERS);
    Arbitrary<String> session = Arbitraries.of(SESSIONS);
    Arbitrary<Availability> availability = Arbitraries.of(Availability.class);
    Arbitrary<Availability> initial = Arbitraries.of(Availability.AVAILABLE, Availability.INVISIBLE, Availability.BUSY)
        .injectNull(0.3);
    Arbitrary<Op> op = Arbitraries.oneOf(
        Combinators.combine(user, session, initial).as(Connect::new),
        Combinators.combine(user, session, initial).as(Connect::new),
        Combinators.combine(user, session).as(Close::new),
        Combinators.combine(user, availability).as(SetAvailability::new),
        Combinators.combine(user, availability).as(SetAvailability::new),
        Combinators.combine(user, Arbitraries.of("Lunch", "Call").injectNull(0.3), Arbitraries.integers().between(0, 20))
            .as(SetText::new),
        Combinators.combine(user, session).as(Activity::new),
        Arbitraries.integers().between(1, 600).map(Advance::new),
        Combinators.combine(user, user).filter((v, s) -> !v.equals(s)).as(ToggleBlock::new),
        user.map(ToggleHideLastSeen::new),
        user.map(ToggleHideText::new));
    return op.list().ofMinSize(1).ofMaxSize(40);
  }

  /** The test's own model of who is connected and who chose invisible. */
  private final Map<String, Set<String>> sessions = new HashMap<>();
  private final Map<String, Availability> chosen = new HashMap<>();
  private final Set<String> blocked = new HashSet<>();
  private final Set<String> hiders = new HashSet<>();
  private final Set<String> textHiders = new HashSet<>();
  private PresenceFanout fanout;

  private boolean connected(String u) {
    return !sessions.getOrDefault(u, Set.of()).isEmpty();
  }

  private boolean publiclyOnline(String u) {
    return connected(u) && chosen.get(u) != Availability.INVISIBLE;
  }

  private boolean hiddenFrom(String viewer, String subject) {
    return !publiclyOnline(subject) || blocked.contains(viewer + ">" + subject);
  }

  @Property(tries = 200)
  void invisibleOrHiddenUsers_neverAppearOnline_throughAnyPath(@ForAll("ops") List<Op> ops) throws Exception {
    sessions.clear();
    chosen.clear();
    blocked.clear();
    hiders.clear();
    textHiders.clear();
    FakeTime time = new FakeTime();
    LastSeenStore store = LastSeenStore.inMemory();
    PresencePolicy blocks = new PresencePolicy() {
      @Override
      public Visibility visibility(String viewer, String subject) {
        return blocked.contains(viewer + ">" + subject) ? Visibility.NONE
            : new Visibility(true, !textHiders.contains(subject), true);
      }

      @Override
      public Visibility anonymousVisibility(String subject) {
        return Visibility.ALL;
      }
    };
    RecordingListener listener = new RecordingListener();
    Map<String, List<RecordingOutbound>> outbounds = new HashMap<>();
    Map<String, PresenceSession> handles = new HashMap<>();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).lastSeenStore(store)
        .idleAfter(Duration.ofMinutes(5)).policy(PresencePolicy.hideLastSeen(hiders::contains).and(blocks))
        .build()) {
      registry.addListener(listener);
      ThreadMembership threads = new ThreadMembership();
      threads.joinAll("t", USERS);
      StatusBroadcaster.install(registry, threads);
      // the batched fan-out too: diffs at the end of each 30 s window, a state on every connect
      fanout = PresenceFanout.builder(registry, threads).batchWindow(Duration.ofSeconds(30)).scheduler(time).build();
      ThreadEnricher enricher = ThreadEnricher.builder(registry).lastSeenStore(store).build();
      Map<String, Boolean> listenerOnline = new HashMap<>();

      for (Op op : ops) {
        Map<String, Boolean> onlineBefore = new HashMap<>();
        Map<String, Boolean> hiddenBefore = new HashMap<>();
        for (String u : USERS) {
          onlineBefore.put(u, publiclyOnline(u));
          for (String v : USERS) {
            hiddenBefore.put(v + ">" + u, hiddenFrom(v, u));
          }
        }
        Map<String, Instant> seenBefore = store.readAll(USERS);
        java.util.IdentityHashMap<RecordingOutbound, Integer> sentBefore = new java.util.IdentityHashMap<>();
        outbounds.values().forEach(list -> list.forEach(o -> sentBefore.put(o, o.sent.size())));
        int eventsBefore = listener.events.size();

        apply(op, registry, time, handles, outbounds);

        // --- listener events of this step
        for (Object e : listener.events.subList(eventsBefore, listener.events.size())) {
          String u = e instanceof PresenceEvent t ? t.userId() : ((PresenceUpdate) e).userId();
          assertThat(onlineBefore.get(u) || publiclyOnline(u))
              .as("%s: event %s for a user hidden before and after", op, e).isTrue();
          if (e instanceof PresenceEvent t) {
            assertThat(listenerOnline.getOrDefault(u, false)).as("alternation of %s", u).isNotEqualTo(t.online());
            listenerOnline.put(u, t.online());
          }
        }
        for (String u : USERS) {
          boolean pub = publiclyOnline(u);
          assertThat(listenerOnline.getOrDefault(u, false)).as("%s: listeners' view of %s", op, u).isEqualTo(pub);
          // --- public lookups
          assertThat(registry.isOnline(u)).as("%s: isOnline(%s)", op, u).isEqualTo(pub);
          assertThat(registry.onlineAmong(USERS).contains(u)).isEqualTo(pub);
          assertThat(registry.onlineUsers().contains(u)).isEqualTo(pub);
          // --- last seen moves only when a publicly online user stops being so
          if (!onlineBefore.get(u)) {
            assertThat(store.readAll(List.of(u)).get(u)).as("%s: last seen of %s", op, u).isEqualTo(seenBefore.get(u));
          }
        }
        assertThat(registry.onlineUserCount()).isEqualTo((int) USERS.stream().filter(this::publiclyOnline).count());

        // --- per viewer: lookups, enrichment, fan-out
        for (String v : USERS) {
          ObjectNode thread = thread();
          enricher.enrichFor(v, thread);
          List<JsonNode> newMessages = new ArrayList<>();
          for (RecordingOutbound o : outbounds.getOrDefault(v, List.of())) {
            List<String> sent = o.sent; // appended in order: take what came during this step
            for (String m : sent.subList(sentBefore.getOrDefault(o, 0), sent.size())) {
              newMessages.add(JSON.readTree(m));
            }
          }
          for (String u : USERS) {
            if (u.equals(v)) {
              continue;
            }
            boolean hidden = hiddenFrom(v, u);
            VisiblePresence p = registry.visiblePresence(v, u);
            JsonNode member = member(thread, u);
            if (hidden) {
              assertThat(p).as("%s: visiblePresence(%s, %s)", op, v, u).isEqualTo(VisiblePresence.offline(u));
              assertThat(member.get("is_online").asBoolean()).as("%s: enrichFor(%s).%s", op, v, u).isFalse();
              assertThat(member.get("status").asText()).isEqualTo("offline");
              assertThat(member.has("status_text") || member.has("last_active")).isFalse();
            } else {
              assertThat(p.online()).isTrue();
              assertThat(member.get("is_online").asBoolean()).isTrue();
            }
            for (JsonNode m : newMessages) {
              if (m.path("type").asText().equals("presence_diff")) {
                for (JsonNode id : m.get("online")) {
                  assertThat(hidden && id.asText().equals(u)).as("%s: diff tells %s that %s is online", op, v, u).isFalse();
                }
                fieldsShown(op, m, v, u, m.path("users").get(u), hidden, store);
                continue;
              }
              if (m.path("type").asText().equals("presence_state")) {
                assertThat(m.get("users").has(v)).as("%s: a state lists its recipient %s", op, v).isFalse();
                JsonNode entry = m.get("users").get(u);
                assertThat(hidden && entry != null && entry.get("is_online").asBoolean())
                    .as("%s: state tells %s that %s is online", op, v, u).isFalse();
                fieldsShown(op, m, v, u, entry, hidden, store);
                continue;
              }
              if (!u.equals(m.path("user_id").asText())) {
                continue;
              }
              fieldsShown(op, m, v, u, m, hidden, store);
              assertThat(hiddenBefore.get(v + ">" + u) && hidden)
                  .as("%s: %s told about %s, hidden before and after: %s", op, v, u, m).isFalse();
              if (hidden) {
                assertThat(m.get("is_online").asBoolean()).as("%s: %s told %s is online", op, v, m).isFalse();
              }
            }
          }
        }
        // --- the anonymous view
        ObjectNode thread = enricher.enrich(thread());
        for (String u : USERS) {
          assertThat(member(thread, u).get("is_online").asBoolean()).isEqualTo(publiclyOnline(u));
        }
      }
    }
  }

  /**
   * What a message shows of {@code u} to {@code v} is what the policy lets {@code v} see as the
   * model has it: nothing online of a hidden user, no text or last active of an offline one, no
   * text where the subject hides texts, no last active or last seen where either hides last seen
   * (reciprocal), and a last seen only as the store has it (it does not move while invisible).
   */
  private void fieldsShown(Op op, JsonNode message, String v, String u, JsonNode entry, boolean hidden,
      LastSeenStore store) {
    if (entry == null) {
      return;
    }
    String what = op + ": " + v + " shown " + u + " in " + message;
    boolean online = entry.get("is_online").asBoolean();
    assertThat(hidden && online).as(what).isFalse();
    if (!online) {
      assertThat(entry.path("status").asText("offline")).as(what).isEqualTo("offline");
      assertThat(entry.has("status_text") || entry.has("last_active")).as(what).isFalse();
    }
    if (textHiders.contains(u)) {
      assertThat(entry.has("status_text")).as(what).isFalse();
    }
    if (hiders.contains(u) || hiders.contains(v)) {
      assertThat(entry.has("last_active") || entry.has("last_online")).as(what).isFalse();
    }
    if (entry.has("last_online")) {
      Instant seen = store.readAll(List.of(u)).get(u);
      assertThat(seen).as(what).isNotNull();
      assertThat(entry.get("last_online").asText()).as(what).isEqualTo(PresenceMessages.format(seen));
    }
  }

  private void apply(Op op, PresenceRegistry registry, FakeTime time, Map<String, PresenceSession> handles,
      Map<String, List<RecordingOutbound>> outbounds) {
    if (op instanceof Connect c) {
      Set<String> mine = sessions.computeIfAbsent(c.user(), k -> new HashSet<>());
      if (mine.isEmpty()) {
        chosen.put(c.user(), c.initial() == null ? Availability.AVAILABLE : c.initial());
      }
      mine.add(c.session());
      RecordingOutbound out = new RecordingOutbound();
      outbounds.computeIfAbsent(c.user(), k -> new ArrayList<>()).add(out);
      PresenceSession s = registry.connect(c.user(), c.session(), out,
          ConnectOptions.defaults().withAvailability(c.initial()));
      handles.put(c.user() + "/" + c.session(), s);
      fanout.sendState(s, out::send);
    } else if (op instanceof Close c) {
      PresenceSession s = handles.remove(c.user() + "/" + c.session());
      if (s != null) {
        s.close();
        sessions.get(c.user()).remove(c.session());
      }
    } else if (op instanceof SetAvailability a) {
      boolean known = registry.setAvailability(a.user(), a.availability());
      assertThat(known).isEqualTo(connected(a.user()));
      if (known) {
        chosen.put(a.user(), a.availability());
      }
    } else if (op instanceof SetText t) {
      registry.setStatusText(t.user(), t.text() == null ? null
          : StatusText.of(t.text(), t.expiresInMinutes() == 0 ? null : time.now().plus(Duration.ofMinutes(t.expiresInMinutes()))));
    } else if (op instanceof Activity a) {
      PresenceSession s = handles.get(a.user() + "/" + a.session());
      if (s != null) {
        s.activity();
        s.metadata(Map.of("n", Integer.toString(s.metadata().size())));
      }
    } else if (op instanceof Advance a) {
      time.advance(Duration.ofSeconds(a.seconds()));
    } else if (op instanceof ToggleBlock b) {
      String key = b.viewer() + ">" + b.subject();
      if (!blocked.remove(key)) {
        blocked.add(key);
      }
    } else if (op instanceof ToggleHideLastSeen h) {
      if (!hiders.remove(h.user())) {
        hiders.add(h.user());
      }
    } else if (op instanceof ToggleHideText h) {
      if (!textHiders.remove(h.user())) {
        textHiders.add(h.user());
      }
    }
  }

  private static ObjectNode thread() {
    ObjectNode t = JSON.createObjectNode().put("id", "t");
    ArrayNode users = t.putArray("users");
    for (String u : USERS) {
      users.addObject().put("id", u).put("username", u).put("name", u).put("joined_at", "2026-01-01T00:00:00Z");
    }
    return t;
  }

  private static JsonNode member(JsonNode thread, String u) {
    for (JsonNode m : thread.get("users")) {
      if (m.get("id").asText().equals(u)) {
        return m;
      }
    }
    throw new AssertionError(u);
  }
}
