package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.RecordingOutbound;
import dev.presence.testing.PresenceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The batched fan-out under real concurrency: four threads connect (asking for states), close
 * sessions and change statuses of 24 users in three overlapping threads, while a fifth ends
 * windows as fast as it can, so that states are cut, and diffs computed, while everything moves.
 * At quiescence every open session's view, built by applying what it received in order, is the
 * truth, and at most one message came before its first state (the diff of a flush that was
 * sending when it registered). Bounded: a fixed count of operations, no sleeps.
 */
class FanoutStatesStressTest {
  private static final int USERS = 24;

  @Test
  void concurrentChurnAndFlushes_everyOpenSessionEndsWithTheTruth_stateFirst() throws Exception {
    ThreadMembership threads = new ThreadMembership();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add("u" + i);
      threads.join("t" + (i % 3), "u" + i);
      threads.join("t" + ((i + 1) % 3), "u" + i);
    }
    List<Runnable> due = new ArrayList<>();
    Scheduler manual = (task, delay) -> {
      synchronized (due) {
        due.add(task);
      }
      return () -> { };
    };
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build();
        PresenceFanout fanout = PresenceFanout.builder(registry, threads).batchWindow(Duration.ofSeconds(1))
            .scheduler(manual).maxDiffUsers(8).build()) {
      Map<String, PresenceSession> sessions = new ConcurrentHashMap<>();
      Map<String, RecordingOutbound> outs = new ConcurrentHashMap<>();
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(5);
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(pool.submit(() -> {
          start.await();
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          for (int op = 0; op < 1500; op++) {
            String u = users.get(rnd.nextInt(USERS));
            if (rnd.nextInt(5) == 0) {
              registry.setAvailability(u, rnd.nextBoolean() ? Availability.BUSY : Availability.AVAILABLE);
              continue;
            }
            sessions.compute(u + "/" + rnd.nextInt(2), (key, s) -> { // per key in order, as a socket's
              if (s != null && s.isOpen()) {
                s.close();
                return s;
              }
              RecordingOutbound o = new RecordingOutbound();
              PresenceSession fresh = registry.connect(u, key, o);
              outs.put(key, o);
              fanout.sendState(fresh, o::send);
              return fresh;
            });
          }
          return null;
        }));
      }
      var flusher = pool.submit(() -> {
        start.await();
        while (!done.get()) {
          runDue(due);
        }
        return null;
      });
      start.countDown();
      for (var w : workers) {
        w.get(2, TimeUnit.MINUTES);
      }
      done.set(true);
      flusher.get(1, TimeUnit.MINUTES);
      pool.shutdown();
      // quiescence: the event thread delivers what is left, then the last windows end
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> {
            runDue(due);
            Set<String> truth = registry.onlineUsers();
            int checked = 0;
            for (Map.Entry<String, PresenceSession> e : sessions.entrySet()) {
              PresenceSession s = e.getValue();
              if (!s.isOpen()) {
                continue;
              }
              List<String> sent = outs.get(e.getKey()).sent;
              assertThat(sent).as("session %s", e.getKey()).isNotEmpty();
              Set<String> expected = new TreeSet<>(threads.audienceOf(s.userId()));
              expected.retainAll(truth);
              assertThat(new PresenceView().applyAll(sent).onlineUsers()).as("view of %s", e.getKey())
                  .isEqualTo(expected);
              checked++;
            }
            assertThat(checked).isPositive();
          });
      // A session registered while a flush is sending may get that flush's diff (or resync) for its
      // user before its own state, never more: the next flush sends its state before any diff.
      for (Map.Entry<String, PresenceSession> e : sessions.entrySet()) {
        if (e.getValue().isOpen()) {
          List<String> sent = outs.get(e.getKey()).sent;
          int firstState = 0;
          while (firstState < sent.size() && !sent.get(firstState).startsWith("{\"type\":\"presence_state\"")) {
            firstState++;
          }
          assertThat(firstState).as("messages before the first state of %s: %s", e.getKey(), sent).isLessThanOrEqualTo(1);
        }
      }
    }
  }

  private static void runDue(List<Runnable> due) {
    List<Runnable> run;
    synchronized (due) {
      run = new ArrayList<>(due);
      due.clear();
    }
    run.forEach(Runnable::run);
  }
}
