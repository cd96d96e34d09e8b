package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the registry leaves on the scheduler and in the last-seen store as users come and go:
 * every timer it starts is cancelled when it stops mattering, last seen is the instant the last
 * session ended, and idleness is measured from the last activity, not from the ticker's origin.
 */
class RegistryTimersTest {
  private static final Duration IDLE = Duration.ofMinutes(5);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final FakeTime time = new FakeTime(EPOCH);
  private final LastSeenStore lastSeen = LastSeenStore.inMemory();
  private final RecordingListener events = new RecordingListener();
  private final List<PresenceRegistry> opened = new ArrayList<>();

  private PresenceRegistry registry(PresenceRegistry.Builder b) {
    PresenceRegistry r = b.ticker(time).clock(time.clock()).scheduler(time)
        .eventExecutor(Runnable::run).lastSeenStore(lastSeen).build();
    r.addListener(events);
    opened.add(r);
    return r;
  }

  private PresenceRegistry withGrace() {
    return registry(PresenceRegistry.builder().withoutHeartbeat().idleAfter(IDLE).offlineGrace(GRACE));
  }

  @AfterEach
  void close() {
    opened.forEach(PresenceRegistry::close);
  }

  private Instant lastSeenOf(String user) {
    return lastSeen.readAll(Set.of(user)).get(user);
  }

  @Test
  void userGoneAfterTheGrace_leavesNoTimerBehind() {
    PresenceRegistry registry = withGrace();
    PresenceSession s = registry.connect("alice", "1", new RecordingOutbound());
    registry.setStatusText("alice", StatusText.of("Lunch", EPOCH.plus(Duration.ofHours(1))));
    assertThat(time.pendingTasks()).as("idle timer and text expiry").isEqualTo(2);

    s.close();
    time.advance(GRACE);

    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(time.pendingTasks()).as("idle, text and grace timers all gone").isZero();
  }

  @Test
  void userGoneWithoutGrace_leavesNoTimerBehind() {
    PresenceRegistry registry = registry(PresenceRegistry.builder().withoutHeartbeat().idleAfter(IDLE));
    PresenceSession s = registry.connect("alice", "1", new RecordingOutbound());
    registry.setStatusText("alice", StatusText.of("Lunch", EPOCH.plus(Duration.ofHours(1))));

    s.close();

    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void reconnectWithinTheGrace_cancelsTheGraceTimer() {
    PresenceRegistry registry = withGrace();
    registry.connect("alice", "1", new RecordingOutbound()).close();
    assertThat(time.pendingDelays()).contains(GRACE);

    time.advance(Duration.ofSeconds(10));
    registry.connect("alice", "2", new RecordingOutbound());

    assertThat(time.pendingDelays()).as("the grace timer is gone; the idle timer re-checks when due")
        .containsExactly(IDLE.minusSeconds(10));
  }

  @Test
  void replacingATextWithExpiry_cancelsTheOldExpiry() {
    PresenceRegistry registry = withGrace();
    registry.connect("alice", "1", new RecordingOutbound());
    registry.setStatusText("alice", StatusText.of("Lunch", EPOCH.plus(Duration.ofHours(1))));
    registry.setStatusText("alice", StatusText.of("Meeting", EPOCH.plus(Duration.ofHours(2))));

    assertThat(time.pendingDelays()).containsExactlyInAnyOrder(IDLE, Duration.ofHours(2));
  }

  @Test
  void closingTheRegistry_cancelsHeartbeatAndGraceTimers_andLeavesTheHostsSchedulerRunning() {
    AtomicInteger schedulerClosed = new AtomicInteger();
    Scheduler host = new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, Duration delay) {
        return time.schedule(task, delay);
      }

      @Override
      public void close() {
        schedulerClosed.incrementAndGet();
      }
    };
    PresenceRegistry registry = PresenceRegistry.builder().heartbeatInterval(Duration.ofSeconds(10))
        .heartbeatTimeout(Duration.ofSeconds(30)).offlineGrace(GRACE).ticker(time).clock(time.clock())
        .scheduler(host).eventExecutor(Runnable::run).lastSeenStore(lastSeen).build();
    registry.connect("bob", "1", new RecordingOutbound());
    registry.connect("alice", "1", new RecordingOutbound()).close();
    assertThat(time.pendingTasks()).as("heartbeat and alice's grace").isEqualTo(2);

    registry.close();

    assertThat(time.pendingTasks()).isZero();
    assertThat(schedulerClosed).as("the host's scheduler is the host's to close").hasValue(0);
  }

  @Test
  void closingTheRegistry_duringAGrace_recordsLastSeenAsWhenTheSessionEnded() {
    PresenceRegistry registry = withGrace();
    time.advance(Duration.ofMinutes(1));
    registry.connect("alice", "1", new RecordingOutbound()).close();
    Instant left = time.now();
    time.advance(Duration.ofSeconds(10));

    registry.close();

    assertThat(lastSeenOf("alice")).isEqualTo(left);
    assertThat(events.log()).containsExactly("+alice", "-alice");
  }

  @Test
  void graceElapsing_recordsLastSeenAsWhenTheSessionEnded() {
    PresenceRegistry registry = withGrace();
    time.advance(Duration.ofMinutes(1));
    registry.connect("alice", "1", new RecordingOutbound()).close();
    Instant left = time.now();

    time.advance(GRACE.minusSeconds(1));
    assertThat(lastSeenOf("alice")).as("still within the grace").isNull();
    time.advance(Duration.ofSeconds(1));

    assertThat(lastSeenOf("alice")).isEqualTo(left);
  }

  @Test
  void invisibleUser_leavingAfterTheGrace_writesNoLastSeen() {
    PresenceRegistry registry = withGrace();
    registry.connect("alice", "1", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.INVISIBLE)).close();

    time.advance(GRACE);

    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(lastSeen.readAll(Set.of("alice"))).isEmpty();
    assertThat(events.log()).isEmpty();
  }

  @Test
  void goingInvisible_duringTheGrace_recordsLastSeenAsWhenTheSessionEnded() {
    PresenceRegistry registry = withGrace();
    time.advance(Duration.ofMinutes(1));
    registry.connect("alice", "1", new RecordingOutbound()).close();
    Instant left = time.now();
    time.advance(Duration.ofSeconds(10));

    registry.setAvailability("alice", Availability.INVISIBLE);

    assertThat(lastSeenOf("alice")).isEqualTo(left);
    assertThat(events.log()).containsExactly("+alice", "-alice");
  }

  @Test
  void changingTheStatusText_writesNoLastSeen() {
    PresenceRegistry registry = withGrace();
    registry.connect("alice", "1", new RecordingOutbound());

    registry.setStatusText("alice", StatusText.of("Lunch"));
    registry.setAvailability("alice", Availability.BUSY);

    assertThat(lastSeen.readAll(Set.of("alice"))).isEmpty();
  }

  @Test
  void idleness_countsFromTheLastActivity_notFromTheTickersOrigin() {
    PresenceRegistry registry = withGrace();
    time.advance(Duration.ofMinutes(3));
    registry.connect("alice", "1", new RecordingOutbound());

    time.advance(IDLE.minusSeconds(1));
    assertThat(statusOf(registry, "alice")).isEqualTo(Status.AVAILABLE);
    time.advance(Duration.ofSeconds(1));
    assertThat(statusOf(registry, "alice")).isEqualTo(Status.AWAY);
  }

  @Test
  void aFurtherTab_wakesAnIdleUser_andTellsListenersAtOnce() {
    PresenceRegistry registry = withGrace();
    registry.connect("alice", "phone", new RecordingOutbound());
    time.advance(IDLE.plusMinutes(1));
    assertThat(statusOf(registry, "alice")).isEqualTo(Status.AWAY);

    registry.connect("alice", "laptop", new RecordingOutbound());

    assertThat(events.log()).containsExactly("+alice", "alice:away", "alice:available");
    assertThat(registry.lastActive("alice")).contains(time.now());
  }

  @Test
  void reconnectWithinTheGrace_wakesAnIdleUser_andTellsListenersAtOnce() {
    PresenceRegistry registry = withGrace();
    PresenceSession s = registry.connect("alice", "1", new RecordingOutbound());
    time.advance(IDLE.plusMinutes(1));
    s.close();
    time.advance(Duration.ofSeconds(5));

    registry.connect("alice", "2", new RecordingOutbound());

    assertThat(events.log()).containsExactly("+alice", "alice:away", "alice:available");
    assertThat(registry.lastActive("alice")).contains(time.now());
  }

  @Test
  void replacingASession_isCountedAsReplaced() {
    PresenceRegistry registry = withGrace();
    RecordingOutbound first = new RecordingOutbound();
    registry.connect("alice", "1", first);
    registry.connect("alice", "1", new RecordingOutbound());

    assertThat(first.closes).containsExactly(DisconnectReason.REPLACED);
    assertThat(registry.stats().ended(DisconnectReason.REPLACED)).isEqualTo(1);
    assertThat(registry.stats().endedTotal()).isEqualTo(1);
  }

  private static Status statusOf(PresenceRegistry registry, String user) {
    return registry.presenceOf(user).map(UserPresence::status).orElse(Status.OFFLINE);
  }

  @Test
  void sessionId_isTheOneGivenAtConnect() {
    PresenceRegistry registry = withGrace();
    PresenceSession s = registry.connect("alice", "tab-7", new RecordingOutbound());
    assertThat(s.sessionId()).isEqualTo("tab-7");
    assertThat(s.userId()).isEqualTo("alice");
    assertThat(registry.presenceOf("alice").orElseThrow().sessions())
        .extracting(SessionInfo::sessionId).containsExactly("tab-7");
  }
}
