package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.RedisServer;
import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceUpdate;
import dev.presence.test.RecordingOutbound;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * One node of a test cluster: a clustered registry and every cluster event it delivered. A node
 * started {@link #startCrashable crashable} talks to Redis through a client of its own, which
 * {@link #crash()} shuts down: from then on the node can neither renew nor say goodbye, which is
 * what a crashed process or a partition looks like to Redis and to the other nodes.
 */
final class TestNode implements AutoCloseable {
  final ClusteredPresenceRegistry registry;
  final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
  final List<PresenceUpdate> updates = new CopyOnWriteArrayList<>();
  private final RedisClient ownClient;
  private int markers;

  private TestNode(ClusteredPresenceRegistry registry, RedisClient ownClient) {
    this.registry = registry;
    this.ownClient = ownClient;
    registry.addListener(new PresenceListener() {
      @Override
      public void onTransition(PresenceEvent event) {
        events.add(event);
      }

      @Override
      public void onUpdate(PresenceUpdate update) {
        updates.add(update);
      }
    });
  }

  /**
   * A node configured by {@code settings} on top of the usual test settings; with
   * {@code crashable}, {@link #crash()} works on it.
   */
  static TestNode start(RedisServer redis, String nodeId, String prefix, Duration leaseTtl,
      boolean crashable, UnaryOperator<ClusteredPresenceRegistryBuilder> settings) {
    RedisClient client = crashable ? RedisClient.create(redis.uri()) : null;
    try {
      ClusteredPresenceRegistryBuilder b = ClusteredPresenceRegistry.builder()
          .nodeId(nodeId)
          .keyPrefix(prefix)
          .leaseTtl(leaseTtl)
          .leaseRenewalInterval(leaseTtl.dividedBy(4))
          .commandTimeout(Duration.ofMillis(500));
      b = crashable ? b.redisClient(client) : b.redisUri(redis.uri());
      return new TestNode(settings.apply(b).build(), client);
    } catch (RuntimeException e) {
      if (client != null) {
        client.shutdown();
      }
      throw e;
    }
  }

  /** Updates of one user, in delivery order. */
  List<PresenceUpdate> updatesOf(String user) {
    return updates.stream().filter(u -> u.userId().equals(user)).toList();
  }

  /** A node on a Redis Cluster, given its seeds. */
  static TestNode startOnCluster(String[] seeds, String nodeId, String prefix,
      Duration leaseTtl) {
    return new TestNode(ClusteredPresenceRegistry.builder()
        .redisCluster(seeds)
        .nodeId(nodeId)
        .keyPrefix(prefix)
        .leaseTtl(leaseTtl)
        .leaseRenewalInterval(leaseTtl.dividedBy(4))
        .commandTimeout(Duration.ofMillis(500))
        .local(PresenceRegistry.builder().withoutHeartbeat())
        .build(), null);
  }

  /** A node whose Redis connections {@link #crash()} can cut for good. */
  static TestNode startCrashable(RedisServer redis, String nodeId, String prefix,
      Duration leaseTtl, PresenceRegistry.Builder local) {
    RedisClient client = RedisClient.create(redis.uri());
    try {
      return new TestNode(ClusteredPresenceRegistry.builder()
          .redisClient(client)
          .nodeId(nodeId)
          .keyPrefix(prefix)
          .leaseTtl(leaseTtl)
          .leaseRenewalInterval(leaseTtl.dividedBy(4))
          .commandTimeout(Duration.ofMillis(500))
          .local(local)
          .build(), client);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /** Dies as far as Redis can tell: its connections are gone, no goodbye is ever sent. */
  void crash() {
    if (ownClient == null) {
      throw new IllegalStateException("start the node with startCrashable to crash it");
    }
    ownClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /**
   * Waits until every one of {@code others} has applied everything this node announced so far:
   * a node applies another's messages in sequence order, so once a fresh marker user of this
   * node is online there, everything this node published before it is applied there too.
   */
  void awaitSeenBy(TestNode... others) {
    String marker = "marker-" + registry.nodeId() + "-" + ++markers;
    var session = registry.connect(marker, "s", new RecordingOutbound());
    for (TestNode n : others) {
      awaitTrue(() -> n.registry.isOnline(marker), marker + " on " + n.registry.nodeId());
    }
    session.close(); // it goes offline in the background (after the grace, if any)
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(2)).until(condition::getAsBoolean);
  }

  static TestNode start(RedisServer redis, String nodeId, String prefix, Duration leaseTtl) {
    return start(redis, nodeId, prefix, leaseTtl, PresenceRegistry.builder().withoutHeartbeat());
  }

  static TestNode start(RedisServer redis, String nodeId, String prefix, Duration leaseTtl,
      PresenceRegistry.Builder local) {
    return new TestNode(ClusteredPresenceRegistry.builder()
        .redisUri(redis.uri())
        .nodeId(nodeId)
        .keyPrefix(prefix)
        .leaseTtl(leaseTtl)
        .leaseRenewalInterval(leaseTtl.dividedBy(4))
        .commandTimeout(Duration.ofMillis(500))
        .local(local)
        .build(), null);
  }

  /** Events of one user, in delivery order. */
  List<Boolean> eventsOf(String user) {
    List<Boolean> out = new ArrayList<>();
    for (PresenceEvent e : events) {
      if (e.userId().equals(user)) {
        out.add(e.online());
      }
    }
    return out;
  }

  long offlineEventsOf(String user) {
    return eventsOf(user).stream().filter(online -> !online).count();
  }

  /** Every user's events alternate, starting with online. */
  void assertEventsAlternate() {
    Map<String, Boolean> last = new HashMap<>();
    for (PresenceEvent e : events) {
      Boolean previous = last.put(e.userId(), e.online());
      boolean expected = previous == null || !previous;
      assertThat(e.online()).as("event %s on %s after %s", e, registry.nodeId(), previous)
          .isEqualTo(expected);
    }
  }

  @Override
  public void close() {
    registry.close();
    if (ownClient != null) {
      ownClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
