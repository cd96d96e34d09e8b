package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Races of the rich-presence paths, and update coalescing under a backlog. */
class RichPresenceConcurrencyTest {
  private static final Duration IDLE = Duration.ofMillis(50);

  /**
   * Activity on two sessions races the idle timer (run by a third thread advancing the fake
   * clock). Whenever everything is quiet, an away user must really have been quiet for
   * idleAfter, and the listener's stream must alternate away/available.
   */
  @Test
  void activityRacingTheIdleTimer_neverLeavesAnActiveUserAway() throws Exception {
    FakeTime time = new FakeTime();
    RecordingListener events = new RecordingListener();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).idleAfter(IDLE).build()) {
      registry.addListener(events);
      PresenceSession a = registry.connect("alice", "a", new RecordingOutbound());
      PresenceSession b = registry.connect("alice", "b", new RecordingOutbound());
      java.util.Random random = new java.util.Random(12);
      for (int round = 0; round < 1500; round++) {
        CountDownLatch start = new CountDownLatch(1);
        Thread clock = new Thread(() -> {
          await(start);
          time.advance(IDLE.plusMillis(10)); // the idle timer fires in here
        });
        int[] spins = {random.nextInt(2000), random.nextInt(2000)};
        Thread[] users = new Thread[2];
        for (int t = 0; t < 2; t++) {
          PresenceSession s = t == 0 ? a : b;
          int n = spins[t];
          users[t] = new Thread(() -> {
            await(start);
            for (int i = 0; i < n; i++) {
              Thread.onSpinWait();
            }
            s.activity(); // once, racing the timer
          });
        }
        clock.start();
        users[0].start();
        users[1].start();
        start.countDown();
        clock.join();
        users[0].join();
        users[1].join();

        UserPresence p = registry.presenceOf("alice").orElseThrow();
        Duration quiet = Duration.between(p.lastActive(), time.now());
        if (p.status() == Status.AWAY) {
          assertThat(quiet).as("round %d: away after activity %s ago", round, quiet)
              .isGreaterThanOrEqualTo(IDLE.minusMillis(1));
        }
        time.advance(IDLE); // quiet for a whole idleAfter: must be away now
        assertThat(registry.presenceOf("alice").orElseThrow().status()).isEqualTo(Status.AWAY);
        a.activity();
        assertThat(registry.presenceOf("alice").orElseThrow().status()).isEqualTo(Status.AVAILABLE);
      }
      List<String> log = events.log();
      for (int i = 2; i < log.size(); i++) {
        assertThat(log.get(i)).as("alternation at %d", i).isNotEqualTo(log.get(i - 1));
      }
    }
  }

  @Test
  void undeliveredUpdates_underABacklog_coalesce_latestWins_changesMerged() {
    FakeTime time = new FakeTime();
    ArrayDeque<Runnable> executor = new ArrayDeque<>();
    RecordingListener events = new RecordingListener();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(executor::add).maxPendingEvents(2).build()) {
      registry.addListener(events);
      registry.connect("alice", "1", new RecordingOutbound());
      registry.setAvailability("alice", Availability.BUSY);
      registry.setStatusText("alice", StatusText.of("One"));
      registry.setStatusText("alice", StatusText.of("Two"));
      while (!executor.isEmpty()) {
        executor.poll().run();
      }

      // +alice and busy fill the backlog (2); the texts then replace busy: latest wins
      assertThat(events.log()).containsExactly("+alice", "alice:busy 'Two'");
      assertThat(events.updates().get(0).changes())
          .containsExactlyInAnyOrder(PresenceUpdate.Change.STATUS, PresenceUpdate.Change.STATUS_TEXT);
      assertThat(registry.stats().eventsCoalesced()).isEqualTo(2);
      assertThat(registry.stats().eventsPending()).isZero();
    }
  }

  @Test
  void withoutABacklog_everyUpdateIsDelivered_inOrder() {
    FakeTime time = new FakeTime();
    ArrayDeque<Runnable> executor = new ArrayDeque<>();
    RecordingListener events = new RecordingListener();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(executor::add).build()) {
      registry.addListener(events);
      registry.connect("alice", "1", new RecordingOutbound());
      registry.setAvailability("alice", Availability.BUSY);
      registry.setStatusText("alice", StatusText.of("One"));
      registry.setAvailability("alice", Availability.AVAILABLE);
      while (!executor.isEmpty()) {
        executor.poll().run();
      }
      assertThat(events.log()).containsExactly("+alice", "alice:busy", "alice:busy 'One'", "alice:available 'One'");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
