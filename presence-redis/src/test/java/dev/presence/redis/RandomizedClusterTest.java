package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import dev.presence.PresenceEvent;
import dev.presence.PresenceSession;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RandomizedClusterTest {
  private static final int NODES = 4;
  private static final int USERS = 300;
  private static final int THREADS = 3;
  private static final int OPS_PER_THREAD = 1500;

  private RedisServer redis;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = RedisServer.startOrSkip();
    for (int i = 0; i < NODES; i++) {
      nodes.add(TestNode.start(redis, "n" + i, "random", Duration.ofSeconds(4)));
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void randomChurnWithDroppedConnections_everyNodeEndsWithTheUnionOfLocalRegistries()
      throws Exception {
    long seed = System.nanoTime();
    ExecutorService workers = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    CountDownLatch halfway = new CountDownLatch(THREADS);
    for (int t = 0; t < THREADS; t++) {
      int slice = t;
      done.add(workers.submit(() -> churn(new Random(seed + slice), slice, halfway)));
    }
    // halfway through, drop the nodes' connections: messages published while a subscriber is
    // gone are lost to it, so only the resync can make the views right again
    halfway.await();
    redis.command("CLIENT KILL TYPE pubsub");
    redis.command("CLIENT KILL TYPE normal");
    redis.command("CLIENT KILL TYPE pubsub");
    for (Future<?> f : done) {
      f.get();
    }
    workers.shutdown();

    Set<String> expected = new HashSet<>();
    for (int u = 0; u < USERS; u++) {
      for (TestNode n : nodes) {
        if (n.registry.sessionCount("u" + u) > 0) {
          expected.add("u" + u);
        }
      }
    }
    assertThat(expected).as("seed %d", seed).isNotEmpty();
    for (TestNode n : nodes) {
      await("view of " + n.registry.nodeId() + ", seed " + seed).atMost(Duration.ofSeconds(10))
          .until(() -> n.registry.status().inSync() && n.registry.onlineUsers().equals(expected)
              && n.registry.onlineUserCount() == expected.size());
    }
    for (TestNode n : nodes) {
      assertThat(n.registry.status().resyncs()).as("resyncs of %s", n.registry.nodeId())
          .isGreaterThan(1);
      n.assertEventsAlternate();
      Map<String, Boolean> last = new HashMap<>();
      for (PresenceEvent e : n.events) {
        last.put(e.userId(), e.online());
      }
      for (int u = 0; u < USERS; u++) {
        String user = "u" + u;
        assertThat(last.getOrDefault(user, false)).as("last event of %s on %s, seed %d", user,
            n.registry.nodeId(), seed).isEqualTo(expected.contains(user));
      }
    }
  }

  /** Connects and closes sessions of the users of one slice, on random nodes. */
  private void churn(Random random, int slice, CountDownLatch halfway) {
    List<PresenceSession> open = new ArrayList<>();
    for (int i = 0; i < OPS_PER_THREAD; i++) {
      if (i == OPS_PER_THREAD / 2) {
        halfway.countDown();
      }
      if (open.isEmpty() || random.nextInt(10) < 6) {
        int u = random.nextInt(USERS / THREADS) * THREADS + slice;
        TestNode node = nodes.get(random.nextInt(NODES));
        open.add(node.registry.connect("u" + u, "s" + random.nextInt(3), new RecordingOutbound()));
      } else {
        open.remove(random.nextInt(open.size())).close();
      }
    }
  }
}
