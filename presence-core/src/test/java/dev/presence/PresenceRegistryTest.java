package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PresenceRegistryTest {
  private final FakeTime time = new FakeTime();
  private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
  private PresenceRegistry registry = build(PresenceRegistry.builder().withoutHeartbeat());

  private PresenceRegistry build(PresenceRegistry.Builder b) {
    PresenceRegistry r = b.ticker(time).clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).build();
    r.addListener(events::add);
    return r;
  }

  @AfterEach
  void close() {
    registry.close();
  }

  private List<String> log() {
    return events.stream().map(e -> e.userId() + (e.online() ? "+" : "-")).toList();
  }

  @Test
  void firstSession_makesUserOnline_andFiresOneOnlineEvent() {
    registry.connect("alice", "s1", new RecordingOutbound());

    assertThat(registry.isOnline("alice")).isTrue();
    assertThat(registry.sessionCount("alice")).isEqualTo(1);
    assertThat(registry.onlineUserCount()).isEqualTo(1);
    assertThat(log()).containsExactly("alice+");
    assertThat(events.get(0).at()).isEqualTo(time.now());
  }

  @Test
  void unknownOrNullUser_isOffline() {
    assertThat(registry.isOnline("nobody")).isFalse();
    assertThat(registry.isOnline(null)).isFalse();
    assertThat(registry.sessionCount("nobody")).isZero();
    assertThat(registry.sessionCount(null)).isZero();
  }

  @Test
  void secondTabOpening_firesNoEvent() {
    registry.connect("alice", "tab1", new RecordingOutbound());
    registry.connect("alice", "tab2", new RecordingOutbound());

    assertThat(registry.sessionCount("alice")).isEqualTo(2);
    assertThat(registry.totalSessionCount()).isEqualTo(2);
    assertThat(log()).containsExactly("alice+");
  }

  @Test
  void secondTabClosing_keepsUserOnline() {
    PresenceSession tab1 = registry.connect("alice", "tab1", new RecordingOutbound());
    PresenceSession tab2 = registry.connect("alice", "tab2", new RecordingOutbound());

    tab1.close();
    assertThat(registry.isOnline("alice")).isTrue();
    assertThat(log()).containsExactly("alice+");

    tab2.close();
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(registry.sessionCount("alice")).isZero();
    assertThat(registry.onlineUserCount()).isZero();
    assertThat(registry.totalSessionCount()).isZero();
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void closingTwice_isIdempotent() {
    PresenceSession s = registry.connect("alice", "s1", new RecordingOutbound());
    s.close();
    s.close();

    assertThat(s.isOpen()).isFalse();
    assertThat(log()).containsExactly("alice+", "alice-");
    assertThat(registry.onlineUserCount()).isZero();
  }

  @Test
  void hostClose_doesNotCloseTheOutbound() {
    RecordingOutbound out = new RecordingOutbound();
    registry.connect("alice", "s1", out).close();

    assertThat(out.closes).isEmpty();
  }

  @Test
  void reconnectAfterOffline_firesOnlineAgain() {
    registry.connect("alice", "s1", new RecordingOutbound()).close();
    registry.connect("alice", "s2", new RecordingOutbound());

    assertThat(log()).containsExactly("alice+", "alice-", "alice+");
    assertThat(registry.isOnline("alice")).isTrue();
  }

  @Test
  void sameSessionIdReconnecting_replacesTheOldSession_withoutEvents() {
    RecordingOutbound old = new RecordingOutbound();
    PresenceSession first = registry.connect("alice", "s1", old);
    PresenceSession second = registry.connect("alice", "s1", new RecordingOutbound());

    assertThat(first.isOpen()).isFalse();
    assertThat(second.isOpen()).isTrue();
    assertThat(old.closes).containsExactly(DisconnectReason.REPLACED);
    assertThat(registry.sessionCount("alice")).isEqualTo(1);
    assertThat(registry.totalSessionCount()).isEqualTo(1);
    assertThat(log()).containsExactly("alice+");

    first.close(); // the replaced handle no longer affects the user
    assertThat(registry.isOnline("alice")).isTrue();
    second.close();
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void sessionIds_areScopedPerUser() {
    registry.connect("alice", "s1", new RecordingOutbound());
    registry.connect("bob", "s1", new RecordingOutbound());

    assertThat(registry.onlineUsers()).containsExactlyInAnyOrder("alice", "bob");
    assertThat(registry.totalSessionCount()).isEqualTo(2);
  }

  @Test
  void onlineAmong_returnsSnapshotOfOnlineOnes_ignoringNulls() {
    registry.connect("alice", "s1", new RecordingOutbound());
    registry.connect("carol", "s1", new RecordingOutbound());

    Set<String> among = registry.onlineAmong(java.util.Arrays.asList("alice", "bob", null, "carol"));
    registry.connect("bob", "s1", new RecordingOutbound());

    assertThat(among).containsExactlyInAnyOrder("alice", "carol");
  }

  @Test
  void onlineUsers_isAnImmutableSnapshot() {
    registry.connect("alice", "s1", new RecordingOutbound());
    Set<String> snapshot = registry.onlineUsers();
    registry.connect("bob", "s1", new RecordingOutbound());

    assertThat(snapshot).containsExactly("alice");
    assertThatThrownBy(() -> snapshot.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void sendToUser_reachesEveryTab() {
    RecordingOutbound tab1 = new RecordingOutbound();
    RecordingOutbound tab2 = new RecordingOutbound();
    registry.connect("alice", "tab1", tab1);
    registry.connect("alice", "tab2", tab2);

    assertThat(registry.sendToUser("alice", "hi")).isEqualTo(2);
    assertThat(registry.sendToUser("bob", "hi")).isZero();
    assertThat(tab1.sent).containsExactly("hi");
    assertThat(tab2.sent).containsExactly("hi");
  }

  @Test
  void badArguments_failWithTheirName_andRegisterNothing() {
    RecordingOutbound out = new RecordingOutbound();
    assertThatThrownBy(() -> registry.connect(null, "s", out))
        .isInstanceOf(NullPointerException.class).hasMessage("userId");
    assertThatThrownBy(() -> registry.connect(" ", "s", out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("userId must not be blank: ' '");
    assertThatThrownBy(() -> registry.connect("u", "", out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sessionId must not be blank: ''");
    assertThatThrownBy(() -> registry.connect("u", "s", null))
        .isInstanceOf(NullPointerException.class).hasMessage("outbound");
    assertThat(registry.onlineUserCount()).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void throwingListener_isSkipped_andOthersStillRun() {
    registry.addListener(e -> {
      throw new IllegalStateException("boom");
    });
    List<PresenceEvent> after = new CopyOnWriteArrayList<>();
    registry.addListener(after::add);

    registry.connect("alice", "s1", new RecordingOutbound()).close();

    assertThat(after).extracting(PresenceEvent::online).containsExactly(true, false);
    assertThat(log()).containsExactly("alice+", "alice-");
    assertThat(registry.isOnline("alice")).isFalse();
  }

  @Test
  void removedListener_hearsNothingMore() {
    List<PresenceEvent> heard = new CopyOnWriteArrayList<>();
    Subscription sub = registry.addListener(heard::add);
    registry.connect("alice", "s1", new RecordingOutbound());
    sub.close();
    sub.close();
    registry.connect("bob", "s1", new RecordingOutbound());

    assertThat(heard).extracting(PresenceEvent::userId).containsExactly("alice");
  }

  @Test
  void listenerMayCallBackIntoTheRegistry() {
    registry.addListener(e -> {
      if (e.online() && e.userId().equals("alice")) {
        registry.connect("echo", "s1", new RecordingOutbound());
      }
    });
    registry.connect("alice", "s1", new RecordingOutbound());

    assertThat(registry.isOnline("echo")).isTrue();
  }

  @Test
  void listenerSeesRegistryStateAlreadyUpdated() {
    List<Boolean> seen = new CopyOnWriteArrayList<>();
    registry.addListener(e -> seen.add(registry.isOnline(e.userId())));
    registry.connect("alice", "s1", new RecordingOutbound()).close();

    assertThat(seen).containsExactly(true, false);
  }

  // ------------------------------------------------------------------ offline grace

  @Test
  void grace_delaysTheOfflineEvent_andStampsTheDisconnectTime() {
    registry.close();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().offlineGrace(Duration.ofSeconds(5)));
    PresenceSession s = registry.connect("alice", "s1", new RecordingOutbound());
    time.advance(Duration.ofSeconds(1));
    var closedAt = time.now();
    s.close();

    time.advance(Duration.ofMillis(4999));
    assertThat(registry.isOnline("alice")).isTrue();
    assertThat(registry.sessionCount("alice")).isZero();
    assertThat(log()).containsExactly("alice+");

    time.advance(Duration.ofMillis(1));
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(log()).containsExactly("alice+", "alice-");
    assertThat(events.get(1).at()).isEqualTo(closedAt);
  }

  @Test
  void reconnectWithinGrace_firesNothing() {
    registry.close();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().offlineGrace(Duration.ofSeconds(5)));
    registry.connect("alice", "s1", new RecordingOutbound()).close();
    time.advance(Duration.ofSeconds(3));
    PresenceSession again = registry.connect("alice", "s2", new RecordingOutbound());
    time.advance(Duration.ofSeconds(10));

    assertThat(log()).containsExactly("alice+");
    assertThat(registry.isOnline("alice")).isTrue();
    assertThat(time.pendingTasks()).isZero();

    again.close();
    time.advance(Duration.ofSeconds(5));
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void graceTimerRefusedByTheScheduler_goesOfflineAtOnce_andKeepsStateConsistent() {
    registry.close();
    Scheduler refusing = (task, delay) -> {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    };
    registry = PresenceRegistry.builder().withoutHeartbeat().offlineGrace(Duration.ofSeconds(5))
        .ticker(time).clock(time.clock()).scheduler(refusing).eventExecutor(Runnable::run).build();
    registry.addListener(events::add);
    registry.connect("alice", "s1", new RecordingOutbound()).close();

    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(registry.sessionCount("alice")).isZero();
    assertThat(registry.totalSessionCount()).isZero();
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void closingRegistryDuringGrace_firesTheOfflineAtOnce() {
    registry.close();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().offlineGrace(Duration.ofMinutes(1)));
    registry.connect("alice", "s1", new RecordingOutbound()).close();

    registry.close();

    assertThat(log()).containsExactly("alice+", "alice-");
  }

  // ------------------------------------------------------------------ heartbeat

  @Test
  void heartbeat_pingsEverySessionEachInterval() {
    registry.close();
    registry = build(PresenceRegistry.builder().heartbeatInterval(Duration.ofSeconds(30)));
    RecordingOutbound a = new RecordingOutbound();
    RecordingOutbound b = new RecordingOutbound();
    PresenceSession sa = registry.connect("alice", "s1", a);
    PresenceSession sb = registry.connect("bob", "s1", b);

    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofSeconds(30));
      sa.touch(); // both answer every ping
      sb.touch();
    }

    assertThat(a.pings.get()).isEqualTo(10);
    assertThat(b.pings.get()).isEqualTo(10);
    assertThat(registry.onlineUserCount()).isEqualTo(2);
    assertThat(log()).containsExactly("alice+", "bob+");
  }

  @Test
  void silentSession_isEvictedAfterTheTimeout_andItsTransportClosed() {
    registry.close();
    registry = build(PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(25)));
    RecordingOutbound silent = new RecordingOutbound();
    PresenceSession s = registry.connect("alice", "s1", silent);

    time.advance(Duration.ofSeconds(20)); // 20 s silent: below the timeout
    assertThat(registry.isOnline("alice")).isTrue();

    time.advance(Duration.ofSeconds(10)); // sweep at 30 s: 30 ≥ 25
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(s.isOpen()).isFalse();
    assertThat(silent.closes).containsExactly(DisconnectReason.HEARTBEAT_TIMEOUT);
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void touchedSession_survivesWhileSilentOneInSameUserIsEvicted() {
    registry.close();
    registry = build(PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(25)));
    PresenceSession live = registry.connect("alice", "live", new RecordingOutbound());
    RecordingOutbound dead = new RecordingOutbound();
    registry.connect("alice", "dead", dead);

    for (int i = 0; i < 5; i++) {
      time.advance(Duration.ofSeconds(10));
      live.touch();
    }

    assertThat(registry.sessionCount("alice")).isEqualTo(1);
    assertThat(dead.closes).containsExactly(DisconnectReason.HEARTBEAT_TIMEOUT);
    assertThat(log()).containsExactly("alice+");
  }

  @Test
  void failingPing_evictsTheSession() {
    registry.close();
    registry = build(PresenceRegistry.builder().heartbeatInterval(Duration.ofSeconds(10)));
    RecordingOutbound broken = new RecordingOutbound();
    broken.failPings();
    registry.connect("alice", "s1", broken);

    time.advance(Duration.ofSeconds(10));

    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(broken.closes).containsExactly(DisconnectReason.PING_FAILED);
  }

  @Test
  void touchAfterClose_doesNothing() {
    PresenceSession s = registry.connect("alice", "s1", new RecordingOutbound());
    s.close();
    s.touch();
    assertThat(registry.isOnline("alice")).isFalse();
  }

  // ------------------------------------------------------------------ last seen and close

  @Test
  void lastSeen_isRecordedOncePerFinalDisconnect_neverOnConnect() {
    CountingStore store = new CountingStore();
    registry.close();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().lastSeenStore(store));
    PresenceSession t1 = registry.connect("alice", "t1", new RecordingOutbound());
    PresenceSession t2 = registry.connect("alice", "t2", new RecordingOutbound());
    time.advance(Duration.ofSeconds(1));
    t1.close();
    time.runDue();
    assertThat(store.calls).isZero();

    t2.close();
    var offAt = time.now();
    registry.close(); // flushes the write-behind the registry created

    assertThat(store.calls).isEqualTo(1);
    assertThat(store.delegate.readAll(List.of("alice"))).containsEntry("alice", offAt);
  }

  @Test
  void close_endsEverySession_firesOfflines_andClosesTransports() {
    RecordingOutbound out = new RecordingOutbound();
    registry.connect("alice", "s1", out);
    registry.connect("bob", "s1", new RecordingOutbound());

    registry.close();
    registry.close();

    assertThat(out.closes).containsExactly(DisconnectReason.REGISTRY_CLOSED);
    assertThat(registry.onlineUserCount()).isZero();
    assertThat(log()).containsExactlyInAnyOrder("alice+", "bob+", "alice-", "bob-");
    assertThatThrownBy(() -> registry.connect("carol", "s1", out))
        .isInstanceOf(IllegalStateException.class).hasMessage("registry is closed");
  }

  @Test
  void lastSeenStore_isExposedAsTheNonBlockingWrapper() {
    registry.close();
    CountingStore store = new CountingStore();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().lastSeenStore(store));
    assertThat(registry.lastSeenStore()).containsInstanceOf(WriteBehindLastSeenStore.class);

    LastSeenStore memory = LastSeenStore.inMemory();
    registry.close();
    registry = build(PresenceRegistry.builder().withoutHeartbeat().lastSeenStore(memory));
    assertThat(registry.lastSeenStore()).containsSame(memory);
  }

  /** A store that counts batch writes; stands in for a database. */
  static final class CountingStore implements LastSeenStore {
    final LastSeenStore delegate = LastSeenStore.inMemory();
    volatile int calls;

    @Override
    public synchronized void recordAll(java.util.Map<String, java.time.Instant> lastSeen) {
      calls++;
      delegate.recordAll(lastSeen);
    }

    @Override
    public java.util.Map<String, java.time.Instant> readAll(java.util.Collection<String> userIds) {
      return delegate.readAll(userIds);
    }
  }
}
