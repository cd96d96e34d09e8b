package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.presence.PresenceRegistry;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.test.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shutting down writes what is still queued, in one bulk write, before returning. */
class ShutdownFlushTest {
  private static final int USERS = 30;

  private static MongoFixture mongo;
  private MongoDatabase db;
  private MongoLastSeenStore store;
  private FakeTime time;
  private final List<String> ids = new ArrayList<>();

  @BeforeAll
  static void startMongo() {
    mongo = MongoFixture.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void users() {
    db = mongo.newDatabase();
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      ids.add("u" + i);
      docs.add(new Document("id", "u" + i));
    }
    db.getCollection("users").insertMany(docs);
    store = MongoLastSeenStore.builder(db).build();
    time = new FakeTime(Instant.parse("2026-03-01T18:00:00Z"));
    mongo.resetCounts();
  }

  @Test
  void closingTheRegistryThenTheWriteBehind_flushesEveryUserItTookOffline() {
    WriteBehindLastSeenStore writeBehind = WriteBehindLastSeenStore.builder(store)
        .scheduler(time).flushDelay(Duration.ofHours(1)).build();
    PresenceRegistry registry = PresenceRegistry.builder()
        .ticker(time).clock(time.clock()).scheduler(time).lastSeenStore(writeBehind).build();
    for (String id : ids) {
      registry.connect(id, "tab", new PongingOutbound());
    }
    time.advance(Duration.ofMinutes(1));
    Instant shutdownAt = time.now();

    registry.close();
    assertThat(writeBehind.pendingCount()).isEqualTo(USERS);
    assertThat(mongo.counter.total()).isZero();
    writeBehind.close();

    assertThat(writeBehind.pendingCount()).isZero();
    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    Map<String, Instant> expected = new HashMap<>();
    ids.forEach(id -> expected.put(id, shutdownAt));
    assertThat(store.readAll(ids)).isEqualTo(expected);
  }

  @Test
  void registryGivenTheStoreItself_wrapsIt_andFlushesOnClose() {
    PresenceRegistry registry = PresenceRegistry.builder()
        .ticker(time).clock(time.clock()).scheduler(time).lastSeenStore(store).build();
    for (String id : ids) {
      registry.connect(id, "tab", new PongingOutbound()).close();
    }
    Instant offlineAt = time.now();

    registry.close(); // returns only once the write-behind it created has flushed

    assertThat(registry.lastSeenStore()).containsInstanceOf(WriteBehindLastSeenStore.class);
    Map<String, Instant> expected = new HashMap<>();
    ids.forEach(id -> expected.put(id, offlineAt));
    assertThat(store.readAll(ids)).isEqualTo(expected);
    assertThat(mongo.counter.writes("users")).isBetween(1L, (long) USERS);
  }
}
