package dev.presence.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisServerTest {

  @Test
  void startsOnAFreeLoopbackPort_answers_andRestartsOnTheSamePortWithoutItsData() {
    try (RedisServer redis = RedisServer.startOrSkip()) {
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.command("SET k v")).startsWith("+OK");

      redis.stop();
      assertThat(redis.isRunning()).isFalse();
      assertThat(redis.command("PING")).as("port closed").isEmpty();

      redis.restart();
      assertThat(redis.isRunning()).isTrue();
      assertThat(RedisServer.command(redis.port(), "GET k")).as("persistence is off").startsWith("$-1");
    }
  }

  @Test
  void extraArguments_areAppliedAfterTheDefaults() {
    try (RedisServer redis = RedisServer.builder().arguments("--maxmemory", "10mb").startOrSkip()) {
      assertThat(redis.command("CONFIG GET maxmemory")).contains("10485760");
    }
  }

  @Test
  void aMissingBinary_isNamedWithWhereItWasLookedFor() {
    String saved = System.getProperty("presence.redis-server");
    System.setProperty("presence.redis-server", "/nonexistent/redis-server");
    try {
      assertThat(RedisServer.executable("redis-server")).isEmpty();
      assertThatThrownBy(RedisServer::start).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("redis-server not found (system property presence.redis-server, PATH, /usr/bin)");
    } finally {
      if (saved == null) {
        System.clearProperty("presence.redis-server");
      } else {
        System.setProperty("presence.redis-server", saved);
      }
    }
  }

  @Test
  void builder_rejectsBadSettings_namingThem() {
    assertThatThrownBy(() -> RedisServer.builder().port(70_000))
        .hasMessage("port must be between 0 and 65535: 70000");
    assertThatThrownBy(() -> RedisServer.builder().startTimeout(Duration.ZERO))
        .hasMessage("startTimeout must be positive: PT0S");
  }
}
