package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Property tests of {@link ThreadEnricher} over random thread shapes, well-formed and not. */
class ThreadEnricherPropertyTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> IDS = List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7");
  private static final Instant BASE = Instant.parse("2026-06-01T12:00:00Z");

  @Property(tries = 300)
  void wellFormedThreads_getExactPresence_withAtMostOneStoreRead(
      @ForAll("wellFormedThreads") List<JsonNode> threads,
      @ForAll("subsetOfIds") Set<String> online,
      @ForAll("subsetOfIds") Set<String> seen) {
    FakeTime time = new FakeTime();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
        .ticker(time).clock(time.clock()).scheduler(time).build()) {
      online.forEach(u -> registry.connect(u, "s", new RecordingOutbound()));
      ThreadEnricherTest.CountingReads store = new ThreadEnricherTest.CountingReads();
      Map<String, Instant> times = new HashMap<>();
      seen.forEach(u -> times.put(u, BASE.plusSeconds(u.hashCode() % 1000)));
      store.recordAll(times);
      List<JsonNode> before = deepCopy(threads);

      ThreadEnricher.builder(registry).lastSeenStore(store).build().enrichAll(threads);

      assertThat(store.reads.get()).isLessThanOrEqualTo(1);
      for (int t = 0; t < threads.size(); t++) {
        JsonNode users = threads.get(t).get("users");
        if (users == null || users.isNull()) {
          assertThat(threads.get(t)).isEqualTo(before.get(t));
          continue;
        }
        for (int u = 0; u < users.size(); u++) {
          JsonNode user = users.get(u);
          String id = user.get("id").textValue();
          boolean isOnline = online.contains(id);
          assertThat(user.get("is_online").booleanValue()).isEqualTo(isOnline);
          if (!isOnline && times.containsKey(id)) {
            assertThat(Instant.parse(user.get("last_online").textValue())).isEqualTo(times.get(id));
          } else {
            assertThat(user.has("last_online")).isFalse();
          }
          // every other field is untouched
          ObjectNode expected = ((ObjectNode) before.get(t).get("users").get(u)).deepCopy();
          ObjectNode actual = ((ObjectNode) user).deepCopy();
          expected.remove(List.of("is_online", "last_online"));
          actual.remove(List.of("is_online", "last_online"));
          assertThat(actual).isEqualTo(expected);
        }
      }
    }
  }

  @Property(tries = 500)
  void anyShape_eitherEnrichesOrFailsWithAPath_andNeverHalfway(
      @ForAll("anyThreads") List<JsonNode> threads, @ForAll("subsetOfIds") Set<String> online) {
    FakeTime time = new FakeTime();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
        .ticker(time).clock(time.clock()).scheduler(time).build()) {
      online.forEach(u -> registry.connect(u, "s", new RecordingOutbound()));
      ThreadEnricher enricher = ThreadEnricher.builder(registry).lastSeenStore(LastSeenStore.inMemory()).build();
      List<JsonNode> before = deepCopy(threads);

      if (isWellFormed(threads)) {
        enricher.enrichAll(threads);
      } else {
        assertThatThrownBy(() -> enricher.enrichAll(threads))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("threads[")
            .hasMessageContaining(" must be ");
        assertThat(threads).isEqualTo(before);
      }
    }
  }

  @Property(tries = 200)
  void mapForm_agreesWithTreeForm(@ForAll("wellFormedThreads") List<JsonNode> threads,
      @ForAll("subsetOfIds") Set<String> online) throws Exception {
    FakeTime time = new FakeTime();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
        .ticker(time).clock(time.clock()).scheduler(time).build()) {
      online.forEach(u -> registry.connect(u, "s", new RecordingOutbound()));
      ThreadEnricher enricher = ThreadEnricher.builder(registry).build();
      List<Map<String, Object>> maps = new ArrayList<>();
      for (JsonNode t : threads) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.treeToValue(t, Map.class);
        maps.add(m);
      }
      enricher.enrichAll(threads);
      enricher.enrichMaps(maps);

      for (int i = 0; i < threads.size(); i++) {
        assertThat(JSON.valueToTree(maps.get(i)).equals(threads.get(i))).isTrue();
      }
    }
  }

  static boolean isWellFormed(List<JsonNode> threads) {
    for (JsonNode t : threads) {
      if (t == null || !t.isObject()) {
        return false;
      }
      JsonNode users = t.get("users");
      if (users == null || users.isNull()) {
        continue;
      }
      if (!users.isArray()) {
        return false;
      }
      for (JsonNode u : users) {
        if (!u.isObject()) {
          return false;
        }
        JsonNode id = u.get("id");
        if (id == null || !id.isTextual() || id.textValue().isBlank()) {
          return false;
        }
      }
    }
    return true;
  }

  static List<JsonNode> deepCopy(List<JsonNode> threads) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode t : threads) {
      out.add(t == null ? null : t.deepCopy());
    }
    return out;
  }

  @Provide
  Arbitrary<Set<String>> subsetOfIds() {
    return Arbitraries.of(IDS).set();
  }

  @Provide
  Arbitrary<List<JsonNode>> wellFormedThreads() {
    Arbitrary<JsonNode> user = Combinators.combine(Arbitraries.of(IDS), Arbitraries.of(true, false),
        Arbitraries.of(true, false)).as((id, extra, stale) -> {
          ObjectNode n = NODES.objectNode().put("id", id).put("username", id).put("name", id)
              .put("joined_at", "2026-01-01T00:00:00Z");
          if (extra) {
            n.put("role", "member");
          }
          if (stale) {
            n.put("last_online", "2019-01-01T00:00:00Z");
            n.put("is_online", true);
          }
          return n;
        });
    Arbitrary<JsonNode> withUsers = user.list().ofMaxSize(6).map(list -> {
      ObjectNode t = NODES.objectNode().put("id", "t");
      t.putArray("users").addAll(list);
      return (JsonNode) t;
    });
    Arbitrary<JsonNode> withoutUsers = Arbitraries.of(true, false)
        .map(nullUsers -> nullUsers ? NODES.objectNode().putNull("users") : NODES.objectNode().put("id", "t"));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, withUsers), net.jqwik.api.Tuple.of(1, withoutUsers)).list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<JsonNode>> anyThreads() {
    Arbitrary<JsonNode> id = Arbitraries.oneOf(
        Arbitraries.of(IDS).map(NODES::textNode),
        Arbitraries.of("", " ", "\t").map(NODES::textNode),
        Arbitraries.integers().between(0, 9).map(NODES::numberNode),
        Arbitraries.just(NODES.nullNode()),
        Arbitraries.just(NODES.booleanNode(true)));
    Arbitrary<JsonNode> userObject = Combinators.combine(id, Arbitraries.of(true, false)).as((i, hasId) -> {
      ObjectNode n = NODES.objectNode().put("name", "x");
      if (hasId) {
        n.set("id", i);
      }
      return n;
    });
    Arbitrary<JsonNode> entry = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, userObject),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(NODES.textNode("alice"))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(NODES.nullNode())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(NODES.arrayNode())));
    Arbitrary<JsonNode> users = Arbitraries.oneOf(
        entry.list().ofMaxSize(5).map(l -> NODES.arrayNode().addAll(l)),
        Arbitraries.just(NODES.textNode("users")),
        Arbitraries.just(NODES.numberNode(3)),
        Arbitraries.just(NODES.objectNode()),
        Arbitraries.just(NODES.nullNode()));
    Arbitrary<JsonNode> thread = Combinators.combine(users, Arbitraries.of(true, false)).as((u, has) -> {
      ObjectNode t = NODES.objectNode().put("id", "t");
      if (has) {
        t.set("users", u);
      }
      return t;
    });
    Arbitrary<JsonNode> notAThread = Arbitraries.of(
        NODES.textNode("t"), NODES.arrayNode(), NODES.numberNode(1), NODES.nullNode());
    Arbitrary<JsonNode> any = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, thread), net.jqwik.api.Tuple.of(1, notAThread),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((JsonNode) null)));
    return any.list().ofMaxSize(4);
  }
}
