package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.test.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database load of presence, counted at the driver: a registry on fake time, with
 * heartbeats, writing last seen through a write-behind into {@link MongoLastSeenStore}.
 */
class DatabaseLoadTest {
  private static final int USERS = 100;
  /** How long a first offline waits for others to join its bulk write. */
  private static final Duration FLUSH_DELAY = Duration.ofSeconds(5);
  private static final int CHURN_SECONDS = 600;

  private static MongoFixture mongo;
  private FakeTime time;
  private MongoDatabase db;
  private MongoLastSeenStore store;
  private WriteBehindLastSeenStore writeBehind;
  private PresenceRegistry registry;
  private final Map<String, Instant> lastOffline = new ConcurrentHashMap<>();
  private final AtomicInteger offlineTransitions = new AtomicInteger();
  private final AtomicInteger onlineTransitions = new AtomicInteger();
  private int sessionIds;

  @BeforeAll
  static void startMongo() {
    mongo = MongoFixture.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void registryOverMongo() {
    time = new FakeTime(Instant.parse("2026-03-01T09:00:00Z"));
    db = mongo.newDatabase();
    List<Document> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add(new Document("id", user(i)).append("username", "user" + i));
    }
    db.getCollection("users").insertMany(users);
    List<Document> threads = new ArrayList<>();
    for (int t = 0; t < 20; t++) {
      List<Document> members = new ArrayList<>();
      for (int k = 0; k < 5; k++) {
        members.add(new Document("id", user((t * 5 + k * 7) % USERS)));
      }
      threads.add(new Document("_id", "t" + t).append("users", members));
    }
    db.getCollection("threads").insertMany(threads);

    store = MongoLastSeenStore.builder(db).build();
    writeBehind = WriteBehindLastSeenStore.builder(store)
        .scheduler(time)
        .flushDelay(FLUSH_DELAY)
        .build();
    registry = PresenceRegistry.builder()
        .ticker(time).clock(time.clock()).scheduler(time)
        .heartbeatInterval(Duration.ofSeconds(30))
        .heartbeatTimeout(Duration.ofSeconds(60))
        .lastSeenStore(writeBehind)
        .build();
    registry.addListener((PresenceEvent e) -> {
      if (e.online()) {
        onlineTransitions.incrementAndGet();
      } else {
        offlineTransitions.incrementAndGet();
        lastOffline.merge(e.userId(), e.at(), (a, b) -> a.isAfter(b) ? a : b);
      }
    });
    mongo.resetCounts();
  }

  @AfterEach
  void close() {
    registry.close();
    writeBehind.close();
  }

  private static String user(int i) {
    return String.format("u%03d", i);
  }

  private PresenceSession open(String userId, Map<String, List<PresenceSession>> sessions, List<PongingOutbound> clients) {
    PongingOutbound client = new PongingOutbound();
    PresenceSession s = registry.connect(userId, "s" + sessionIds++, client);
    client.attach(s);
    clients.add(client);
    sessions.computeIfAbsent(userId, u -> new ArrayList<>()).add(s);
    return s;
  }

  @Test
  void hundredUsersOverSimulatedMinutes_writeOnlyOnFinalDisconnects_inBulk() {
    Map<String, List<PresenceSession>> sessions = new HashMap<>();
    List<PongingOutbound> clients = new ArrayList<>();
    Random random = new Random(42);

    // Connect: every user opens one to three tabs.
    for (int i = 0; i < USERS; i++) {
      for (int tabs = 1 + random.nextInt(3); tabs > 0; tabs--) {
        open(user(i), sessions, clients);
      }
    }
    time.advance(Duration.ofSeconds(5));
    assertThat(registry.onlineUserCount()).isEqualTo(USERS);
    assertThat(mongo.counter.total()).as("commands on connect").isZero();

    // Heartbeat: five simulated minutes of pings answered by every tab.
    time.advance(Duration.ofMinutes(5));
    assertThat(clients).allSatisfy(c -> assertThat(c.pings.get()).isGreaterThanOrEqualTo(9));
    assertThat(registry.totalSessionCount()).isEqualTo(clients.size());
    assertThat(mongo.counter.total()).as("commands during heartbeats").isZero();

    // Churn: ten simulated minutes of tabs opening and closing, and some going silent.
    for (int second = 0; second < CHURN_SECONDS; second++) {
      for (int k = 0; k < 8; k++) {
        String u = user(random.nextInt(USERS));
        List<PresenceSession> open = sessions.getOrDefault(u, new ArrayList<>());
        open.removeIf(s -> !s.isOpen());
        if (!open.isEmpty() && random.nextInt(100) < 55) {
          open.remove(random.nextInt(open.size())).close();
        } else {
          open(u, sessions, clients);
        }
      }
      if (second % 37 == 0) {
        clients.get(random.nextInt(clients.size())).goSilent();
      }
      time.advance(Duration.ofSeconds(1));
    }
    // Everyone leaves.
    sessions.values().forEach(list -> list.forEach(PresenceSession::close));
    time.advance(FLUSH_DELAY);

    assertThat(registry.onlineUserCount()).isZero();
    assertThat(writeBehind.pendingCount()).isZero();
    long updates = mongo.counter.count("update", "users");
    List<CommandLog.Sent> sent = mongo.log.sent();
    int statements = sent.stream().mapToInt(CommandLog.Sent::statements).sum();

    // Nothing but bulk updates of users: no reads, no inserts, not one command to threads.
    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", updates)));
    assertThat(mongo.counter.total("threads")).isZero();
    assertThat(sent).allSatisfy(c -> assertThat(c.command().getBoolean("ordered").getValue()).isFalse());
    // At most one write per final disconnect, coalesced: at most one command per flush window.
    assertThat(statements).isLessThanOrEqualTo(offlineTransitions.get())
        .isEqualTo((int) writeBehind.writtenCount());
    assertThat(updates).isLessThanOrEqualTo(CHURN_SECONDS / FLUSH_DELAY.toSeconds() + 1)
        .isLessThan(offlineTransitions.get() / 3);
    assertThat(offlineTransitions.get()).isEqualTo(onlineTransitions.get()).isGreaterThan(USERS);
    assertThat(clients).anySatisfy(c -> assertThat(c.closedBy).isNotNull()); // evictions happened

    // Every user's stored last seen is the time of their last offline transition.
    mongo.resetCounts();
    Map<String, Instant> stored = store.readAll(lastOffline.keySet());
    assertThat(stored).isEqualTo(lastOffline).hasSize(USERS);
    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("find", 1L)));

    System.out.printf("load: %d users, %d sessions, %d offline transitions -> %d update commands"
            + " carrying %d statements; heartbeat and connect commands: 0%n",
        USERS, clients.size(), offlineTransitions.get(), updates, statements);
  }

  @Test
  void secondTabClosing_writesNothing_lastTabClosing_writesOnce() {
    Map<String, List<PresenceSession>> sessions = new HashMap<>();
    List<PongingOutbound> clients = new ArrayList<>();
    PresenceSession first = open("u001", sessions, clients);
    PresenceSession second = open("u001", sessions, clients);

    first.close();
    time.advance(FLUSH_DELAY.multipliedBy(10));
    assertThat(mongo.counter.total()).isZero();

    second.close();
    Instant offlineAt = time.now();
    time.advance(FLUSH_DELAY.multipliedBy(10));

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    assertThat(mongo.log.sent().get(0).statements()).isEqualTo(1);
    assertThat(store.readAll(List.of("u001"))).isEqualTo(Map.of("u001", offlineAt));
  }

  @Test
  void burstOfDisconnects_becomesOneBulkWrite() {
    Map<String, List<PresenceSession>> sessions = new HashMap<>();
    List<PongingOutbound> clients = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      open(user(i), sessions, clients);
    }
    sessions.values().forEach(list -> list.forEach(PresenceSession::close));
    time.advance(FLUSH_DELAY);

    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    assertThat(mongo.log.sent().get(0).statements()).isEqualTo(USERS);
  }
}
