package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.DisconnectReason;
import dev.presence.PresenceRegistry;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketPresenceBuilderTest {
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void nonPositiveMaxPendingSends_isRejectedByName() {
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).maxPendingSends(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingSends must be positive: 0");
  }

  @Test
  void nonPositiveIoThreads_isRejectedByName() {
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).ioThreads(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ioThreads must be positive: -1");
  }

  @Test
  void nonPositiveMaxPendingBytes_isRejectedByName() {
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).maxPendingBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingBytes must be positive: 0");
  }

  @Test
  void nonPositiveOrSubMillisecondWriteTimeout_isRejectedByName() {
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).writeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("writeTimeout must be positive: PT0S");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).writeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("writeTimeout must be positive: PT-1S");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).writeTimeout(Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("writeTimeout must be at least 1 ms: PT0.000999999S");
  }

  @Test
  void negativeShutdownTimeout_isRejectedByName_zeroIsAllowed() {
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).shutdownTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shutdownTimeout must not be negative: PT-0.001S");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).shutdownTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessage("shutdownTimeout");
    try (WebSocketPresence p = WebSocketPresence.builder(registry).shutdownTimeout(Duration.ZERO).build()) {
      assertThat(p.toString()).contains("shutdownTimeout=PT0S");
    }
  }

  @Test
  void watchdogTick_isAQuarterOfTheWriteTimeout_between10msAnd1s() {
    assertThat(PresenceThreads.watchdogTick(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(1));
    assertThat(PresenceThreads.watchdogTick(Duration.ofMillis(1000))).isEqualTo(Duration.ofMillis(250));
    assertThat(PresenceThreads.watchdogTick(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void utf8Length_countsEncodedBytes() {
    for (String s : new String[] {"", "abc", "é", "€", "😀", "a😀é€"}) {
      assertThat(SessionOutbound.utf8Length(s)).as(s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void nullArguments_areRejectedByName() {
    assertThatThrownBy(() -> WebSocketPresence.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("registry");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).userResolver(null))
        .isInstanceOf(NullPointerException.class).hasMessage("userResolver");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).pingStyle(null))
        .isInstanceOf(NullPointerException.class).hasMessage("pingStyle");
    assertThatThrownBy(() -> WebSocketPresence.builder(registry).writeTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessage("writeTimeout");
    assertThatThrownBy(() -> new PresenceConfigurator(null))
        .isInstanceOf(NullPointerException.class).hasMessage("resolver");
  }

  @Test
  void blankPathParameterName_isRejected() {
    assertThatThrownBy(() -> UserResolver.pathParameter(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path parameter name must not be blank: ' '");
  }

  @Test
  void builtIntegration_reportsItsSettings_andStartsWithZeroCounts() {
    try (WebSocketPresence presence = WebSocketPresence.builder(registry)
        .pingStyle(PingStyle.JSON).maxPendingSends(3).build()) {
      assertThat(presence).hasToString("WebSocketPresence(JSON, maxPendingSends=3, "
          + "maxPendingBytes=1048576, writeTimeout=PT10S, shutdownTimeout=PT1S)");
      assertThat(presence.registry()).isSameAs(registry);
      assertThat(presence.slowConsumerCount()).isZero();
      assertThat(presence.refusedCount()).isZero();
      assertThat(presence.capacityRefusedCount()).isZero();
    }
  }

  @Test
  void evictions_closeWithAProperCodeAndAShortReason() {
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.HEARTBEAT_TIMEOUT))
        .satisfies(r -> assertClose(r, CloseCodes.GOING_AWAY, "heartbeat timeout"));
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.PING_FAILED))
        .satisfies(r -> assertClose(r, CloseCodes.UNEXPECTED_CONDITION, "ping failed"));
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.SLOW_CONSUMER))
        .satisfies(r -> assertClose(r, CloseCodes.VIOLATED_POLICY, "slow consumer"));
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.REGISTRY_CLOSED))
        .satisfies(r -> assertClose(r, CloseCodes.GOING_AWAY, "server shutting down"));
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.ERROR))
        .satisfies(r -> assertClose(r, CloseCodes.UNEXPECTED_CONDITION, "error"));
    assertThat(SessionOutbound.closeReasonFor(DisconnectReason.REPLACED))
        .satisfies(r -> assertClose(r, CloseCodes.NORMAL_CLOSURE, "replaced by a new connection"));
    for (DisconnectReason reason : DisconnectReason.values()) {
      // A close frame's reason must fit in 123 bytes.
      assertThat(SessionOutbound.closeReasonFor(reason).getReasonPhrase()
          .getBytes(StandardCharsets.UTF_8).length).as(reason.name()).isLessThanOrEqualTo(123);
    }
  }

  private static void assertClose(CloseReason r, CloseCodes code, String phrase) {
    assertThat(r.getCloseCode()).isEqualTo(code);
    assertThat(r.getReasonPhrase()).isEqualTo(phrase);
  }
}
