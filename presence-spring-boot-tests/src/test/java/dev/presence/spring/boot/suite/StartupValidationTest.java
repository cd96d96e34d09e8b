package dev.presence.spring.boot.suite;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Bad presence.* values stop the application at startup, naming the property. */
class StartupValidationTest {

  private static void start(String... properties) {
    new SpringApplicationBuilder(RawWebSocketApp.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
        .properties(properties).run().close();
  }

  @Test
  void zeroHeartbeatInterval_failsStartupNamingIt() {
    assertThatThrownBy(() -> start("presence.heartbeat-interval=0s"))
        .hasStackTraceContaining("presence.heartbeat-interval must be positive: PT0S");
  }

  @Test
  void timeoutNotLongerThanInterval_failsStartupNamingBoth() {
    assertThatThrownBy(() -> start("presence.heartbeat-interval=2s", "presence.heartbeat-timeout=1s"))
        .hasStackTraceContaining(
            "presence.heartbeat-timeout (PT1S) must be longer than presence.heartbeat-interval (PT2S)");
  }

  @Test
  void negativeSendBuffer_failsStartupNamingIt() {
    assertThatThrownBy(() -> start("presence.websocket.send-buffer-size-limit=-1"))
        .hasStackTraceContaining("presence.websocket.send-buffer-size-limit must be positive: -1");
  }

  @Test
  void zeroClientChangePermits_failsStartupNamingIt() {
    assertThatThrownBy(() -> start("presence.client-change-limit.permits=0"))
        .hasStackTraceContaining("presence.client-change-limit.permits must be positive: 0");
  }
}
