package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import dev.presence.LastSeenStore;
import dev.presence.PresenceRegistry;
import dev.presence.test.RecordingOutbound;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeFailureTest {
  private static final Duration LEASE = Duration.ofSeconds(1);
  private static final Duration RENEWAL = LEASE.dividedBy(4); // what TestNode uses

  private final LastSeenStore storeOfA = LastSeenStore.inMemory();
  private final LastSeenStore storeOfC = LastSeenStore.inMemory();
  private RedisServer redis;
  private TestNode a;
  private TestNode b;
  private TestNode c;

  @BeforeEach
  void start() {
    redis = RedisServer.startOrSkip();
    a = TestNode.start(redis, "a", "crash", LEASE,
        PresenceRegistry.builder().withoutHeartbeat().lastSeenStore(storeOfA));
    b = TestNode.startCrashable(redis, "b", "crash", LEASE,
        PresenceRegistry.builder().withoutHeartbeat());
    c = TestNode.start(redis, "c", "crash", LEASE,
        PresenceRegistry.builder().withoutHeartbeat().lastSeenStore(storeOfC));
  }

  @AfterEach
  void stop() {
    for (TestNode n : new TestNode[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void nodeDyingWithoutGoodbye_takesItsUsersOfflineOnOthersWithinTheLease_once() {
    b.registry.connect("only-on-b", "s", new RecordingOutbound());
    b.registry.connect("on-a-and-b", "s", new RecordingOutbound());
    a.registry.connect("on-a-and-b", "s", new RecordingOutbound());
    a.awaitSeenBy(c);
    b.awaitSeenBy(a, c);

    long crashedAt = System.nanoTime();
    b.crash();

    // the lease expires at most one TTL after the last renewal; a reaper round runs every
    // renewal interval; the rest is propagation
    Duration bound = LEASE.plus(RENEWAL).plus(Duration.ofMillis(300));
    await().atMost(bound).pollInterval(Duration.ofMillis(5))
        .until(() -> !a.registry.isOnline("only-on-b") && !c.registry.isOnline("only-on-b"));
    Duration took = Duration.ofNanos(System.nanoTime() - crashedAt);

    for (TestNode n : List.of(a, c)) {
      assertThat(n.eventsOf("only-on-b")).as("on %s", n.registry.nodeId())
          .containsExactly(true, false);
      assertThat(n.registry.isOnline("on-a-and-b")).isTrue();
      assertThat(n.eventsOf("on-a-and-b")).containsExactly(true);
    }
    // exactly one survivor claimed the node; its keys are gone
    await().atMost(Duration.ofSeconds(2))
        .until(() -> !redis.command("SMEMBERS crash:nodes").contains("b"));
    assertThat(redis.command("EXISTS {crash:node:b}:users")).startsWith(":0");
    assertThat(took).isLessThan(bound);
    // the one survivor that claimed b recorded its users' last seen; the other did not
    List<String> users = List.of("only-on-b", "on-a-and-b");
    assertThat(storeOfA.readAll(users).size() + storeOfC.readAll(users).size()).isEqualTo(2);
    assertThat(storeOfA.readAll(users).isEmpty() || storeOfC.readAll(users).isEmpty()).isTrue();
  }

  @Test
  void nodeReapedWhileAlive_rejoinsAndItsUsersComeBack() {
    b.registry.connect("on-b", "s", new RecordingOutbound());
    await().atMost(Duration.ofSeconds(3)).until(() -> a.registry.isOnline("on-b"));

    // what a long pause or a partition longer than the lease looks like from Redis: the lease
    // expires and a survivor's reaper claims b (done here atomically, so b cannot renew between)
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      List<Object> claimed = connection.sync().eval("redis.call('DEL', KEYS[2])\n"
          + Scripts.CLAIM, ScriptOutputType.MULTI, Keys.standalone("crash").of("b"), "crash:events", "b",
          "0");
      assertThat(claimed.get(0)).isEqualTo(1L);
    } finally {
      client.shutdown();
    }

    await().atMost(Duration.ofSeconds(3)).until(() -> a.eventsOf("on-b").size() == 3);
    for (TestNode n : List.of(a, c)) {
      await().atMost(Duration.ofSeconds(3)).until(() -> n.eventsOf("on-b").size() == 3);
      assertThat(n.eventsOf("on-b")).as("on %s", n.registry.nodeId())
          .containsExactly(true, false, true);
      assertThat(n.registry.isOnline("on-b")).isTrue();
    }
    assertThat(b.registry.isOnline("on-b")).isTrue();
    assertThat(b.eventsOf("on-b")).containsExactly(true); // b itself never lost the user
    assertThat(b.registry.status().resyncs()).isGreaterThan(1);
    await().atMost(Duration.ofSeconds(3)).until(() -> b.registry.status().inSync());
  }
}
