package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.presence.test.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Erasure ({@link LastSeenStore#forget}) in the core stores. */
class LastSeenForgetTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final FakeTime time = new FakeTime();

  @Test
  void inMemory_forgetsOnlyTheNamedUsers() {
    LastSeenStore store = LastSeenStore.inMemory();
    store.recordAll(Map.of("alice", T0, "bob", T0));
    store.forget(Arrays.asList("alice", null, "ghost"));

    assertThat(store.readAll(List.of("alice", "bob"))).isEqualTo(Map.of("bob", T0));
    store.recordAll(Map.of("alice", T0.plusSeconds(1)));
    assertThat(store.readAll(List.of("alice"))).as("new data after the erasure is kept")
        .isEqualTo(Map.of("alice", T0.plusSeconds(1)));
  }

  @Test
  void writeBehind_dropsQueuedWrites_soTheyNeverLand() {
    LoggingStore db = new LoggingStore();
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(time).build();
    store.recordAll(Map.of("alice", T0, "bob", T0));
    store.forget(List.of("alice"));

    assertThat(store.readAll(List.of("alice"))).isEmpty();
    time.advance(Duration.ofSeconds(1));
    assertThat(db.log).containsExactly("forget [alice]", "record {bob=" + T0 + "}");
    assertThat(db.stored.readAll(List.of("alice", "bob"))).isEqualTo(Map.of("bob", T0));
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void writeBehind_forgetsWhatTheDelegateAlreadyHas() {
    LoggingStore db = new LoggingStore();
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(time).build();
    store.recordAll(Map.of("alice", T0));
    time.advance(Duration.ofSeconds(1));
    store.forget(List.of("alice"));

    assertThat(db.stored.readAll(List.of("alice"))).isEmpty();
    assertThat(store.readAll(List.of("alice"))).isEmpty();
  }

  @Test
  void writeBehind_failedBatchRequeued_isStillForgotten() {
    LoggingStore db = new LoggingStore();
    db.failuresLeft.set(1);
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(time)
        .retryBackoff(Duration.ofSeconds(1)).build();
    store.recordAll(Map.of("alice", T0));
    time.advance(Duration.ofMillis(100)); // the batch fails and goes back into the queue
    assertThat(store.pendingCount()).isEqualTo(1);
    store.forget(List.of("alice"));
    time.advance(Duration.ofSeconds(5));

    assertThat(db.stored.readAll(List.of("alice"))).isEmpty();
    assertThat(db.log).containsExactly("forget [alice]");
  }

  /**
   * The race the erasure must win: a batch holding alice is being written (the delegate is
   * blocked in recordAll) when forget(alice) is called. forget must wait for it and erase after,
   * or the in-flight write would land after the erasure and bring her last seen back.
   */
  @Test
  void writeBehind_batchInFlight_cannotResurrectAForgottenUser() throws Exception {
    LoggingStore db = new LoggingStore();
    db.blockWrites = new CountDownLatch(1);
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(time).build();
    store.recordAll(Map.of("alice", T0));
    Thread flusher = new Thread(() -> time.advance(Duration.ofSeconds(1)), "flusher");
    flusher.start();
    assertThat(db.writeStarted.await(10, TimeUnit.SECONDS)).isTrue();

    Thread eraser = new Thread(() -> store.forget(List.of("alice")), "eraser");
    eraser.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> eraser.getState() == Thread.State.BLOCKED);
    assertThat(db.log).as("no erasure while the batch is in flight").isEmpty();
    db.blockWrites.countDown();
    flusher.join(10_000);
    eraser.join(10_000);

    assertThat(db.log).containsExactly("record {alice=" + T0 + "}", "forget [alice]");
    assertThat(db.stored.readAll(List.of("alice"))).isEmpty();
    assertThat(store.readAll(List.of("alice"))).isEmpty();
  }

  @Test
  void writeBehind_delegateFailure_propagates_butQueuedTimesAreDropped() {
    LoggingStore db = new LoggingStore();
    db.failForget = true;
    WriteBehindLastSeenStore store = WriteBehindLastSeenStore.builder(db).scheduler(time).build();
    store.recordAll(Map.of("alice", T0));

    assertThatThrownBy(() -> store.forget(List.of("alice"))).hasMessage("database down");
    assertThat(store.pendingCount()).isZero();
  }

  @Test
  void customStoreWithoutForget_failsLoudly() {
    LastSeenStore legacy = new LastSeenStore() {
      @Override
      public void recordAll(Map<String, Instant> lastSeen) {}

      @Override
      public Map<String, Instant> readAll(Collection<String> userIds) {
        return Map.of();
      }
    };
    assertThatThrownBy(() -> legacy.forget(List.of("alice")))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageEndingWith("does not implement LastSeenStore.forget, the erasure path");
  }

  /** A monotonic store that logs what it was asked, can block writes and fail. */
  static final class LoggingStore implements LastSeenStore {
    final LastSeenStore stored = LastSeenStore.inMemory();
    final List<String> log = new CopyOnWriteArrayList<>();
    final CountDownLatch writeStarted = new CountDownLatch(1);
    volatile CountDownLatch blockWrites;
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean failForget;

    @Override
    public void recordAll(Map<String, Instant> lastSeen) {
      writeStarted.countDown();
      if (blockWrites != null) {
        try {
          blockWrites.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("database down");
      }
      stored.recordAll(lastSeen);
      log.add("record " + lastSeen);
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      return stored.readAll(userIds);
    }

    @Override
    public void forget(Collection<String> userIds) {
      if (failForget) {
        throw new IllegalStateException("database down");
      }
      stored.forget(userIds);
      log.add("forget " + new ArrayList<>(userIds));
    }
  }
}
