package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** One node of a test cluster: a clustered registry and every cluster event it delivered. */
final class TestNode implements AutoCloseable {
  final ClusteredPresenceRegistry registry;
  final List<PresenceEvent> events = new CopyOnWriteArrayList<>();

  private TestNode(ClusteredPresenceRegistry registry) {
    this.registry = registry;
    registry.addListener(events::add);
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
        .build());
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
  }
}
