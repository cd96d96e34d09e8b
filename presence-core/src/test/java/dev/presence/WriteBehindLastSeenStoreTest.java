package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WriteBehindLastSeenStoreTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final FakeTime time = new FakeTime();
  private final FlakyStore db = new FlakyStore();

  private WriteBehindLastSeenStore.Builder builder() {
    return WriteBehindLastSeenStore.builder(db).scheduler(time).flushDelay(Duration.ofMillis(100));
  }

  @Test
  void record_neverCallsTheDelegateOnTheCallersThread() {
    WriteBehindLastSeenStore store = builder().build();
    store.recordAll(Map.of("alice", T0));

    assertThat(db.batches).isEmpty();
    assertThat(store.pendingCount()).isEqualTo(1);
  }

  @Test
  void burstOfOfflines_becomesOneBatch() {
    WriteBehindLastSeenStore store = builder().build();
    for (int i = 0; i < 50; i++) {
      store.recordAll(Map.of("u" + i, T0.plusSeconds(i)));
    }
    time.advance(Duration.ofMillis(100));

    assertThat(db.batches).hasSize(1);
    assertThat(db.batches.get(0)).hasSize(50);
    assertThat(store.writtenCount()).isEqualTo(50);
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void sameUserTwice_isCoalesced_latestWins() {
    WriteBehindLastSeenStore store = builder().build();
    store.recordAll(Map.of("alice", T0.plusSeconds(5)));
    store.recordAll(Map.of("alice", T0.plusSeconds(1))); // older, arrives late
    store.recordAll(Map.of("alice", T0.plusSeconds(9)));
    time.advance(Duration.ofSeconds(1));

    assertThat(db.batches).containsExactly(Map.of("alice", T0.plusSeconds(9)));
  }

  @Test
  void batches_areSplitAtBatchSize() {
    WriteBehindLastSeenStore store = builder().batchSize(10).build();
    for (int i = 0; i < 25; i++) {
      store.recordAll(Map.of("u" + i, T0));
    }
    time.advance(Duration.ofSeconds(1));

    assertThat(db.batches).extracting(Map::size).containsExactly(10, 10, 5);
  }

  @Test
  void failedBatch_isRetriedWithBackoff_andNothingIsLost() {
    WriteBehindLastSeenStore store = builder()
        .retryBackoff(Duration.ofSeconds(1)).maxRetryBackoff(Duration.ofSeconds(4)).build();
    db.failuresLeft = 3;
    store.recordAll(Map.of("alice", T0, "bob", T0));

    time.advance(Duration.ofMillis(100)); // attempt 1 fails, next in 1 s
    assertThat(store.failedAttemptCount()).isEqualTo(1);
    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(1)); // attempt 2 fails, next in 2 s
    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(2));
    store.recordAll(Map.of("alice", T0.plusSeconds(60))); // newer time while failing
    time.advance(Duration.ofSeconds(2)); // attempt 3 fails, next in 4 s
    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(4));
    assertThat(db.batches).isEmpty();

    time.advance(Duration.ofSeconds(4)); // attempt 4 succeeds
    assertThat(db.batches).containsExactly(Map.of("alice", T0.plusSeconds(60), "bob", T0));
    assertThat(store.pendingCount()).isZero();
    assertThat(store.failedAttemptCount()).isEqualTo(3);
  }

  @Test
  void backoff_isCappedAtTheMaximum() {
    WriteBehindLastSeenStore store = builder()
        .retryBackoff(Duration.ofSeconds(1)).maxRetryBackoff(Duration.ofSeconds(3)).build();
    db.failuresLeft = 100;
    store.recordAll(Map.of("alice", T0));
    time.advance(Duration.ofMillis(100));
    time.advance(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(2));

    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void overflow_dropsOnlyNewUsers_andCountsThem() {
    WriteBehindLastSeenStore store = builder().maxPending(3).build();
    store.recordAll(Map.of("a", T0));
    store.recordAll(Map.of("b", T0));
    store.recordAll(Map.of("c", T0));
    store.recordAll(Map.of("d", T0)); // refused
    store.recordAll(Map.of("a", T0.plusSeconds(1))); // existing user: still coalesces

    assertThat(store.droppedCount()).isEqualTo(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(db.batches).containsExactly(Map.of("a", T0.plusSeconds(1), "b", T0, "c", T0));
  }

  @Test
  void read_seesQueuedWritesBeforeTheyLand() {
    WriteBehindLastSeenStore store = builder().build();
    db.recordAll(Map.of("bob", T0));
    store.recordAll(Map.of("alice", T0.plusSeconds(3), "bob", T0.plusSeconds(7)));

    assertThat(store.readAll(List.of("alice", "bob", "carol")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("alice", T0.plusSeconds(3), "bob", T0.plusSeconds(7)));
  }

  @Test
  void read_seesABatchWhileTheDelegateIsStillWritingIt() throws Exception {
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    LastSeenStore slow = new LastSeenStore() {
      @Override
      public void recordAll(Map<String, Instant> lastSeen) {
        writing.countDown();
        try {
          release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        db.recordAll(lastSeen);
      }

      @Override
      public Map<String, Instant> readAll(Collection<String> userIds) {
        return db.readAll(userIds);
      }
    };
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(slow).scheduler(time).build();
    store.recordAll(Map.of("alice", T0));
    Thread flusher = new Thread(() -> time.advance(Duration.ofSeconds(1)), "flusher");
    flusher.start();
    assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    assertThat(store.pendingCount()).isZero(); // out of the queue, not yet in the database
    assertThat(db.readAll(List.of("alice"))).isEmpty();
    assertThat(store.readAll(List.of("alice"))).containsEntry("alice", T0);

    release.countDown();
    flusher.join(10_000);
    assertThat(store.readAll(List.of("alice"))).containsEntry("alice", T0);
    assertThat(db.batches).containsExactly(Map.of("alice", T0));
  }

  @Test
  void close_flushesEverythingPending_beforeItReturns() {
    WriteBehindLastSeenStore store = builder().batchSize(2).build();
    store.recordAll(Map.of("a", T0, "b", T0, "c", T0));
    store.close();

    assertThat(db.stored.readAll(List.of("a", "b", "c"))).hasSize(3);
    assertThat(store.pendingCount()).isZero();
    assertThatThrownBy(() -> store.recordAll(Map.of("d", T0)))
        .isInstanceOf(IllegalStateException.class).hasMessage("WriteBehindLastSeenStore is closed");
  }

  @Test
  void close_retriesAFailingStoreWithinItsTimeout() {
    WriteBehindLastSeenStore store = builder().retryBackoff(Duration.ofMillis(1)).build();
    db.failuresLeft = 2;
    store.recordAll(Map.of("a", T0));
    store.close();

    assertThat(db.stored.readAll(List.of("a"))).containsEntry("a", T0);
  }

  @Test
  void fullBatch_isFlushedAtOnce_aPartialOneWaitsForTheDelay() {
    WriteBehindLastSeenStore store = builder().batchSize(2).build();
    store.recordAll(Map.of("a", T0));
    assertThat(time.pendingDelays()).containsExactly(Duration.ofMillis(100));
    time.advance(Duration.ofMillis(100));

    store.recordAll(Map.of("b", T0, "c", T0));
    assertThat(time.pendingDelays()).containsExactly(Duration.ZERO);
  }

  @Test
  void backoff_startsOverAfterASuccess() {
    WriteBehindLastSeenStore store = builder()
        .retryBackoff(Duration.ofSeconds(1)).maxRetryBackoff(Duration.ofSeconds(8)).build();
    db.failuresLeft = 2;
    store.recordAll(Map.of("alice", T0));
    time.advance(Duration.ofMillis(100)); // fails, next in 1 s
    time.advance(Duration.ofSeconds(1)); // fails, next in 2 s
    time.advance(Duration.ofSeconds(2)); // succeeds
    assertThat(db.batches).hasSize(1);

    db.failuresLeft = 1;
    store.recordAll(Map.of("bob", T0));
    time.advance(Duration.ofMillis(100)); // fails again: the first wait again, not the doubled one

    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(1));
    assertThat(store.writtenCount()).isEqualTo(2);
    assertThat(store.failedAttemptCount()).isEqualTo(3);
  }

  @Test
  void forget_afterAFailedBatch_leavesNoTimeBehind() {
    WriteBehindLastSeenStore store = builder().retryBackoff(Duration.ofSeconds(1)).build();
    db.failuresLeft = 1;
    store.recordAll(Map.of("alice", T0));
    time.advance(Duration.ofMillis(100)); // fails: back in the queue, out of flight

    store.forget(List.of("alice"));

    assertThat(store.readAll(List.of("alice"))).isEmpty();
    time.advance(Duration.ofSeconds(1));
    assertThat(db.batches).isEmpty();
    assertThat(store.readAll(List.of("alice"))).isEmpty();
  }

  @Test
  void forget_afterAWrittenBatch_leavesNoTimeBehind() {
    WriteBehindLastSeenStore store = builder().build();
    store.recordAll(Map.of("alice", T0, "bob", T0));
    time.advance(Duration.ofMillis(100));

    store.forget(List.of("alice"));

    assertThat(store.readAll(List.of("alice", "bob"))).containsOnlyKeys("bob");
    assertThat(store.writtenCount()).isEqualTo(2);
  }

  @Test
  void close_givesUpOnADeadStoreAfterItsTimeout_andCountsWhatItCouldNotWrite() {
    WriteBehindLastSeenStore store = builder()
        .retryBackoff(Duration.ofMillis(1)).closeTimeout(Duration.ofMillis(50)).build();
    db.failuresLeft = Integer.MAX_VALUE;
    store.recordAll(Map.of("a", T0));

    store.close();

    assertThat(store.unwrittenAtCloseCount()).isEqualTo(1);
    assertThat(db.batches).isEmpty();
    assertThat(store.readAll(List.of("a"))).containsEntry("a", T0); // still held, not silently gone
  }

  @Test
  void close_withAZeroTimeout_returnsAtOnce_reportingWhatIsNotWritten() {
    WriteBehindLastSeenStore store = builder().closeTimeout(Duration.ZERO).build();
    db.failuresLeft = Integer.MAX_VALUE;
    store.recordAll(Map.of("a", T0, "b", T0));

    store.close();

    assertThat(store.unwrittenAtCloseCount()).isEqualTo(2);
    assertThat(db.batches).isEmpty();
  }

  @Test
  @Timeout(60)
  void close_returnsWithinItsTimeout_whileAWriteHangs_countingTheBatchInFlightAndTheQueue()
      throws InterruptedException {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(new HangingStore(entered, release))
        .scheduler(time).batchSize(2).closeTimeout(Duration.ofMillis(50)).build();
    store.recordAll(Map.of("a", T0, "b", T0, "c", T0)); // a full batch: due at once
    Thread writer = new Thread(time::runDue, "scheduled-flush");
    writer.start();
    assertThat(entered.await(30, TimeUnit.SECONDS)).as("the scheduled write started").isTrue();

    try {
      store.close(); // the write of 2 never returns while the test holds the latch; 1 is queued

      assertThat(store.unwrittenAtCloseCount()).isEqualTo(3);
      assertThat(store.pendingCount()).isEqualTo(1);
      assertThat(store.readAll(List.of("a", "b", "c"))).hasSize(3); // still visible to readers
    } finally {
      release.countDown();
      writer.join(30_000);
    }
  }

  @Test
  void close_withNothingQueued_writesNothing_andReportsNothing() {
    WriteBehindLastSeenStore store = builder().build();
    store.close();

    assertThat(store.unwrittenAtCloseCount()).isZero();
    assertThat(db.batches).isEmpty();
  }

  @Test
  void close_isIdempotent_andLeavesAHostSchedulerOpen() {
    boolean[] schedulerClosed = {false};
    Scheduler host = new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, Duration delay) {
        return time.schedule(task, delay);
      }

      @Override
      public void close() {
        schedulerClosed[0] = true;
      }
    };
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(host).build();
    store.recordAll(Map.of("a", T0));
    store.close();
    db.failuresLeft = Integer.MAX_VALUE;
    store.close();

    assertThat(db.batches).containsExactly(Map.of("a", T0));
    assertThat(store.failedAttemptCount()).isZero();
    assertThat(schedulerClosed[0]).isFalse();
  }

  @Test
  void builder_acceptsTheSmallestValidValues() {
    try (WriteBehindLastSeenStore store = builder().batchSize(1).maxPending(1)
        .retryBackoff(Duration.ofSeconds(2)).maxRetryBackoff(Duration.ofSeconds(2)).build()) {
      store.recordAll(Map.of("a", T0));
      store.recordAll(Map.of("b", T0)); // beyond maxPending 1
      assertThat(store.droppedCount()).isEqualTo(1);
      assertThat(time.pendingDelays()).containsExactly(Duration.ZERO); // a full batch of 1
    }
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db).batchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be positive: 0");
  }

  @Test
  void builder_rejectsBadValuesByName() {
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db).maxPending(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPending must be positive: 0");
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db).batchSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be positive: -1");
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db).flushDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("flushDelay must not be negative: PT-1S");
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db).retryBackoff(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("retryBackoff must be positive: PT0S");
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("delegate");
    assertThatThrownBy(() -> WriteBehindLastSeenStore.builder(db)
        .retryBackoff(Duration.ofSeconds(10)).maxRetryBackoff(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRetryBackoff (PT1S) must not be shorter than retryBackoff (PT10S)");
  }

  @Test
  void inMemoryStore_isMonotonic() {
    LastSeenStore memory = LastSeenStore.inMemory();
    memory.recordAll(Map.of("alice", T0.plusSeconds(10)));
    memory.recordAll(Map.of("alice", T0));

    assertThat(memory.readAll(List.of("alice"))).containsEntry("alice", T0.plusSeconds(10));
  }

  /** A database whose writes block until released. */
  static final class HangingStore implements LastSeenStore {
    private final CountDownLatch entered;
    private final CountDownLatch release;

    HangingStore(CountDownLatch entered, CountDownLatch release) {
      this.entered = entered;
      this.release = release;
    }

    @Override
    public void recordAll(Map<String, Instant> lastSeen) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      return Map.of();
    }
  }

  /** Stands in for a database: fails the next N batches, then stores monotonically. */
  static final class FlakyStore implements LastSeenStore {
    final LastSeenStore stored = LastSeenStore.inMemory();
    final List<Map<String, Instant>> batches = new ArrayList<>();
    volatile int failuresLeft;

    @Override
    public synchronized void recordAll(Map<String, Instant> lastSeen) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new IllegalStateException("database down");
      }
      batches.add(Map.copyOf(lastSeen));
      stored.recordAll(lastSeen);
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      return stored.readAll(userIds);
    }

    @Override
    public void forget(Collection<String> userIds) {
      stored.forget(userIds);
    }
  }
}
