package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MongoLastSeenStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static MongoFixture mongo;
  private MongoDatabase db;
  private MongoCollection<Document> users;

  @BeforeAll
  static void startMongo() {
    mongo = MongoFixture.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void freshDatabase() {
    db = mongo.newDatabase();
    users = db.getCollection("users");
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      docs.add(new Document("id", "u" + i).append("username", "user" + i));
    }
    users.insertMany(docs);
    mongo.resetCounts();
  }

  private MongoLastSeenStore store() {
    return MongoLastSeenStore.builder(db).build();
  }

  private Object stored(String userId) {
    Document d = users.find(Filters.eq("id", userId)).first();
    return d == null ? null : d.get("last_online");
  }

  @Test
  void recordAll_writesEveryUserInOneUnorderedBulkUpdate() {
    Map<String, Instant> batch = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      batch.put("u" + i, T0.plusSeconds(i));
    }
    store().recordAll(batch);

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    CommandLog.Sent update = mongo.log.sent().get(0);
    assertThat(update.command().getBoolean("ordered").getValue()).isFalse();
    assertThat(update.command().getArray("updates")).hasSize(50);
    assertThat(update.command().getArray("updates").get(0).asDocument().toJson())
        .contains("\"$max\"").contains("\"last_online\"").contains("\"$date\"");
    for (int i = 0; i < 50; i++) {
      assertThat(stored("u" + i)).isEqualTo(Date.from(T0.plusSeconds(i)));
    }
  }

  @Test
  void shutdownBatch_everyUserAtOneTime_writesEachUserOnce_andNeverMovesALaterTimeBack() {
    Instant later = T0.plusSeconds(3600); // written meanwhile by another node
    for (int i = 0; i < 5; i++) {
      users.updateOne(Filters.eq("id", "u" + i), new Document("$set", new Document("last_online", Date.from(later))));
    }
    mongo.resetCounts();
    Map<String, Instant> batch = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      batch.put("u" + i, T0);
    }

    store().recordAll(batch);

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    List<String> filtered = new ArrayList<>();
    for (var statement : mongo.log.sent().get(0).command().getArray("updates")) {
      Document d = Document.parse(statement.asDocument().toJson());
      filtered.add(d.get("q", Document.class).getString("id"));
      assertThat(d.get("u", Document.class).get("$max", Document.class).get("last_online"))
          .isEqualTo(Date.from(T0));
    }
    assertThat(filtered).hasSize(50).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(batch.keySet());
    for (int i = 0; i < 50; i++) {
      assertThat(stored("u" + i)).as("u" + i).isEqualTo(Date.from(i < 5 ? later : T0));
    }
  }

  @Test
  void shutdownBatch_withUpsert_createsEachMissingUserOnce_andUpdatesTheOthers() {
    MongoLastSeenStore store = MongoLastSeenStore.builder(db).upsert(true).build();
    Map<String, Instant> batch = new HashMap<>();
    for (int i = 45; i < 55; i++) { // u45..u49 exist, u50..u54 do not
      batch.put("u" + i, T0);
    }

    store.recordAll(batch);
    store.recordAll(batch); // a retry of the whole batch creates nothing more

    assertThat(users.countDocuments()).isEqualTo(55);
    for (int i = 45; i < 55; i++) {
      assertThat(users.countDocuments(Filters.eq("id", "u" + i))).as("u" + i).isEqualTo(1);
      assertThat(stored("u" + i)).as("u" + i).isEqualTo(Date.from(T0));
    }
    assertThat(users.find(Filters.eq("id", "u45")).first().getString("username")).isEqualTo("user45");
  }

  @Test
  void olderTimeWrittenAfterNewer_leavesTheNewer() {
    MongoLastSeenStore store = store();
    store.recordAll(Map.of("u1", T0.plusSeconds(60), "u2", T0));
    store.recordAll(Map.of("u1", T0, "u2", T0.plusSeconds(60)));

    assertThat(stored("u1")).isEqualTo(Date.from(T0.plusSeconds(60)));
    assertThat(stored("u2")).isEqualTo(Date.from(T0.plusSeconds(60)));
    assertThat(store.readAll(List.of("u1", "u2")))
        .isEqualTo(Map.of("u1", T0.plusSeconds(60), "u2", T0.plusSeconds(60)));
  }

  @Test
  void sameBatchWrittenTwice_isIdempotent() {
    MongoLastSeenStore store = store();
    Map<String, Instant> batch = Map.of("u1", T0, "u2", T0.plusSeconds(1));
    store.recordAll(batch);
    store.recordAll(batch);

    assertThat(store.readAll(batch.keySet())).isEqualTo(batch);
    assertThat(users.countDocuments()).isEqualTo(50);
  }

  @Test
  void times_areStoredAsDates_truncatedToMilliseconds() {
    store().recordAll(Map.of("u1", T0.plusNanos(123_456_789)));

    assertThat(stored("u1")).isEqualTo(Date.from(T0.plusMillis(123)));
    assertThat(store().readAll(List.of("u1"))).containsEntry("u1", T0.plusMillis(123));
  }

  @Test
  void unknownUser_isNotCreatedByDefault() {
    store().recordAll(Map.of("ghost", T0, "u1", T0));

    assertThat(users.countDocuments(Filters.eq("id", "ghost"))).isZero();
    assertThat(stored("u1")).isEqualTo(Date.from(T0));
    assertThat(store().readAll(List.of("ghost"))).isEmpty();
  }

  @Test
  void unknownUser_isCreatedWithUpsert_once() {
    MongoLastSeenStore store = MongoLastSeenStore.builder(db).upsert(true).build();
    store.recordAll(Map.of("ghost", T0));
    store.recordAll(Map.of("ghost", T0.plusSeconds(5)));

    List<Document> ghosts = users.find(Filters.eq("id", "ghost")).into(new ArrayList<>());
    assertThat(ghosts).hasSize(1);
    assertThat(ghosts.get(0).get("last_online")).isEqualTo(Date.from(T0.plusSeconds(5)));
  }

  @Test
  void readAll_isOneFind_withInAndProjectionOfTwoFields() {
    store().recordAll(Map.of("u1", T0, "u2", T0.plusSeconds(1)));
    mongo.resetCounts();
    Map<String, Instant> read = store().readAll(Arrays.asList("u1", "u2", "u3", "u1", null, "ghost"));

    assertThat(read).isEqualTo(Map.of("u1", T0, "u2", T0.plusSeconds(1)));
    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("find", 1L)));
    Document find = Document.parse(mongo.log.sent().get(0).command().toJson());
    assertThat(find.get("filter", Document.class).get("id", Document.class).getList("$in", String.class))
        .containsExactly("u1", "u2", "u3", "ghost");
    assertThat(find.get("projection", Document.class))
        .isEqualTo(new Document("id", 1).append("last_online", 1).append("_id", 0));
  }

  @Test
  void readAll_returnsAMutableMapOwnedByTheCaller() {
    store().recordAll(Map.of("u1", T0));
    Map<String, Instant> read = store().readAll(List.of("u1"));
    read.put("x", T0);
    assertThat(store().readAll(List.of("u1"))).isEqualTo(Map.of("u1", T0));
  }

  @Test
  void emptyInput_sendsNoCommand() {
    store().recordAll(Map.of());
    assertThat(store().readAll(List.of())).isEmpty();
    assertThat(store().readAll(Arrays.asList((String) null))).isEmpty();

    assertThat(mongo.counter.total()).isZero();
  }

  @Test
  void legacyStringTimes_areRead_andReplacedByTheFirstWrite() {
    users.updateOne(Filters.eq("id", "u1"), new Document("$set", new Document("last_online", "2025-12-31T23:00:00Z")));
    users.updateOne(Filters.eq("id", "u2"), new Document("$set", new Document("last_online", 42)));
    MongoLastSeenStore store = store();

    assertThat(store.readAll(List.of("u1", "u2"))).isEqualTo(Map.of("u1", Instant.parse("2025-12-31T23:00:00Z")));
    store.recordAll(Map.of("u1", T0));
    assertThat(stored("u1")).isEqualTo(Date.from(T0));
  }

  @Test
  void customCollectionAndFields_areUsed() {
    MongoCollection<Document> accounts = db.getCollection("accounts");
    accounts.insertOne(new Document("uid", "a1").append("presence", new Document("x", 1)));
    MongoLastSeenStore store = MongoLastSeenStore.builder(db)
        .collectionName("accounts").idField("uid").field("presence.seen").build();

    store.recordAll(Map.of("a1", T0));

    Document a1 = accounts.find(Filters.eq("uid", "a1")).first();
    assertThat(a1.get("presence", Document.class)).isEqualTo(new Document("x", 1).append("seen", Date.from(T0)));
    assertThat(store.readAll(List.of("a1"))).isEqualTo(Map.of("a1", T0));
    assertThat(store.namespace()).isEqualTo(db.getName() + ".accounts");
    assertThat(mongo.counter.total("users")).isZero();
  }

  @Test
  void storeBuiltFromATypedCollection_keepsItsNamespace() {
    MongoLastSeenStore store = MongoLastSeenStore.builder(db.getCollection("users", org.bson.BsonDocument.class)).build();
    store.recordAll(Map.of("u3", T0));
    assertThat(stored("u3")).isEqualTo(Date.from(T0));
    assertThat(store.toString()).contains(db.getName() + ".users").contains("id -> last_online");
  }

  @Test
  void underscoreIdField_isProjectedWithoutExcludingIt() {
    MongoCollection<Document> byId = db.getCollection("people");
    byId.insertOne(new Document("_id", "p1"));
    MongoLastSeenStore store = MongoLastSeenStore.builder(byId).idField("_id").build();
    store.recordAll(Map.of("p1", T0));
    assertThat(store.readAll(List.of("p1"))).isEqualTo(Map.of("p1", T0));
  }

  @Test
  void badEntries_failBeforeAnyCommand() {
    MongoLastSeenStore store = store();
    Map<String, Instant> nullTime = new LinkedHashMap<>();
    nullTime.put("u1", null);
    Map<String, Instant> nullUser = new HashMap<>();
    nullUser.put(null, T0);

    assertThatThrownBy(() -> store.recordAll(nullTime))
        .isInstanceOf(NullPointerException.class).hasMessage("time of user 'u1'");
    assertThatThrownBy(() -> store.recordAll(nullUser))
        .isInstanceOf(NullPointerException.class).hasMessage("userId");
    assertThatThrownBy(() -> store.recordAll(Map.of(" ", T0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("userId must not be blank: ' '");
    assertThatThrownBy(() -> store.recordAll(null)).hasMessage("lastSeen");
    assertThatThrownBy(() -> store.readAll(null)).hasMessage("userIds");
    assertThat(mongo.counter.total()).isZero();
  }

  @Test
  void documentTheServerRejects_isLoggedCountedAndSkipped_othersAreWritten() {
    users.updateOne(Filters.eq("id", "u2"), new Document("$set", new Document("presence", 5)));
    MongoLastSeenStore store = MongoLastSeenStore.builder(db).field("presence.seen").build();

    store.recordAll(Map.of("u1", T0, "u2", T0, "u3", T0));

    assertThat(store.rejectedCount()).isEqualTo(1);
    assertThat(store.readAll(List.of("u1", "u2", "u3"))).isEqualTo(Map.of("u1", T0, "u3", T0));
    assertThat(users.find(Filters.eq("id", "u2")).first().get("presence")).isEqualTo(5);
  }

  @Test
  void duplicateKeyFromAnUpsert_isThrownForTheWriteBehindToRetry() {
    MongoCollection<Document> people = db.getCollection("people");
    people.createIndex(new Document("last_online", 1), new com.mongodb.client.model.IndexOptions().unique(true));
    people.insertOne(new Document("id", "p1").append("last_online", Date.from(T0)));
    MongoLastSeenStore store = MongoLastSeenStore.builder(people).upsert(true).build();

    assertThatThrownBy(() -> store.recordAll(Map.of("p2", T0, "p3", T0.plusSeconds(1))))
        .isInstanceOf(com.mongodb.MongoBulkWriteException.class);
    assertThat(store.rejectedCount()).isZero();
    assertThat(store.readAll(List.of("p3"))).isEqualTo(Map.of("p3", T0.plusSeconds(1)));
  }

  @Test
  void forget_unsetsTheFieldInOneUpdateManyCommand_andKeepsTheUsers() {
    MongoLastSeenStore store = store();
    Map<String, Instant> batch = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      batch.put("u" + i, T0);
    }
    store.recordAll(batch);
    mongo.resetCounts();

    store.forget(Arrays.asList("u1", "u2", null, "u2", "ghost"));

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    CommandLog.Sent update = mongo.log.sent().get(0);
    String json = update.command().getArray("updates").get(0).asDocument().toJson();
    assertThat(json).contains("\"$unset\"").contains("\"last_online\"").contains("\"$in\"");
    assertThat(update.command().getArray("updates").get(0).asDocument().getBoolean("multi").getValue()).isTrue();
    assertThat(stored("u1")).isNull();
    assertThat(stored("u2")).isNull();
    assertThat(stored("u3")).isEqualTo(Date.from(T0));
    assertThat(users.countDocuments()).isEqualTo(50);
    assertThat(users.countDocuments(Filters.eq("id", "ghost"))).isZero();
    assertThat(store.readAll(List.of("u1", "u2", "u3"))).isEqualTo(Map.of("u3", T0));
  }

  @Test
  void forget_ofManyUsers_sendsOneCommandPerThousand() {
    MongoLastSeenStore store = store();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      ids.add("x" + i);
    }
    store.forget(ids);

    assertThat(mongo.log.sent()).extracting(CommandLog.Sent::name).containsExactly("update", "update", "update");
  }

  @Test
  void forget_ofNothing_sendsNothing_andIsIdempotent() {
    MongoLastSeenStore store = store();
    store.forget(List.of());
    assertThat(mongo.counter.total()).isZero();
    store.recordAll(Map.of("u1", T0));
    store.forget(List.of("u1"));
    store.forget(List.of("u1"));
    assertThat(stored("u1")).isNull();
    assertThatThrownBy(() -> store.forget(null)).hasMessage("userIds");
  }

  @Test
  void forgetThroughTheWriteBehind_dropsQueuedWritesAndUnsetsStoredOnes() {
    MongoLastSeenStore mongoStore = store();
    mongoStore.recordAll(Map.of("u1", T0));
    dev.presence.test.FakeTime time = new dev.presence.test.FakeTime();
    dev.presence.WriteBehindLastSeenStore store =
        dev.presence.WriteBehindLastSeenStore.builder(mongoStore).scheduler(time).build();
    store.recordAll(Map.of("u1", T0.plusSeconds(5), "u2", T0));
    store.forget(List.of("u1", "u2"));
    time.advance(java.time.Duration.ofSeconds(5));

    assertThat(stored("u1")).isNull();
    assertThat(stored("u2")).isNull();
    assertThat(store.readAll(List.of("u1", "u2"))).isEmpty();
  }
}
