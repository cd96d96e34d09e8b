package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The real clocks and threads behind the defaults: system ticker, schedulers, the event thread. */
class SchedulingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @Test
  void systemTicker_readsTheMonotonicClock() {
    Ticker ticker = Ticker.system();
    long before = System.nanoTime();
    long read = ticker.read();
    long after = System.nanoTime();
    assertThat(read).isBetween(before, after);
  }

  @Test
  void daemonThreadScheduler_runsOnOneNamedDaemonThread_andRefusesWorkOnceClosed() {
    Scheduler scheduler = Scheduler.daemonThread("presence-test-timer");
    AtomicReference<Thread> ran = new AtomicReference<>();
    try {
      scheduler.schedule(() -> ran.set(Thread.currentThread()), Duration.ZERO);
      await().atMost(DEADLINE).until(() -> ran.get() != null);
      assertThat(ran.get().getName()).isEqualTo("presence-test-timer");
      assertThat(ran.get().isDaemon()).as("never keeps the JVM alive").isTrue();
    } finally {
      scheduler.close();
    }
    assertThatThrownBy(() -> scheduler.schedule(() -> { }, Duration.ZERO))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void daemonThreadScheduler_survivesATaskThatThrows() {
    Scheduler scheduler = Scheduler.daemonThread("presence-test-timer");
    AtomicReference<String> after = new AtomicReference<>();
    try {
      scheduler.schedule(() -> {
        throw new IllegalStateException("task failed (expected by the test)");
      }, Duration.ZERO);
      scheduler.schedule(() -> after.set("ran"), Duration.ofMillis(1));
      await().atMost(DEADLINE).until(() -> after.get() != null);
    } finally {
      scheduler.close();
    }
  }

  @Test
  void blankThreadName_isRejected() {
    assertThatThrownBy(() -> Scheduler.daemonThread(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threadName must not be blank: ' '");
  }

  @Test
  void hostExecutor_isUsed_cancelRemovesTheTask_andCloseLeavesItRunning() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    executor.setRemoveOnCancelPolicy(true);
    try {
      Scheduler scheduler = Scheduler.of(executor);
      Scheduler.Cancellable task = scheduler.schedule(() -> { }, Duration.ofHours(1));
      assertThat(executor.getQueue()).hasSize(1);

      task.cancel();
      assertThat(executor.getQueue()).isEmpty();

      scheduler.close();
      assertThat(executor.isShutdown()).as("the host's executor is the host's to stop").isFalse();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void hostExecutor_mayNotBeNull() {
    assertThatThrownBy(() -> Scheduler.of(null)).isInstanceOf(NullPointerException.class).hasMessage("executor");
  }

  @Test
  void withoutAnEventExecutor_listenersRunOnOneDaemonThreadOfTheRegistry() {
    AtomicReference<Thread> delivered = new AtomicReference<>();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build()) {
      registry.addListener(new PresenceListener() {
        @Override
        public void onTransition(PresenceEvent event) {
          delivered.set(Thread.currentThread());
        }
      });
      registry.connect("alice", "1", new RecordingOutbound());
      await().atMost(DEADLINE).until(() -> delivered.get() != null);
      assertThat(delivered.get().getName()).isEqualTo("presence-events");
      assertThat(delivered.get().isDaemon()).isTrue();
    }
  }

  @Test
  void anEventExecutorThatRejects_leavesDeliveryToTheCallingThread() {
    RecordingListener events = new RecordingListener();
    AtomicReference<Thread> delivered = new AtomicReference<>();
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
        .eventExecutor(task -> {
          throw new RejectedExecutionException("full (expected by the test)");
        }).build()) {
      registry.addListener(events);
      registry.addListener(new PresenceListener() {
        @Override
        public void onTransition(PresenceEvent event) {
          delivered.set(Thread.currentThread());
        }
      });
      registry.connect("alice", "1", new RecordingOutbound()).close();

      assertThat(events.log()).containsExactly("+alice", "-alice");
      assertThat(delivered.get()).isSameAs(Thread.currentThread());
    }
  }
}
