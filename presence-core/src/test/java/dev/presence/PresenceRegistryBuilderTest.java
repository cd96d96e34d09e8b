package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PresenceRegistryBuilderTest {

  @Test
  void nonPositiveHeartbeatInterval_isRejectedWithItsValue() {
    assertThatThrownBy(() -> PresenceRegistry.builder().heartbeatInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeatInterval must be positive: PT0S");
    assertThatThrownBy(() -> PresenceRegistry.builder().heartbeatInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeatInterval must be positive: PT-1S");
  }

  @Test
  void nonPositiveHeartbeatTimeout_isRejected() {
    assertThatThrownBy(() -> PresenceRegistry.builder().heartbeatTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeatTimeout must be positive: PT0S");
  }

  @Test
  void negativeGrace_isRejected() {
    assertThatThrownBy(() -> PresenceRegistry.builder().offlineGrace(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offlineGrace must not be negative: PT-0.005S");
  }

  @Test
  void nulls_areRejectedByName() {
    assertThatThrownBy(() -> PresenceRegistry.builder().ticker(null)).hasMessage("ticker");
    assertThatThrownBy(() -> PresenceRegistry.builder().clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> PresenceRegistry.builder().scheduler(null)).hasMessage("scheduler");
    assertThatThrownBy(() -> PresenceRegistry.builder().lastSeenStore(null)).hasMessage("lastSeenStore");
    assertThatThrownBy(() -> PresenceRegistry.builder().offlineGrace(null)).hasMessage("offlineGrace");
    assertThatThrownBy(() -> PresenceRegistry.builder().eventExecutor(null)).hasMessage("eventExecutor");
  }

  @Test
  void nonPositiveCaps_areRejectedWithTheirNameAndValue() {
    assertThatThrownBy(() -> PresenceRegistry.builder().maxSessionsPerUser(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSessionsPerUser must be positive: 0");
    assertThatThrownBy(() -> PresenceRegistry.builder().maxSessions(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSessions must be positive: -1");
    assertThatThrownBy(() -> PresenceRegistry.builder().maxPendingEvents(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingEvents must be positive: 0");
  }

  @Test
  void timeoutNotLongerThanInterval_isAConflictReportedByBuild() {
    PresenceRegistry.Builder b = PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(30)).heartbeatTimeout(Duration.ofSeconds(30));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("heartbeatTimeout (PT30S) must be longer than heartbeatInterval (PT30S)");
  }

  @Test
  void defaultTimeout_isTwiceALongerInterval() {
    FakeTime time = new FakeTime();
    try (PresenceRegistry registry = PresenceRegistry.builder().heartbeatInterval(Duration.ofMinutes(5))
        .ticker(time).clock(time.clock()).scheduler(time).build()) {
      RecordingOutbound silent = new RecordingOutbound();
      PresenceSession session = registry.connect("alice", "s1", silent);

      time.advance(Duration.ofMinutes(5)); // first sweep: 5 min of silence is within a 10 min timeout
      assertThat(session.isOpen()).isTrue();
      assertThat(silent.pings).hasValue(1);

      time.advance(Duration.ofMinutes(5)); // second sweep: 10 min of silence, the derived timeout
      assertThat(session.isOpen()).isFalse();
      assertThat(silent.closes).containsExactly(DisconnectReason.HEARTBEAT_TIMEOUT);
    }
  }

  @Test
  void timeoutWithoutHeartbeat_isAConflict() {
    PresenceRegistry.Builder b = PresenceRegistry.builder()
        .heartbeatTimeout(Duration.ofSeconds(30)).withoutHeartbeat();
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("heartbeatTimeout (PT30S) is set but the heartbeat is disabled");
  }
}
