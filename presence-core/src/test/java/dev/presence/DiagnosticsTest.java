package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the library's objects say about themselves in logs and debuggers: their settings and
 * current size, never an identity hash alone.
 */
class DiagnosticsTest {
  private final FakeTime time = new FakeTime();

  @Test
  void registry_showsOnlineUsersAndSessions() {
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).build()) {
      registry.connect("alice", "1", new RecordingOutbound());
      registry.connect("alice", "2", new RecordingOutbound());
      PresenceSession bob = registry.connect("bob", "1", new RecordingOutbound());

      assertThat(registry).hasToString("PresenceRegistry(online=2, sessions=3)");
      assertThat(bob).hasToString("PresenceSession(bob/1)");
      bob.close();
      assertThat(bob).hasToString("PresenceSession(bob/1, closed)");
    }
  }

  @Test
  void fanout_showsItsWindow() {
    try (PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).build();
        PresenceFanout fanout = PresenceFanout.builder(registry, user -> java.util.Set.of())
            .batchWindow(Duration.ofMillis(250)).scheduler(time).build()) {
      assertThat(fanout.toString()).startsWith("PresenceFanout(batchWindow=PT0.25S, ");
    }
  }

  @Test
  void protocol_showsItsBound() {
    assertThat(PresenceProtocol.builder().maxMessageChars(1000).build())
        .hasToString("PresenceProtocol(maxMessageChars=1000)");
    assertThat(PresenceProtocol.standard().maxMessageChars()).isEqualTo(PresenceProtocol.DEFAULT_MAX_MESSAGE_CHARS);
  }

  @Test
  void stores_showTheirSize_andWhatTheyWrap() {
    LastSeenStore memory = LastSeenStore.inMemory();
    memory.recordAll(Map.of("alice", Instant.EPOCH, "bob", Instant.EPOCH));
    assertThat(memory).hasToString("LastSeenStore.inMemory(2 users)");

    WriteBehindLastSeenStore writeBehind = WriteBehindLastSeenStore.builder(memory).scheduler(time).build();
    try {
      writeBehind.recordAll(Map.of("carol", Instant.EPOCH));
      assertThat(writeBehind).hasToString("WriteBehindLastSeenStore(LastSeenStore.inMemory(2 users), pending=1)");
    } finally {
      writeBehind.close();
    }
  }

  @Test
  void policies_sayWhatTheyAllow() {
    PresencePolicy everyone = PresencePolicy.everyone();
    PresencePolicy hiding = PresencePolicy.hideLastSeen(user -> false);
    assertThat(everyone).hasToString("PresencePolicy.everyone()");
    assertThat(everyone.and(hiding)).hasToString("PresencePolicy.everyone() and " + hiding);
    assertThat(hiding.toString()).startsWith("PresencePolicy.hideLastSeen(");
  }
}
