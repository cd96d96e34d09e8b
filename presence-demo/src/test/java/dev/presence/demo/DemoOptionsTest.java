package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.websocket.PingStyle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void noFlags_giveTheDefaults() {
    DemoOptions o = DemoOptions.parse();
    assertThat(o).isEqualTo(DemoOptions.defaults());
    assertThat(o.port()).isEqualTo(8080);
    assertThat(o.mongoUri()).isNull();
    assertThat(o.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(25));
    assertThat(o.offlineGrace()).isZero();
    assertThat(o.tokenTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(o.idleAfter()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void everyFlag_isParsed_withSpaceOrEquals() {
    DemoOptions o = DemoOptions.parse("--port", "0", "--mongo-uri=mongodb://db:27017/app",
        "--heartbeat-interval", "500ms", "--heartbeat-timeout=2s", "--offline-grace", "1m",
        "--token-ttl", "15m", "--batch-window=250ms", "--ping-style", "frame", "--idle-after", "90s");
    assertThat(o).isEqualTo(new DemoOptions(0, "mongodb://db:27017/app", Duration.ofMillis(500),
        Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofMillis(250),
        PingStyle.FRAME, Duration.ofSeconds(90)));
    assertThat(DemoOptions.parse("--idle-after", "0").idleAfter()).as("never away").isZero();
    assertThat(DemoOptions.parse("--idle-after=0ms").idleAfter()).isZero();
    assertThat(DemoOptions.parse("--idle-after", "1s").idleAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(DemoOptions.parse("--idle-after", "24h").idleAfter()).isEqualTo(Duration.ofHours(24));
    assertThat(DemoOptions.parse().pingStyle()).isEqualTo(PingStyle.BOTH);
    assertThat(DemoOptions.parse("--batch-window", "0s").batchWindow()).isZero();
    assertThat(DemoOptions.parse().batchWindow()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void intervalAlone_setsTheTimeoutTo2point5Intervals() {
    assertThat(DemoOptions.parse("--heartbeat-interval", "2s").heartbeatTimeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(DemoOptions.parse("--heartbeat-interval", "1h").heartbeatTimeout())
        .isEqualTo(Duration.ofMinutes(150));
  }

  @Test
  void durations_acceptMsSecondsMinutesHours() {
    assertThat(DemoOptions.parseDuration("--x", "0ms")).isZero();
    assertThat(DemoOptions.parseDuration("--x", "1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DemoOptions.parseDuration("--x", "2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(DemoOptions.parseDuration("--x", "3m")).isEqualTo(Duration.ofMinutes(3));
    assertThat(DemoOptions.parseDuration("--x", "4h")).isEqualTo(Duration.ofHours(4));
  }

  @Test
  void badValues_failNamingTheFlagAndValue() {
    assertBad(new String[] {"--port", "http"}, "--port must be a number between 0 and 65535: 'http'");
    assertBad(new String[] {"--port", "70000"}, "--port must be a number between 0 and 65535: '70000'");
    assertBad(new String[] {"--port", "-1"}, "--port must be a number between 0 and 65535: '-1'");
    assertBad(new String[] {"--heartbeat-interval", "5"}, "--heartbeat-interval must be a duration like 500ms, 2s, 1m or 1h: '5'");
    assertBad(new String[] {"--offline-grace", "-2s"}, "--offline-grace must be a duration like 500ms, 2s, 1m or 1h: '-2s'");
    assertBad(new String[] {"--heartbeat-timeout", "1.5s"}, "--heartbeat-timeout must be a duration like 500ms, 2s, 1m or 1h: '1.5s'");
    assertBad(new String[] {"--heartbeat-interval", "0s"}, "--heartbeat-interval must be positive: '0s'");
    assertBad(new String[] {"--heartbeat-interval", "10s", "--heartbeat-timeout", "10s"},
        "--heartbeat-timeout (10s) must be longer than --heartbeat-interval (10s)");
    assertBad(new String[] {"--token-ttl", "500ms"}, "--token-ttl must be at least 1s: '500ms'");
    assertBad(new String[] {"--ping-style", "pong"}, "--ping-style must be frame, json or both: 'pong'");
    assertBad(new String[] {"--batch-window", "2m"}, "--batch-window must be at most 1m: '2m'");
    assertBad(new String[] {"--batch-window", "-1s"}, "--batch-window must be a duration like 500ms, 2s, 1m or 1h: '-1s'");
    assertBad(new String[] {"--token-ttl", "1d"}, "--token-ttl must be a duration like 500ms, 2s, 1m or 1h: '1d'");
    assertBad(new String[] {"--idle-after", "500ms"}, "--idle-after must be 0 (never) or between 1s and 24h: '500ms'");
    assertBad(new String[] {"--idle-after", "25h"}, "--idle-after must be 0 (never) or between 1s and 24h: '25h'");
    assertBad(new String[] {"--idle-after", "soon"}, "--idle-after must be a duration like 500ms, 2s, 1m or 1h: 'soon'");
    assertBad(new String[] {"--idle-after"}, "--idle-after needs a value");
    assertBad(new String[] {"--mongo-uri", "localhost:27017"},
        "--mongo-uri must start with mongodb:// or mongodb+srv://: 'localhost:27017'");
  }

  @Test
  void unknownFlags_missingValues_andStrayArguments_fail() {
    assertBad(new String[] {"--prot", "80"}, "unknown flag --prot");
    assertBad(new String[] {"--verbose=true"}, "unknown flag --verbose");
    assertBad(new String[] {"--port"}, "--port needs a value");
    assertBad(new String[] {"8080"}, "unexpected argument '8080'");
  }

  @Test
  void theConstructor_checksIdleAfterToo() {
    DemoOptions d = DemoOptions.defaults();
    assertThatThrownBy(() -> new DemoOptions(d.port(), null, d.heartbeatInterval(), d.heartbeatTimeout(),
        d.offlineGrace(), d.tokenTtl(), d.batchWindow(), d.pingStyle(), Duration.ofMillis(999)))
        .hasMessage("--idle-after must be 0 (never) or between 1s and 24h: 999ms");
    assertThatThrownBy(() -> new DemoOptions(d.port(), null, d.heartbeatInterval(), d.heartbeatTimeout(),
        d.offlineGrace(), d.tokenTtl(), d.batchWindow(), d.pingStyle(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("idleAfter");
  }

  private static void assertBad(String[] args, String message) {
    assertThatThrownBy(() -> DemoOptions.parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
