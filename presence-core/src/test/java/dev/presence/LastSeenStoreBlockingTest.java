package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A store says whether it blocks; the registry puts a write-behind thread only before one that does. */
class LastSeenStoreBlockingTest {
  private final FakeTime time = new FakeTime();

  private PresenceRegistry registryWith(LastSeenStore store) {
    return PresenceRegistry.builder().withoutHeartbeat().ticker(time).clock(time.clock())
        .scheduler(time).eventExecutor(Runnable::run).lastSeenStore(store).build();
  }

  @Test
  void hostsOwnNonBlockingStore_isCalledDirectly_onTheThreadThatEndsTheSession() {
    ThreadRecordingStore store = new ThreadRecordingStore(false);
    try (PresenceRegistry registry = registryWith(store)) {
      assertThat(registry.lastSeenStore()).containsSame(store);

      registry.connect("alice", "1", new RecordingOutbound()).close();

      assertThat(store.writerOf).containsExactly(Map.entry("alice", Thread.currentThread().getName()));
      assertThat(store.readAll(List.of("alice"))).containsEntry("alice", time.now());
    }
  }

  @Test
  void storeThatBlocks_isPutBehindAWriteBehindWithItsOwnThread() {
    ThreadRecordingStore store = new ThreadRecordingStore(true);
    PresenceRegistry registry = registryWith(store);
    LastSeenStore used = registry.lastSeenStore().orElseThrow();
    assertThat(used).isInstanceOf(WriteBehindLastSeenStore.class);
    assertThat(used.blocksCaller()).isFalse();

    registry.connect("alice", "1", new RecordingOutbound()).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.writerOf.containsKey("alice"));
    registry.close();

    assertThat(store.writerOf.get("alice")).isNotEqualTo(Thread.currentThread().getName());
  }

  @Test
  void storesDeclareWhetherTheyBlock_andTheDefaultIsTheSafeAnswer() {
    LastSeenStore legacy = new LastSeenStore() {
      @Override
      public void recordAll(Map<String, Instant> lastSeen) {}

      @Override
      public Map<String, Instant> readAll(Collection<String> userIds) {
        return new HashMap<>();
      }
    };

    assertThat(legacy.blocksCaller()).isTrue();
    assertThat(LastSeenStore.inMemory().blocksCaller()).isFalse();
    try (WriteBehindLastSeenStore writeBehind =
        WriteBehindLastSeenStore.builder(legacy).scheduler(time).build()) {
      assertThat(writeBehind.blocksCaller()).isFalse();
    }
  }

  /** Remembers which thread wrote each user, and says whether it blocks as told. */
  static final class ThreadRecordingStore implements LastSeenStore {
    final boolean blocks;
    final Map<String, String> writerOf = new ConcurrentHashMap<>();
    final LastSeenStore times = LastSeenStore.inMemory();

    ThreadRecordingStore(boolean blocks) {
      this.blocks = blocks;
    }

    @Override
    public void recordAll(Map<String, Instant> lastSeen) {
      lastSeen.keySet().forEach(u -> writerOf.put(u, Thread.currentThread().getName()));
      times.recordAll(lastSeen);
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      return times.readAll(userIds);
    }

    @Override
    public boolean blocksCaller() {
      return blocks;
    }
  }
}
