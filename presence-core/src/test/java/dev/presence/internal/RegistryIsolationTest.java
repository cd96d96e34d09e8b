package dev.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.presence.DisconnectReason;
import dev.presence.LastSeenStore;
import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.PresenceStats;
import dev.presence.SessionLimitException;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one slow listener, one greedy user or one ending session may do to everybody else: caps,
 * close reasons and counters, and event delivery that never holds up the heartbeat.
 */
class RegistryIsolationTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(25);

  private final FakeTime time = new FakeTime();
  private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
  /** An executor that runs its tasks only when {@link #runEvents()} says so. */
  private final Queue<Runnable> eventTasks = new ArrayDeque<>();
  private final Executor manual = eventTasks::add;
  private PresenceRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private PresenceRegistry.Builder builder() {
    return PresenceRegistry.builder().ticker(time).clock(time.clock()).scheduler(time);
  }

  private PresenceRegistry build(PresenceRegistry.Builder b) {
    registry = b.build();
    registry.addListener(events::add);
    return registry;
  }

  private void runEvents() {
    Runnable r;
    while ((r = eventTasks.poll()) != null) {
      r.run();
    }
  }

  private List<String> log() {
    return events.stream().map(e -> e.userId() + (e.online() ? "+" : "-")).toList();
  }

  private List<String> log(String user) {
    return log().stream().filter(s -> s.startsWith(user)).toList();
  }

  // ------------------------------------------------------------------ listeners and the heartbeat

  @Test
  void blockingListener_delaysNeitherPingsNorEvictionsOfOtherUsers() {
    build(builder().heartbeatInterval(INTERVAL).heartbeatTimeout(TIMEOUT)); // the owned event thread
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    registry.addListener(e -> {
      if (e.userId().equals("alice")) {
        blocked.countDown();
        try {
          release.await();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
    });
    RecordingOutbound alice = new RecordingOutbound();
    RecordingOutbound bob = new RecordingOutbound();
    RecordingOutbound carol = new RecordingOutbound();
    PresenceSession aliceSession = registry.connect("alice", "s1", alice);
    await().atMost(Duration.ofSeconds(10)).until(() -> blocked.getCount() == 0); // stuck in a listener
    PresenceSession bobSession = registry.connect("bob", "s1", bob);
    registry.connect("carol", "s1", carol); // silent from now on

    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      for (int i = 0; i < 3; i++) {
        time.advance(INTERVAL);
        aliceSession.touch();
        bobSession.touch();
      }
    });

    assertThat(bob.pings.get()).as("pings to bob on schedule").isEqualTo(3);
    assertThat(carol.closes).as("carol evicted on schedule").containsExactly(DisconnectReason.HEARTBEAT_TIMEOUT);
    assertThat(registry.isOnline("carol")).isFalse();
    assertThat(registry.isOnline("bob")).isTrue();
    assertThat(registry.stats().ended(DisconnectReason.HEARTBEAT_TIMEOUT)).isOne();
    assertThat(release.getCount()).as("the listener is still blocked").isOne();

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> log().size() == 4);
    assertThat(log("alice")).containsExactly("alice+");
    assertThat(log("bob")).containsExactly("bob+");
    assertThat(log("carol")).containsExactly("carol+", "carol-");
  }

  @Test
  void sweep_evictsEveryoneItMust_beforeAnyListenerRuns_evenWithADirectExecutor() {
    build(builder().heartbeatInterval(INTERVAL).heartbeatTimeout(TIMEOUT).eventExecutor(Runnable::run));
    List<Integer> onlineSeenByFirstOffline = new CopyOnWriteArrayList<>();
    registry.addListener(e -> {
      if (!e.online() && onlineSeenByFirstOffline.isEmpty()) {
        onlineSeenByFirstOffline.add(registry.onlineUserCount());
      }
    });
    for (String u : List.of("alice", "bob", "carol")) {
      registry.connect(u, "s1", new RecordingOutbound());
    }

    time.advance(INTERVAL.multipliedBy(3)); // all three silent past the timeout

    assertThat(onlineSeenByFirstOffline).containsExactly(0);
    assertThat(log()).containsExactlyInAnyOrder("alice+", "bob+", "carol+", "alice-", "bob-", "carol-");
  }

  @Test
  void lastSeen_isRecordedAtTheTransition_notWhenListenersGetToIt() {
    LastSeenStore store = LastSeenStore.inMemory();
    build(builder().withoutHeartbeat().lastSeenStore(store).eventExecutor(manual));
    PresenceSession s = registry.connect("alice", "s1", new RecordingOutbound());
    time.advance(Duration.ofSeconds(5));

    s.close();

    assertThat(events).as("no listener has run yet").isEmpty();
    assertThat(store.readAll(List.of("alice"))).containsEntry("alice", time.now());
    runEvents();
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  @Test
  void undeliveredOfflineAndOnline_cancelOut_onlyOnceTheBacklogReachesItsBound() {
    build(builder().withoutHeartbeat().eventExecutor(manual).maxPendingEvents(3));
    PresenceSession a = registry.connect("alice", "s1", new RecordingOutbound()); // pending 1
    a.close(); // 2
    a = registry.connect("alice", "s1", new RecordingOutbound()); // 3: below the bound, kept
    registry.connect("bob", "s1", new RecordingOutbound()); // 4
    a.close(); // alice- queued: offlines always queue
    registry.connect("alice", "s2", new RecordingOutbound()); // cancels that alice-

    PresenceStats stats = registry.stats();
    assertThat(stats.eventsPending()).isEqualTo(4);
    assertThat(stats.eventsCoalesced()).isEqualTo(2);
    assertThat(stats.onlineTransitions()).isEqualTo(4);
    assertThat(stats.offlineTransitions()).isEqualTo(2);

    runEvents();

    assertThat(log("alice")).containsExactly("alice+", "alice-", "alice+");
    assertThat(log("bob")).containsExactly("bob+");
    assertThat(registry.isOnline("alice")).isTrue();
    assertThat(registry.stats().eventsPending()).isZero();
  }

  @Test
  void close_deliversWhatIsQueued_thenNoListenerRunsAgain() {
    build(builder().withoutHeartbeat()); // the owned event thread
    registry.connect("alice", "s1", new RecordingOutbound());
    registry.connect("bob", "s1", new RecordingOutbound());

    registry.close();

    assertThat(log()).containsExactlyInAnyOrder("alice+", "bob+", "alice-", "bob-");
    assertThat(registry.stats().eventsPending()).isZero();
  }

  // ------------------------------------------------------------------ caps

  @Test
  void perUserCap_refusesTheNextSession_namingUserSettingAndLimit_andRegistersNothing() {
    build(builder().withoutHeartbeat().eventExecutor(Runnable::run).maxSessionsPerUser(2));
    RecordingOutbound first = new RecordingOutbound();
    registry.connect("alice", "s1", first);
    registry.connect("alice", "s2", new RecordingOutbound());
    RecordingOutbound third = new RecordingOutbound();

    assertThatThrownBy(() -> registry.connect("alice", "s3", third))
        .isInstanceOfSatisfying(SessionLimitException.class, e -> {
          assertThat(e.setting()).isEqualTo("maxSessionsPerUser");
          assertThat(e.limit()).isEqualTo(2);
          assertThat(e.userId()).isEqualTo("alice");
        })
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session of user 'alice' refused: the user already has 2 sessions (maxSessionsPerUser 2)");

    assertThat(registry.sessionCount("alice")).isEqualTo(2);
    assertThat(registry.totalSessionCount()).isEqualTo(2);
    assertThat(third.pings.get() + third.closes.size() + third.sent.size()).isZero();
    assertThat(registry.stats().sessionsRefused()).isOne();
    assertThat(log()).containsExactly("alice+");
    assertThat(registry.connect("bob", "s1", new RecordingOutbound()).isOpen()).as("others unaffected").isTrue();

    PresenceSession replacement = registry.connect("alice", "s1", new RecordingOutbound());
    assertThat(replacement.isOpen()).as("a replacement is allowed at the cap").isTrue();
    assertThat(first.closes).containsExactly(DisconnectReason.REPLACED);
    assertThat(registry.sessionCount("alice")).isEqualTo(2);
  }

  @Test
  void totalCap_refusesANewUser_leavingNoTraceOfThem() {
    DefaultPresenceRegistry r = (DefaultPresenceRegistry) build(
        builder().withoutHeartbeat().eventExecutor(Runnable::run).maxSessions(2));
    registry.connect("alice", "s1", new RecordingOutbound());
    PresenceSession bob = registry.connect("bob", "s1", new RecordingOutbound());

    assertThatThrownBy(() -> registry.connect("carol", "s1", new RecordingOutbound()))
        .isInstanceOfSatisfying(SessionLimitException.class, e -> {
          assertThat(e.setting()).isEqualTo("maxSessions");
          assertThat(e.limit()).isEqualTo(2);
        })
        .hasMessage("session of user 'carol' refused: 2 sessions are open in total (maxSessions 2)");
    assertThat(registry.isOnline("carol")).isFalse();
    assertThat(r.entryCount()).as("no entry left for carol").isEqualTo(2);
    assertThat(registry.totalSessionCount()).isEqualTo(2);
    assertThat(log()).containsExactly("alice+", "bob+");

    bob.close();
    assertThat(registry.connect("carol", "s1", new RecordingOutbound()).isOpen()).isTrue();
    assertThat(registry.stats().sessionsRefused()).isOne();
  }

  @Test
  void manySessionsOfOneUser_addAndRemoveInAnyOrder_keepingCountsAndSends() {
    build(builder().withoutHeartbeat().eventExecutor(Runnable::run).maxSessionsPerUser(1_000));
    PresenceSession[] s = new PresenceSession[1_000];
    RecordingOutbound[] out = new RecordingOutbound[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = new RecordingOutbound();
      s[i] = registry.connect("alice", "s" + i, out[i]);
    }
    assertThat(registry.sessionCount("alice")).isEqualTo(1_000);
    assertThat(registry.sendToUser("alice", "hi")).isEqualTo(1_000);
    PresenceSession replaced = registry.connect("alice", "s500", new RecordingOutbound());
    assertThat(s[500].isOpen()).isFalse();
    s[500] = replaced;
    for (int i = 0; i < s.length; i += 2) { // every other one, then the rest backwards
      s[i].close();
    }
    assertThat(registry.sessionCount("alice")).isEqualTo(500);
    for (int i = s.length - 1; i > 2; i -= 2) {
      s[i].close();
    }
    assertThat(registry.sessionCount("alice")).isEqualTo(1);
    assertThat(registry.sendToUser("alice", "last")).isEqualTo(1);
    assertThat(out[1].sent).containsExactly("hi", "last");
    s[1].close();
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(registry.totalSessionCount()).isZero();
    assertThat(log()).containsExactly("alice+", "alice-");
  }

  // ------------------------------------------------------------------ close reasons and stats

  @Test
  void closeWithReason_isCountedByReason_andLeavesTheTransportToTheHost() {
    build(builder().withoutHeartbeat().eventExecutor(Runnable::run));
    RecordingOutbound out = new RecordingOutbound();
    PresenceSession slow = registry.connect("alice", "s1", out);
    PresenceSession other = registry.connect("alice", "s2", new RecordingOutbound());
    registry.connect("bob", "s1", new RecordingOutbound());

    slow.close(DisconnectReason.SLOW_CONSUMER);
    slow.close(DisconnectReason.ERROR); // idempotent: the first reason stays
    other.close(DisconnectReason.ERROR);
    registry.connect("carol", "s1", new RecordingOutbound()).close();

    assertThat(out.closes).isEmpty();
    PresenceStats stats = registry.stats();
    assertThat(stats.ended(DisconnectReason.SLOW_CONSUMER)).isOne();
    assertThat(stats.ended(DisconnectReason.ERROR)).isOne();
    assertThat(stats.ended(DisconnectReason.CLOSED)).isOne();
    assertThat(stats.endedTotal()).isEqualTo(3);
    assertThat(stats.sessionsEnded()).containsOnlyKeys(DisconnectReason.values());
    assertThat(stats.onlineUsers()).isOne();
    assertThat(stats.sessions()).isOne();
    assertThat(stats.onlineTransitions()).isEqualTo(3);
    assertThat(stats.offlineTransitions()).isEqualTo(2);
    assertThatThrownBy(() -> stats.sessionsEnded().put(DisconnectReason.CLOSED, 0L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> slow.close(null)).isInstanceOf(NullPointerException.class).hasMessage("reason");
  }

  @Test
  void defaultStats_ofAnotherImplementation_reportWhatItKnows() {
    build(builder().withoutHeartbeat().eventExecutor(Runnable::run));
    registry.connect("alice", "s1", new RecordingOutbound());
    PresenceRegistry wrapper = new ForwardingRegistry(registry);

    PresenceStats stats = wrapper.stats();

    assertThat(stats.onlineUsers()).isOne();
    assertThat(stats.sessions()).isOne();
    assertThat(stats.ended(DisconnectReason.CLOSED)).isZero();
    assertThat(Map.copyOf(stats.sessionsEnded())).hasSize(DisconnectReason.values().length);
  }
}
