package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a node does with duplicated, skipped and foreign messages on the channel. */
class SequencingTest {
  private static final Duration SOON = Duration.ofSeconds(3);
  private RedisServer redis;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void start() {
    redis = RedisServer.startOrSkip();
    a = TestNode.start(redis, "a", "seq", Duration.ofSeconds(30));
    b = TestNode.start(redis, "b", "seq", Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    redis.stop();
  }

  @Test
  void replayedOldMessage_isIgnored() {
    a.registry.connect("u1", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> b.registry.isOnline("u1"));
    long seq = currentSeqOf("a");

    publish("a|" + seq + "|-|0|u1"); // a replay of an old sequence number
    publish("a|1|-|0|u1");
    syncThroughA("after-replay");

    assertThat(b.registry.isOnline("u1")).isTrue();
    assertThat(b.eventsOf("u1")).containsExactly(true);
    assertThat(b.registry.status().snapshotsLoaded()).isEqualTo(1); // only at start
  }

  @Test
  void messageAfterAGap_makesTheNodeReloadThatNodesSet_andTheTruthWins() {
    a.registry.connect("u1", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> b.registry.isOnline("u1"));
    long seq = currentSeqOf("a");

    // claims u1 left a, skipping a number: b must not believe it but ask Redis
    publish("a|" + (seq + 5) + "|-|0|u1");
    syncThroughA("after-gap");

    assertThat(b.registry.isOnline("u1")).isTrue();
    assertThat(b.eventsOf("u1")).containsExactly(true);
    assertThat(b.registry.status().snapshotsLoaded()).isGreaterThan(1);
  }

  @Test
  void malformedAndForeignMessages_changeNothing() {
    publish("garbage");
    publish("x|notanumber|+|0|u9");
    publish("x|1|?|0|u9");
    publish("x|1|+|0|");
    syncThroughA("after-garbage");

    assertThat(b.registry.isOnline("u9")).isFalse();
    assertThat(b.eventsOf("u9")).isEmpty();
  }

  /** A real transition on a, seen on b: b's loop has processed everything published before. */
  private void syncThroughA(String user) {
    a.registry.connect(user, "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> b.registry.isOnline(user));
  }

  private long currentSeqOf(String node) {
    String reply = redis.command("GET {seq:node:" + node + "}:seq"); // "$1\r\n3\r\n+OK..."
    return Long.parseLong(reply.split("\r\n", -1)[1]);
  }

  private void publish(String message) {
    assertThat(redis.command("PUBLISH seq:events \"" + message + "\"")).startsWith(":");
  }
}
