package dev.presence;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void defaultTimeout_followsALongerInterval() {
    PresenceRegistry.builder().heartbeatInterval(Duration.ofMinutes(5)).build().close();
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
