package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.presence.test.RedisServer;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisRestartTest {
  private static final Duration LEASE = Duration.ofSeconds(4);

  private RedisServer redis;
  private TestNode a;
  private TestNode b;
  private TestNode c;

  @BeforeEach
  void start() {
    redis = RedisServer.startOrSkip();
    a = TestNode.start(redis, "a", "restart", LEASE);
    b = TestNode.start(redis, "b", "restart", LEASE);
    c = TestNode.startCrashable(redis, "c", "restart", LEASE,
        PresenceRegistry.builder().withoutHeartbeat());
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
  void redisRestart_nodesAgreeAgain_withoutSpuriousOffline_andNothingBlocks() {
    a.registry.connect("on-a", "s", new RecordingOutbound());
    b.registry.connect("on-b", "s", new RecordingOutbound());
    PresenceSession leaving = c.registry.connect("leaves-during-outage", "s",
        new RecordingOutbound());
    a.registry.connect("on-a-and-b", "s", new RecordingOutbound());
    b.registry.connect("on-a-and-b", "s", new RecordingOutbound());
    Set<String> before = Set.of("on-a", "on-b", "leaves-during-outage", "on-a-and-b");
    for (TestNode n : List.of(a, b, c)) {
      await().atMost(Duration.ofSeconds(3)).until(() -> n.registry.onlineUsers().equals(before));
    }

    redis.stop();
    for (TestNode n : List.of(a, b, c)) {
      await().atMost(Duration.ofSeconds(3)).until(() -> !n.registry.status().inSync());
    }

    // during the outage: connection threads do not wait on Redis, and local presence works
    assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
      for (int i = 0; i < 100; i++) {
        a.registry.connect("flicker", "s", new RecordingOutbound()).close();
      }
      a.registry.connect("arrives-during-outage", "s", new RecordingOutbound());
      leaving.close();
    });
    assertThat(a.registry.isOnline("arrives-during-outage")).isTrue();
    assertThat(c.registry.isOnline("leaves-during-outage")).isFalse();

    redis.restart(); // same port, empty: Redis lost everything

    Set<String> after = Set.of("on-a", "on-b", "on-a-and-b", "arrives-during-outage");
    for (TestNode n : List.of(a, b, c)) {
      await().atMost(LEASE).until(() -> n.registry.status().inSync()
          && n.registry.onlineUsers().equals(after));
    }
    for (TestNode n : List.of(a, b, c)) {
      String node = n.registry.nodeId();
      for (String stayed : List.of("on-a", "on-b", "on-a-and-b")) {
        assertThat(n.eventsOf(stayed)).as("%s on %s", stayed, node).containsExactly(true);
      }
      assertThat(n.eventsOf("leaves-during-outage")).as("on %s", node)
          .containsExactly(true, false);
      assertThat(n.eventsOf("arrives-during-outage")).as("on %s", node).containsExactly(true);
      n.assertEventsAlternate();
    }
    assertThat(redis.command("SMEMBERS restart:nodes")).contains("a").contains("b").contains("c");
  }

  @Test
  void nodeDyingDuringTheOutage_isGivenUpOneLeaseAfterRedisReturnsEmpty() {
    c.registry.connect("on-c", "s", new RecordingOutbound());
    a.registry.connect("on-a", "s", new RecordingOutbound());
    for (TestNode n : List.of(a, b)) {
      await().atMost(Duration.ofSeconds(3)).until(() -> n.registry.isOnline("on-c"));
    }

    redis.stop();
    c.crash(); // gone while nobody could notice
    redis.restart(); // empty: no lease of c left to expire, nothing for a reaper to claim

    // a and b resync, find no trace of c and keep its users for one lease TTL (c could still
    // be reconnecting), then give them up: offline once
    long back = System.nanoTime();
    for (TestNode n : List.of(a, b)) {
      await().atMost(LEASE.multipliedBy(2)).until(() -> !n.registry.isOnline("on-c"));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - back);
    assertThat(took).isGreaterThan(LEASE.minus(Duration.ofMillis(500)));
    for (TestNode n : List.of(a, b)) {
      // listeners hear of it shortly after the view changed (on the event executor)
      await().atMost(Duration.ofSeconds(2)).until(() -> n.eventsOf("on-c").size() >= 2);
      assertThat(n.eventsOf("on-c")).containsExactly(true, false);
      assertThat(n.eventsOf("on-a")).containsExactly(true);
      assertThat(n.registry.isOnline("on-a")).isTrue();
    }
  }
}
