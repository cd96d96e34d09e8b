package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadEnricherTest {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant BOB_SEEN = Instant.parse("2026-11-28T10:15:30.123456Z");

  private final FakeTime time = new FakeTime();
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
      .ticker(time).clock(time.clock()).scheduler(time).build();
  private final CountingReads store = new CountingReads();
  private final ThreadEnricher enricher = ThreadEnricher.builder(registry).lastSeenStore(store).build();

  @AfterEach
  void close() {
    registry.close();
  }

  static ObjectNode thread(String id, String... users) {
    ObjectNode t = JSON.createObjectNode().put("id", id).put("name", "thread " + id);
    ArrayNode arr = t.putArray("users");
    for (String u : users) {
      arr.addObject().put("id", u).put("username", u).put("name", u.toUpperCase(java.util.Locale.ROOT))
          .put("joined_at", "2026-01-01T00:00:00Z");
    }
    return t;
  }

  @Test
  void setsIsOnlineFromMemory_andLastOnlineForOfflineUsers() {
    registry.connect("alice", "s1", new RecordingOutbound());
    store.recordAll(Map.of("bob", BOB_SEEN, "alice", BOB_SEEN));

    ObjectNode t = enricher.enrich(thread("t1", "alice", "bob", "carol"));

    JsonNode users = t.get("users");
    assertThat(users.get(0).get("is_online").booleanValue()).isTrue();
    assertThat(users.get(0).has("last_online")).isFalse();
    assertThat(users.get(1).get("is_online").booleanValue()).isFalse();
    assertThat(users.get(1).get("last_online").textValue()).isEqualTo("2026-11-28T10:15:30.123Z");
    assertThat(users.get(2).get("is_online").booleanValue()).isFalse();
    assertThat(users.get(2).has("last_online")).isFalse();
  }

  @Test
  void enrichFor_addsStatusTextAndLastActive_andRemovesStaleOnes() {
    registry.connect("alice", "s1", new RecordingOutbound());
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Call")));
    store.recordAll(Map.of("bob", BOB_SEEN));
    ObjectNode t = thread("t1", "alice", "bob");
    ((ObjectNode) t.get("users").get(1)).put("status", "busy").put("status_text", "stale").put("last_active", "x");

    enricher.enrichFor("carol", t);

    JsonNode users = t.get("users");
    assertThat(users.get(0).toString()).contains("\"is_online\":true", "\"status\":\"busy\"",
        "\"status_text\":\"Call\"", "\"last_active\":\"2026-01-01T00:00:00Z\"");
    assertThat(users.get(1).get("status").textValue()).isEqualTo("offline");
    assertThat(users.get(1).has("status_text") || users.get(1).has("last_active")).isFalse();
    assertThat(users.get(1).get("last_online").textValue()).isEqualTo("2026-11-28T10:15:30.123Z");
  }

  @Test
  void viewerlessEnrich_leavesAHostsOwnStatusFieldAlone() {
    ObjectNode t = thread("t1", "alice");
    ((ObjectNode) t.get("users").get(0)).put("status", "admin");
    enricher.enrich(t);
    assertThat(t.at("/users/0/status").textValue()).isEqualTo("admin");
  }

  @Test
  void enrichMapsFor_manyThreads_oneStoreRead_mapsGetStrings() {
    registry.connect("alice", "s1", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));
    store.recordAll(Map.of("alice", BOB_SEEN));
    List<Map<String, Object>> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Object> user = new HashMap<>(Map.of("id", "alice"));
      Map<String, Object> other = new HashMap<>(Map.of("id", "bob"));
      threads.add(new HashMap<>(Map.of("id", "t" + i, "users", new ArrayList<>(List.of(user, other)))));
    }
    enricher.enrichMapsFor("bob", threads);

    assertThat(store.reads.get()).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> alice = ((List<Map<String, Object>>) threads.get(2).get("users")).get(0);
    assertThat(alice).containsEntry("is_online", false).containsEntry("status", "offline")
        .containsEntry("last_online", "2026-11-28T10:15:30.123Z").doesNotContainKey("last_active");
    Map<String, Object> single = new HashMap<>(Map.of("users", new ArrayList<>(List.of(new HashMap<>(Map.of("id", "alice"))))));
    enricher.enrichMapFor("alice", single);
    assertThat(single.toString()).contains("is_online=true", "status=available");
    ObjectNode mine = enricher.enrichAllFor("alice", List.of(thread("t9", "alice"))).get(0).deepCopy();
    assertThat(mine.at("/users/0/is_online").booleanValue()).as("she sees herself").isTrue();
  }

  @Test
  void manyThreads_costOneStoreRead_forTheOfflineUsersOnly() {
    registry.connect("u0", "s1", new RecordingOutbound());
    List<JsonNode> threads = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      threads.add(thread("t" + i, "u0", "u1", "u2", "u" + (i + 3)));
    }
    enricher.enrichAll(threads);

    assertThat(store.reads.get()).isEqualTo(1);
    assertThat(store.lastRead).doesNotContain("u0").contains("u1", "u2", "u52").hasSize(52);
  }

  @Test
  void allOnline_costsNoStoreRead() {
    registry.connect("alice", "s1", new RecordingOutbound());
    enricher.enrich(thread("t1", "alice"));
    assertThat(store.reads.get()).isZero();
  }

  @Test
  void staleLegacyLastOnline_isReplacedOrRemoved() {
    registry.connect("alice", "s1", new RecordingOutbound());
    store.recordAll(Map.of("bob", BOB_SEEN));
    ObjectNode t = thread("t1", "alice", "bob", "carol");
    for (JsonNode u : t.get("users")) {
      ((ObjectNode) u).put("last_online", "2020-01-01T00:00:00Z");
    }

    enricher.enrich(t);

    assertThat(t.get("users").get(0).has("last_online")).isFalse();
    assertThat(t.get("users").get(1).get("last_online").textValue()).isEqualTo("2026-11-28T10:15:30.123Z");
    assertThat(t.get("users").get(2).has("last_online")).isFalse();
  }

  @Test
  void withoutStore_lastOnlineIsAlwaysRemoved() {
    ThreadEnricher noStore = ThreadEnricher.builder(registry).build();
    ObjectNode t = thread("t1", "bob");
    ((ObjectNode) t.get("users").get(0)).put("last_online", "2020-01-01T00:00:00Z");

    noStore.enrich(t);

    assertThat(t.get("users").get(0).has("last_online")).isFalse();
    assertThat(t.get("users").get(0).get("is_online").booleanValue()).isFalse();
  }

  @Test
  void arrayNodeOfThreads_isEnrichedInPlace() {
    ArrayNode arr = JSON.createArrayNode();
    arr.add(thread("t1", "alice"));
    arr.add(thread("t2", "bob"));
    registry.connect("bob", "s1", new RecordingOutbound());

    enricher.enrichAll(arr);

    assertThat(arr.get(0).at("/users/0/is_online").booleanValue()).isFalse();
    assertThat(arr.get(1).at("/users/0/is_online").booleanValue()).isTrue();
  }

  @Test
  void mapThreads_likeBsonDocuments_areEnrichedToo() {
    registry.connect("alice", "s1", new RecordingOutbound());
    store.recordAll(Map.of("bob", BOB_SEEN));
    Map<String, Object> alice = new HashMap<>(Map.of("id", "alice", "last_online", "stale"));
    Map<String, Object> bob = new HashMap<>(Map.of("id", "bob"));
    Map<String, Object> thread = new HashMap<>(Map.of("id", "t1", "users", List.of(alice, bob)));

    enricher.enrichMaps(List.of(thread));

    assertThat(alice).containsEntry("is_online", true).doesNotContainKey("last_online");
    assertThat(bob).containsEntry("is_online", false).containsEntry("last_online", "2026-11-28T10:15:30.123Z");
    assertThat(store.reads.get()).isEqualTo(1);
  }

  @Test
  void customFieldNames_areUsed() {
    ThreadEnricher custom = ThreadEnricher.builder(registry).usersField("members").idField("uid")
        .isOnlineField("online").lastOnlineField("seen").lastSeenStore(store).build();
    store.recordAll(Map.of("bob", BOB_SEEN));
    ObjectNode t = JSON.createObjectNode();
    t.putArray("members").addObject().put("uid", "bob");

    custom.enrich(t);

    assertThat(t.at("/members/0/online").booleanValue()).isFalse();
    assertThat(t.at("/members/0/seen").textValue()).isEqualTo("2026-11-28T10:15:30.123Z");
  }

  @Test
  void everyForm_enrichesInPlace_andReturnsWhatItWasGiven() {
    registry.connect("alice", "s1", new RecordingOutbound());
    Map<String, Object> map = new HashMap<>(Map.of("users", new ArrayList<>(List.of(new HashMap<>(Map.of("id", "alice"))))));
    List<Map<String, Object>> maps = new ArrayList<>(List.of(map));
    List<ObjectNode> trees = List.of(thread("t1", "alice"));

    assertThat(enricher.enrichMap(map)).isSameAs(map);
    assertThat(map.toString()).contains("is_online=true");
    assertThat(enricher.enrichMapFor("bob", map)).isSameAs(map);
    assertThat(enricher.enrichMaps(maps)).isSameAs(maps);
    assertThat(enricher.enrichMapsFor("bob", maps)).isSameAs(maps);
    assertThat(enricher.enrichAll(trees)).isSameAs(trees);
    assertThat(trees.get(0).at("/users/0/is_online").booleanValue()).isTrue();
  }

  @Test
  void customRichFieldNames_areUsed_andStaleValuesAreRemoved() {
    ThreadEnricher custom = ThreadEnricher.builder(registry).statusField("state").statusTextField("note")
        .lastActiveField("active").lastSeenStore(store).build();
    registry.connect("alice", "s1", new RecordingOutbound());
    Map<String, Object> alice = new HashMap<>(Map.of("id", "alice", "note", "stale", "active", "stale"));
    Map<String, Object> thread = new HashMap<>(Map.of("users", new ArrayList<>(List.of(alice))));
    registry.setStatusText("alice", null);

    custom.enrichMapFor("bob", thread);
    assertThat(alice).containsEntry("state", "available").doesNotContainKey("note")
        .containsEntry("active", "2026-01-01T00:00:00Z");

    registry.setStatusText("alice", StatusText.of("Lunch"));
    custom.enrichMapFor("bob", thread);
    assertThat(alice).containsEntry("note", "Lunch");
  }

  @Test
  void threadWithoutUsers_isLeftAsItIs() {
    ObjectNode t = JSON.createObjectNode().put("id", "t1");
    ObjectNode nullUsers = JSON.createObjectNode().put("id", "t2").putNull("users");
    enricher.enrichAll(List.of(t, nullUsers));
    assertThat(t.toString()).isEqualTo("{\"id\":\"t1\"}");
    assertThat(nullUsers.toString()).isEqualTo("{\"id\":\"t2\",\"users\":null}");
  }

  @Test
  void malformedInput_namesThePath_andChangesNothing() {
    ObjectNode good = thread("t1", "alice");
    ObjectNode badId = thread("t2", "bob");
    ((ObjectNode) badId.get("users").get(0)).put("id", 42);
    String before = good.toString();

    assertThatThrownBy(() -> enricher.enrichAll(List.of(good, badId)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads[1].users[0].id must be a non-blank string but was NUMBER");
    assertThat(good.toString()).isEqualTo(before);

    ObjectNode usersNotArray = JSON.createObjectNode().put("users", "alice");
    assertThatThrownBy(() -> enricher.enrich(usersNotArray))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread.users must be an array but was STRING");

    ObjectNode entryNotObject = JSON.createObjectNode();
    entryNotObject.putArray("users").add("alice");
    assertThatThrownBy(() -> enricher.enrich(entryNotObject))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread.users[0] must be an object but was STRING");

    ObjectNode missingId = JSON.createObjectNode();
    missingId.putArray("users").addObject().put("name", "x");
    assertThatThrownBy(() -> enricher.enrich(missingId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread.users[0].id must be a non-blank string but was missing");

    List<JsonNode> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> enricher.enrichAll(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads[0] must be an object but was missing");
    assertThatThrownBy(() -> enricher.enrich(JSON.createArrayNode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread must be an object but was ARRAY");
  }

  @Test
  void malformedMaps_nameThePath() {
    assertThatThrownBy(() -> enricher.enrichMap(new HashMap<>(Map.of("users", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread.users must be a List but was java.lang.String");
    assertThatThrownBy(() -> enricher.enrichMap(new HashMap<>(Map.of("users", List.of(Map.of("id", " "))))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thread.users[0].id must be a non-blank string but was ' '");
    List<Map<String, Object>> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> enricher.enrichMaps(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads[0] must be an object but was null");
  }

  @Test
  void failingStoreRead_omitsLastOnline_butIsOnlineStaysExact() {
    LastSeenStore broken = new LastSeenStore() {
      @Override
      public void recordAll(Map<String, Instant> lastSeen) {}

      @Override
      public Map<String, Instant> readAll(Collection<String> userIds) {
        throw new IllegalStateException("database down");
      }
    };
    registry.connect("alice", "s1", new RecordingOutbound());
    ObjectNode t = ThreadEnricher.builder(registry).lastSeenStore(broken).build()
        .enrich(thread("t1", "alice", "bob"));

    assertThat(t.at("/users/0/is_online").booleanValue()).isTrue();
    assertThat(t.at("/users/1/is_online").booleanValue()).isFalse();
    assertThat(t.at("/users/1").has("last_online")).isFalse();
  }

  @Test
  void builder_rejectsBlankAndClashingFieldNames() {
    assertThatThrownBy(() -> ThreadEnricher.builder(registry).usersField(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("usersField must not be blank: ' '");
    assertThatThrownBy(() -> ThreadEnricher.builder(registry).isOnlineField("id").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("idField, isOnlineField, lastOnlineField, statusField, statusTextField and lastActiveField"
            + " must differ: id, id, last_online, status, status_text, last_active");
    assertThatThrownBy(() -> ThreadEnricher.builder(registry).statusTextField("last_active").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ThreadEnricher.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("registry");
  }

  @Test
  void enrichedUsers_validateAgainstThePublishedSchema() throws Exception {
    Schema schema = ThreadUserSchema.load();
    registry.connect("alice", "s1", new RecordingOutbound());
    store.recordAll(Map.of("bob", BOB_SEEN));
    ObjectNode t = enricher.enrich(thread("t1", "alice", "bob", "carol"));

    for (JsonNode user : t.get("users")) {
      assertThat(schema.validate(user.toString(), InputFormat.JSON)).isEmpty();
    }
    ObjectNode broken = JSON.createObjectNode().put("id", "x").put("is_online", "yes");
    List<Error> errors = schema.validate(broken.toString(), InputFormat.JSON);
    assertThat(errors).isNotEmpty(); // the schema can fail: missing fields, wrong type
  }

  /** Loads docs/schema/thread-user.schema.json with format assertions on. */
  static final class ThreadUserSchema {
    static Schema load() throws Exception {
      String text = Files.readString(Path.of("..", "docs", "schema", "thread-user.schema.json"));
      SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
          b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
      return schemas.getSchema(text, InputFormat.JSON);
    }
  }

  /** An in-memory store that counts bulk reads. */
  static final class CountingReads implements LastSeenStore {
    final LastSeenStore inner = LastSeenStore.inMemory();
    final AtomicInteger reads = new AtomicInteger();
    volatile Collection<String> lastRead = List.of();

    @Override
    public void recordAll(Map<String, Instant> lastSeen) {
      inner.recordAll(lastSeen);
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      reads.incrementAndGet();
      lastRead = List.copyOf(userIds);
      return inner.readAll(userIds);
    }
  }
}
