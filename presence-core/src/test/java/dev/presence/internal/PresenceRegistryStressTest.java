package dev.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.PresenceStats;
import dev.presence.test.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Threads race random connect / close / touch (and session-id replacement) over a few hundred
 * users while a separate thread delivers the events; after quiescence (and after the delivery
 * thread has run everything queued) the registry must agree with the handles the threads still
 * hold, every user's event stream must alternate, start online, and end in the user's final
 * state, and every transition must be accounted for exactly once: delivered, or coalesced.
 */
class PresenceRegistryStressTest {
  private static final int USERS = 300;
  private static final int SESSION_IDS = 3;

  private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> new Thread(r, "stress-events"));

  @AfterEach
  void stopDelivery() {
    delivery.shutdownNow();
  }

  @Test
  void randomChurn_withoutGrace_keepsEveryInvariant() throws Exception {
    FakeTime time = new FakeTime();
    DefaultPresenceRegistry registry = (DefaultPresenceRegistry) PresenceRegistry.builder()
        .withoutHeartbeat().ticker(time).clock(time.clock()).scheduler(time)
        .eventExecutor(delivery).build();
    Map<String, ConcurrentLinkedQueue<Boolean>> events = recordEvents(registry, () -> {});

    List<PresenceSession[][]> held = race(registry, 3, 1_000_000, () -> {});
    awaitDelivery();

    assertQuiescentState(registry, events, held);
    registry.close();
  }

  @Test
  void randomChurn_withGrace_andATimerThread_keepsEveryInvariant() throws Exception {
    FakeTime time = new FakeTime();
    DefaultPresenceRegistry registry = (DefaultPresenceRegistry) PresenceRegistry.builder()
        .withoutHeartbeat().offlineGrace(Duration.ofMillis(5))
        .ticker(time).clock(time.clock()).scheduler(time).eventExecutor(delivery).build();
    Map<String, ConcurrentLinkedQueue<Boolean>> events = recordEvents(registry, () -> {});

    List<PresenceSession[][]> held = race(registry, 3, 1_000_000, () -> time.advance(Duration.ofMillis(1)));
    time.advance(Duration.ofSeconds(1)); // every pending grace elapses
    awaitDelivery();

    assertQuiescentState(registry, events, held);
    registry.close();
  }

  /**
   * The listener blocks on the first event for the whole race: the backlog must stay within
   * maxPendingEvents plus one event per user (undelivered offline/online pairs cancel), and once
   * the listener is released every invariant still holds.
   */
  @Test
  void randomChurn_behindABlockedListener_coalescesWithinTheBound_andKeepsEveryInvariant() throws Exception {
    int maxPending = 64;
    FakeTime time = new FakeTime();
    DefaultPresenceRegistry registry = (DefaultPresenceRegistry) PresenceRegistry.builder()
        .withoutHeartbeat().ticker(time).clock(time.clock()).scheduler(time)
        .eventExecutor(delivery).maxPendingEvents(maxPending).build();
    CountDownLatch release = new CountDownLatch(1);
    Map<String, ConcurrentLinkedQueue<Boolean>> events = recordEvents(registry, () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicLong maxSeenPending = new AtomicLong();

    List<PresenceSession[][]> held = race(registry, 3, 300_000,
        () -> maxSeenPending.accumulateAndGet(registry.stats().eventsPending(), Math::max));
    assertThat(registry.stats().eventsPending()).isLessThanOrEqualTo(maxPending + USERS);
    release.countDown();
    awaitDelivery();

    assertThat(maxSeenPending.get()).as("backlog while the listener was blocked")
        .isGreaterThanOrEqualTo(maxPending).isLessThanOrEqualTo(maxPending + USERS);
    assertThat(registry.stats().eventsCoalesced()).isPositive();
    assertQuiescentState(registry, events, held);
    registry.close();
  }

  /** Everything queued before this call has been delivered once it returns. */
  private void awaitDelivery() throws Exception {
    delivery.submit(() -> {}).get(1, TimeUnit.MINUTES);
  }

  private static Map<String, ConcurrentLinkedQueue<Boolean>> recordEvents(PresenceRegistry registry,
      Runnable delay) {
    Map<String, ConcurrentLinkedQueue<Boolean>> events = new ConcurrentHashMap<>();
    registry.addListener((PresenceEvent e) -> {
      delay.run();
      events.computeIfAbsent(e.userId(), k -> new ConcurrentLinkedQueue<>()).add(e.online());
    });
    return events;
  }

  /** Runs the workers (and a side task looping until they finish); returns their held handles. */
  private static List<PresenceSession[][]> race(PresenceRegistry registry, int threads, int opsPerThread,
      Runnable sideTask) throws Exception {
    List<PresenceSession[][]> held = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    for (int t = 0; t < threads; t++) {
      PresenceSession[][] mine = new PresenceSession[USERS][SESSION_IDS];
      held.add(mine);
      long seed = 42L + t;
      Thread worker = new Thread(() -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        Outbound out = new Outbound() { // a recording one would grow with every replacement
          @Override
          public void ping() {}

          @Override
          public void send(String text) {}

          @Override
          public void close(DisconnectReason reason) {}
        };
        try {
          start.await();
          for (int i = 0; i < opsPerThread; i++) {
            int u = rnd.nextInt(USERS);
            int k = rnd.nextInt(SESSION_IDS);
            int op = rnd.nextInt(10);
            PresenceSession s = mine[u][k];
            if (op < 4) {
              mine[u][k] = registry.connect("u" + u, "s" + k, out); // may replace another thread's
            } else if (op < 8) {
              if (s != null) {
                s.close();
                mine[u][k] = null;
              }
            } else if (s != null) {
              s.touch();
            } else {
              registry.isOnline("u" + u);
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "stress-" + t);
      workers.add(worker);
      worker.start();
    }
    AtomicBoolean done = new AtomicBoolean();
    Thread side = new Thread(() -> {
      while (!done.get()) {
        sideTask.run();
        Thread.onSpinWait();
      }
    }, "stress-side");
    side.start();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    done.set(true);
    side.join();
    assertThat(errors).isEmpty();
    return held;
  }

  private static void assertQuiescentState(DefaultPresenceRegistry registry,
      Map<String, ConcurrentLinkedQueue<Boolean>> events, List<PresenceSession[][]> held) {
    int expectedOnline = 0;
    int expectedSessions = 0;
    int transitions = 0;
    for (int u = 0; u < USERS; u++) {
      String user = "u" + u;
      int open = 0;
      for (PresenceSession[][] mine : held) {
        for (PresenceSession s : mine[u]) {
          if (s != null && s.isOpen()) {
            open++;
          }
        }
      }
      assertThat(registry.sessionCount(user)).as("sessions of %s", user).isEqualTo(open);
      assertThat(registry.isOnline(user)).as("online ⇔ sessions > 0 for %s", user).isEqualTo(open > 0);
      expectedSessions += open;
      expectedOnline += open > 0 ? 1 : 0;

      List<Boolean> seq = new ArrayList<>(events.getOrDefault(user, new ConcurrentLinkedQueue<>()));
      for (int i = 0; i < seq.size(); i++) {
        assertThat(seq.get(i)).as("event %d of %s alternates, starting online", i, user).isEqualTo(i % 2 == 0);
      }
      boolean lastOnline = !seq.isEmpty() && seq.get(seq.size() - 1);
      assertThat(lastOnline).as("last event of %s matches its state", user).isEqualTo(open > 0);
      transitions += seq.size();
    }
    assertThat(registry.onlineUserCount()).isEqualTo(expectedOnline);
    assertThat(registry.onlineUsers()).hasSize(expectedOnline);
    assertThat(registry.totalSessionCount()).isEqualTo(expectedSessions);
    assertThat(registry.entryCount()).as("offline users leave no entry behind").isEqualTo(expectedOnline);
    PresenceStats stats = registry.stats();
    assertThat(stats.eventsPending()).isZero();
    assertThat(transitions + stats.eventsCoalesced()).as("every transition delivered once or coalesced")
        .isEqualTo(stats.onlineTransitions() + stats.offlineTransitions());
    assertThat(stats.onlineTransitions() - stats.offlineTransitions()).isEqualTo(expectedOnline);
    assertThat(stats.sessions()).isEqualTo(expectedSessions);
    assertThat(stats.onlineTransitions()).as("the race produced transitions at all").isGreaterThan(1000);
  }
}
