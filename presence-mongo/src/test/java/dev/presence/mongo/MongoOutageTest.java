package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Scheduler;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.test.FakeTime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MongoDB goes away while users go offline, and comes back on the same port. Always runs on the
 * in-process server (a real one given by PRESENCE_MONGO_URI cannot be stopped from here).
 */
class MongoOutageTest {
  private static final int USERS = 100;
  private static final String WRITER = "presence-last-seen-writer-test";

  private MongoFixture mongo;
  private MongoDatabase db;
  private MongoLastSeenStore store;
  private FakeTime time;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void mongoWithUsers() {
    mongo = MongoFixture.embedded();
    db = mongo.newDatabase();
    List<Document> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add(new Document("id", user(i)));
    }
    db.getCollection("users").insertMany(users);
    store = MongoLastSeenStore.builder(db).build();
    time = new FakeTime(Instant.parse("2026-03-01T12:00:00Z"));
  }

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    mongo.close();
  }

  private static String user(int i) {
    return String.format("u%03d", i);
  }

  private PresenceRegistry registry(WriteBehindLastSeenStore lastSeen) {
    PresenceRegistry registry = PresenceRegistry.builder()
        .ticker(time).clock(time.clock()).scheduler(time)
        .lastSeenStore(lastSeen)
        .build();
    toClose.add(registry);
    return registry;
  }

  @Test
  void outage_blocksNoConnectionThread_andEveryPendingLastSeenLandsAfterRecovery() throws Exception {
    Scheduler writer = Scheduler.daemonThread(WRITER);
    toClose.add(writer);
    WriteBehindLastSeenStore writeBehind = WriteBehindLastSeenStore.builder(store)
        .scheduler(writer)
        .flushDelay(Duration.ofMillis(10))
        .retryBackoff(Duration.ofMillis(50))
        .maxRetryBackoff(Duration.ofMillis(200))
        .build();
    toClose.add(writeBehind);
    PresenceRegistry registry = registry(writeBehind);
    Map<String, PresenceSession> sessions = new LinkedHashMap<>();
    for (int i = 0; i < USERS; i++) {
      sessions.put(user(i), registry.connect(user(i), "tab", new PongingOutbound()));
    }
    Map<String, Instant> offlineAt = new ConcurrentHashMap<>();
    registry.addListener(e -> offlineAt.put(e.userId(), e.at()));

    // The pipeline works, and the driver holds a pooled connection that the outage will cut.
    sessions.remove(user(0)).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> writeBehind.writtenCount() == 1);

    mongo.stopServer();
    mongo.resetCounts();

    // Four "connection threads" end their users' sessions while the database is down.
    ExecutorService connections = Executors.newFixedThreadPool(4, r -> new Thread(r, "connection-" + r.hashCode()));
    AtomicLong maxCallNanos = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (PresenceSession s : sessions.values()) {
        done.add(connections.submit(() -> timed(s::close, maxCallNanos, calls)));
      }
      for (Future<?> f : done) {
        f.get();
      }
      // Some come back and leave again, still during the outage: a connect is no write either.
      done.clear();
      for (int i = 1; i <= 20; i++) {
        String id = user(i);
        done.add(connections.submit(() -> {
          PresenceSession[] again = new PresenceSession[1];
          timed(() -> again[0] = registry.connect(id, "tab-2", new PongingOutbound()), maxCallNanos, calls);
          timed(again[0]::close, maxCallNanos, calls);
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      connections.shutdown();
    }
    assertThat(calls.get()).isEqualTo(USERS - 1 + 40);
    assertThat(registry.onlineUserCount()).isZero();

    // The writer is the one waiting on the database: it failed and keeps retrying.
    await().atMost(Duration.ofSeconds(10)).until(() -> writeBehind.failedAttemptCount() >= 2);
    long writtenDuringOutage = writeBehind.writtenCount();

    mongo.restartServer();
    await().atMost(Duration.ofSeconds(15))
        .until(() -> writeBehind.pendingCount() == 0 && writeBehind.writtenCount() == USERS);

    assertThat(writtenDuringOutage).isEqualTo(1);
    assertThat(writeBehind.droppedCount()).isZero();
    // Not one command was sent from a connection thread: only the writer talks to MongoDB.
    assertThat(mongo.log.sent()).isNotEmpty()
        .allSatisfy(c -> assertThat(c.thread()).isEqualTo(WRITER));
    assertThat(mongo.counter.total("threads")).isZero();

    Map<String, Instant> stored = store.readAll(offlineAt.keySet());
    assertThat(stored).isEqualTo(offlineAt).hasSize(USERS);

    System.out.printf("outage: %d connect/close calls while MongoDB was down, slowest %.3f ms;"
            + " %d failed write attempts; all %d users' times landed after restart%n",
        calls.get(), maxCallNanos.get() / 1e6, writeBehind.failedAttemptCount(), writeBehind.writtenCount());
  }

  private static void timed(Runnable call, AtomicLong maxNanos, AtomicInteger calls) {
    long start = System.nanoTime();
    call.run();
    maxNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    calls.incrementAndGet();
  }

  @Test
  void overflowBeyondTheBound_isCountedAndLogged_andEverythingWithinItLands() {
    WriteBehindLastSeenStore writeBehind = WriteBehindLastSeenStore.builder(store)
        .scheduler(time)
        .maxPending(50)
        .flushDelay(Duration.ofSeconds(1))
        .retryBackoff(Duration.ofSeconds(1))
        .build();
    toClose.add(writeBehind);
    PresenceRegistry registry = registry(writeBehind);
    List<PresenceSession> sessions = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      sessions.add(registry.connect(user(i), "tab", new PongingOutbound()));
    }
    mongo.stopServer();

    Map<String, Instant> expected = new HashMap<>();
    String log = captureStandardError(() -> {
      for (int i = 0; i < 80; i++) {
        time.advance(Duration.ofMillis(10));
        if (i < 50) {
          expected.put(user(i), time.now());
        }
        sessions.get(i).close();
      }
    });
    assertThat(writeBehind.pendingCount()).isEqualTo(50);
    assertThat(writeBehind.droppedCount()).isEqualTo(30);
    assertThat(log).contains("Last-seen queue full (50 users pending); dropped the write for user 'u050'");

    time.advance(Duration.ofSeconds(1)); // the flush runs, and fails: the server is down
    assertThat(writeBehind.failedAttemptCount()).isEqualTo(1);
    assertThat(writeBehind.pendingCount()).isEqualTo(50);

    mongo.restartServer();
    mongo.resetCounts();
    time.advance(Duration.ofSeconds(2));

    assertThat(writeBehind.pendingCount()).isZero();
    assertThat(writeBehind.writtenCount()).isEqualTo(50);
    assertThat(mongo.counter.snapshot()).isEqualTo(Map.of("users", Map.of("update", 1L)));
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      all.add(user(i));
    }
    assertThat(store.readAll(all)).isEqualTo(expected);
  }

  /** Runs {@code action} with standard error captured (where the test logger writes). */
  private static String captureStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String captured = bytes.toString(StandardCharsets.UTF_8);
    original.print(captured);
    return captured;
  }

  @Test
  @Timeout(60)
  void serverDownAtShutdown_closeGivesUpAfterItsTimeout_countingEveryUserNotWritten() {
    WriteBehindLastSeenStore lastSeen = WriteBehindLastSeenStore.builder(store).scheduler(time)
        .flushDelay(Duration.ofHours(1)).retryBackoff(Duration.ofMillis(50))
        .closeTimeout(Duration.ofMillis(300)).build();
    toClose.add(lastSeen);
    PresenceRegistry registry = registry(lastSeen);
    for (int i = 0; i < 20; i++) {
      registry.connect(user(i), "tab", new PongingOutbound());
    }
    mongo.stopServer();

    registry.close(); // every user offline, 20 times queued
    // The driver waits up to 500 ms per attempt for a server that is gone; close waits 300 ms.
    String log = captureStandardError(lastSeen::close);

    assertThat(lastSeen.unwrittenAtCloseCount()).isEqualTo(20);
    assertThat(lastSeen.writtenCount()).isZero();
    assertThat(log).contains("ERROR").contains("Closed with 20 last-seen times not written within the"
        + " close timeout of PT0.3S");
  }
}
