package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LegacyThreadCleanupTest {
  private static final Date OLD = Date.from(java.time.Instant.parse("2025-06-01T00:00:00Z"));

  private static MongoFixture mongo;
  private MongoDatabase db;
  private MongoCollection<Document> threads;
  private MongoCollection<Document> users;

  @BeforeAll
  static void startMongo() {
    mongo = MongoFixture.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  private static Document user(String id, boolean withLastOnline) {
    Document d = new Document("id", id).append("username", id).append("name", id.toUpperCase(java.util.Locale.ROOT))
        .append("joined_at", "2025-01-01T00:00:00Z");
    return withLastOnline ? d.append("last_online", OLD).append("is_online", false) : d;
  }

  @BeforeEach
  void legacyData() {
    db = mongo.newDatabase();
    threads = db.getCollection("threads");
    users = db.getCollection("users");
    threads.insertMany(List.of(
        new Document("_id", "t1").append("title", "both stale")
            .append("users", List.of(user("u1", true), user("u2", true))),
        new Document("_id", "t2").append("title", "one stale")
            .append("users", List.of(user("u1", true), user("u3", false))),
        new Document("_id", "t3").append("title", "clean")
            .append("users", List.of(user("u3", false))),
        new Document("_id", "t4").append("title", "no users")));
    users.insertOne(new Document("id", "u1").append("last_online", OLD));
    mongo.resetCounts();
  }

  private List<Document> allThreads() {
    return threads.find().sort(new Document("_id", 1)).into(new ArrayList<>());
  }

  @Test
  void dryRun_countsThreadsThatWouldChange_andChangesNothing() {
    List<Document> before = allThreads();
    LegacyThreadCleanup cleanup = LegacyThreadCleanup.builder(db).build();

    assertThat(cleanup.dryRun()).isEqualTo(2);
    assertThat(allThreads()).isEqualTo(before);
    assertThat(mongo.counter.writes("threads")).isZero();
  }

  @Test
  void run_removesOnlyTheDenormalisedField_inOneUpdate() {
    LegacyThreadCleanup cleanup = LegacyThreadCleanup.builder(db).build();
    mongo.resetCounts();

    assertThat(cleanup.run()).isEqualTo(2);

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("threads", Map.of("update", 1L)));
    List<Document> after = allThreads();
    assertThat(after.get(0).getList("users", Document.class))
        .containsExactly(user("u1", false).append("is_online", false), user("u2", false).append("is_online", false));
    assertThat(after.get(1).getList("users", Document.class))
        .containsExactly(user("u1", false).append("is_online", false), user("u3", false));
    assertThat(after.get(2)).isEqualTo(new Document("_id", "t3").append("title", "clean")
        .append("users", List.of(user("u3", false))));
    assertThat(after.get(3)).isEqualTo(new Document("_id", "t4").append("title", "no users"));
    assertThat(users.find(Filters.eq("id", "u1")).first().get("last_online")).isEqualTo(OLD);
  }

  @Test
  void runningTwice_changesNothingTheSecondTime() {
    LegacyThreadCleanup cleanup = LegacyThreadCleanup.builder(db).build();
    cleanup.run();
    List<Document> once = allThreads();

    assertThat(cleanup.dryRun()).isZero();
    assertThat(cleanup.run()).isZero();
    assertThat(allThreads()).isEqualTo(once);
  }

  @Test
  void threadsWhoseUsersIsNotAnArray_areLeftAlone() {
    threads.insertOne(new Document("_id", "odd").append("users", new Document("last_online", OLD)));
    LegacyThreadCleanup cleanup = LegacyThreadCleanup.builder(db).build();

    assertThat(cleanup.dryRun()).isEqualTo(2);
    assertThat(cleanup.run()).isEqualTo(2);
    assertThat(threads.find(Filters.eq("_id", "odd")).first().get("users", Document.class))
        .isEqualTo(new Document("last_online", OLD));
  }

  @Test
  void customCollectionAndFields_areUsed() {
    MongoCollection<Document> rooms = db.getCollection("rooms");
    rooms.insertOne(new Document("_id", "r1")
        .append("members", List.of(new Document("id", "u1").append("seen", OLD), new Document("id", "u2"))));
    LegacyThreadCleanup cleanup = LegacyThreadCleanup.builder(db)
        .collectionName("rooms").usersField("members").field("seen").build();

    assertThat(cleanup.dryRun()).isEqualTo(1);
    assertThat(cleanup.run()).isEqualTo(1);
    assertThat(rooms.find().first().getList("members", Document.class))
        .containsExactly(new Document("id", "u1"), new Document("id", "u2"));
    assertThat(LegacyThreadCleanup.builder(rooms).build())
        .hasToString("LegacyThreadCleanup(" + db.getName() + ".rooms, users.$[].last_online)");
  }

  @Test
  void badConfiguration_failsAtBuildTime() {
    assertThatThrownBy(() -> LegacyThreadCleanup.builder(db).collectionName(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collectionName must be a valid, non-blank collection name: ' '");
    assertThatThrownBy(() -> LegacyThreadCleanup.builder(db).usersField(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("usersField must not be blank: ''");
    assertThatThrownBy(() -> LegacyThreadCleanup.builder(db).field("$x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("field must be a field name");
    assertThatThrownBy(() -> LegacyThreadCleanup.builder(threads).collectionName("threads").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collectionName ('threads') is set but the builder was given a collection ('threads')");
    assertThatThrownBy(() -> LegacyThreadCleanup.builder((MongoDatabase) null)).hasMessage("database");
    assertThat(mongo.counter.total()).isZero();
  }
}
