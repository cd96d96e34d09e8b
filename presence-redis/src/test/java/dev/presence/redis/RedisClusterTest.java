package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.Availability;
import dev.presence.ConnectOptions;
import dev.presence.PresenceEvent;
import dev.presence.PresenceSession;
import dev.presence.Status;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Clustered presence on a real Redis Cluster: three masters and three replicas from
 * redis-server processes, three presence nodes on it. The failover test runs last: it kills a
 * master.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class RedisClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration SOON = Duration.ofSeconds(5);
  private static RedisClusterProcesses cluster;

  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = RedisClusterProcesses.startOrSkip();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeNodes() {
    nodes.forEach(TestNode::close);
  }

  private List<TestNode> start(String prefix, String... ids) {
    for (String id : ids) {
      nodes.add(TestNode.startOnCluster(cluster.seeds(), id, prefix, LEASE));
    }
    return nodes;
  }

  private static String prefix(TestInfo info) {
    return "c-" + info.getTestMethod().orElseThrow().getName().substring(0, 12);
  }

  @Test
  void usersOnOneNode_areSeenOnTheOthers_andTwoNodesHoldingAUserLetGoOnce(TestInfo info) {
    List<TestNode> n = start(prefix(info), "a", "b", "c");
    TestNode a = n.get(0);
    TestNode b = n.get(1);
    TestNode c = n.get(2);

    PresenceSession onB = b.registry.connect("u1", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> a.registry.isOnline("u1") && c.registry.isOnline("u1"));
    PresenceSession onA = a.registry.connect("u1", "s", new RecordingOutbound(),
        ConnectOptions.defaults().withMetadata(Map.of("device", "mobile")));
    a.awaitSeenBy(b, c);
    // rich presence travels the same sharded way: a status set on a node without the user
    // (routed), applied by both holders, and a's session metadata, seen from every node
    assertThat(c.registry.setAvailability("u1", Availability.BUSY)).isTrue();
    for (TestNode x : n) {
      await().atMost(SOON).until(() -> x.registry.presenceOf("u1")
          .map(p -> p.status() == Status.BUSY && p.sessions().size() == 2
              && p.sessions().stream().anyMatch(s -> s.metadata().equals(Map.of("device", "mobile"))))
          .orElse(false));
    }
    onB.close();
    b.awaitSeenBy(a, c);
    for (TestNode x : n) {
      assertThat(x.registry.isOnline("u1")).as("on %s", x.registry.nodeId()).isTrue();
    }
    onA.close();
    for (TestNode x : n) {
      await().atMost(SOON).until(() -> !x.registry.isOnline("u1"));
      assertThat(x.eventsOf("u1")).as("on %s", x.registry.nodeId()).containsExactly(true, false);
    }

    // transitions travel on sharded channels, spread over the masters, never on classic pub/sub
    String shardChannels = "";
    String stats = "";
    for (int port : cluster.masters()) {
      shardChannels += RedisClusterProcesses.command(port, "PUBSUB SHARDCHANNELS");
      stats += RedisClusterProcesses.command(port, "INFO commandstats");
    }
    assertThat(shardChannels).contains("{" + prefix(info) + ":s");
    assertThat(stats).contains("cmdstat_spublish").doesNotContain("cmdstat_publish:");
  }

  @Test
  void nodeLeavingGracefully_andANodeStartingLate(TestInfo info) {
    List<TestNode> n = start(prefix(info), "a", "b");
    n.get(0).registry.connect("early", "s", new RecordingOutbound());
    await().atMost(SOON).until(() -> n.get(1).registry.isOnline("early"));

    try (TestNode late = TestNode.startOnCluster(cluster.seeds(), "late", prefix(info), LEASE)) {
      assertThat(late.registry.isOnline("early")).isTrue(); // build() returns in sync
      n.get(0).close();
      nodes.remove(0);
      await().atMost(SOON).until(() -> !late.registry.isOnline("early")
          && !n.get(0).registry.isOnline("early"));
      assertThat(late.eventsOf("early")).containsExactly(false);
    }
  }

  /** Kills a master mid-traffic; runs last in this class (it changes the cluster). */
  @Test
  void zzMasterKilledMidTraffic_viewsConvergeAfterFailover_andNoConnectionThreadWaits(
      TestInfo info) throws Exception {
    List<TestNode> n = start(prefix(info), "a", "b", "c");
    int users = 60;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong slowest = new AtomicLong();
    ExecutorService workers = Executors.newFixedThreadPool(3);
    List<Future<?>> done = new ArrayList<>();
    long seed = System.nanoTime();
    for (int t = 0; t < 3; t++) {
      int slice = t;
      done.add(workers.submit(() -> {
        Random random = new Random(seed + slice);
        List<PresenceSession> open = new ArrayList<>();
        while (!stop.get()) {
          long start = System.nanoTime();
          if (open.isEmpty() || random.nextInt(10) < 6) {
            int u = random.nextInt(users / 3) * 3 + slice;
            TestNode node = n.get(random.nextInt(n.size()));
            open.add(node.registry.connect("u" + u, "s" + random.nextInt(2),
                new RecordingOutbound()));
          } else {
            open.remove(random.nextInt(open.size())).close();
          }
          slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
          Thread.sleep(2); // traffic, not a flood: a few hundred transitions a second
        }
        return null;
      }));
    }
    Thread.sleep(1000);
    int victim = cluster.masters().get(0);
    cluster.kill(victim);
    await("failover").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(cluster::healthy);
    Thread.sleep(1000); // traffic goes on over the new topology
    stop.set(true);
    for (Future<?> f : done) {
      f.get();
    }
    workers.shutdown();

    Set<String> expected = new HashSet<>();
    for (int u = 0; u < users; u++) {
      for (TestNode x : n) {
        if (x.registry.sessionCount("u" + u) > 0) {
          expected.add("u" + u);
        }
      }
    }
    for (TestNode x : n) {
      await("view of " + x.registry.nodeId() + ", seed " + seed).atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> x.registry.status().inSync() && x.registry.onlineUsers().equals(expected));
    }
    assertThat(Duration.ofNanos(slowest.get())).as("slowest connect/close")
        .isLessThan(Duration.ofSeconds(1));
    for (TestNode x : n) {
      x.assertEventsAlternate();
      Map<String, Boolean> last = new HashMap<>();
      for (PresenceEvent e : x.events) {
        last.put(e.userId(), e.online());
      }
      for (int u = 0; u < users; u++) {
        String user = "u" + u;
        assertThat(last.getOrDefault(user, false)).as("last event of %s on %s, seed %d", user,
            x.registry.nodeId(), seed).isEqualTo(expected.contains(user));
      }
    }
  }
}
