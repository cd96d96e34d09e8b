package dev.presence.spring.boot;

import dev.presence.PresenceRegistry;
import dev.presence.redis.ClusterStatus;
import dev.presence.redis.ClusteredPresenceRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The cluster part of the health check; loaded only when presence-redis is present. Stateless.
 */
final class ClusterHealth {
  private ClusterHealth() {}

  /**
   * Returns a check that adds the cluster's status to the details and says whether it is
   * healthy: in sync, or out of sync for less than {@code threshold}. Null if the registry is not
   * clustered.
   */
  static Predicate<Map<String, Object>> of(PresenceRegistry registry, Duration threshold) {
    if (!(registry instanceof ClusteredPresenceRegistry clustered)) {
      return null;
    }
    return details -> {
      ClusterStatus s = clustered.status();
      details.put("clusterInSync", s.inSync());
      details.put("clusterStaleness", s.staleness().toString());
      s.lastSyncedAt().ifPresent(t -> details.put("clusterLastSyncedAt", t.toString()));
      details.put("clusterResyncs", s.resyncs());
      return s.inSync() || s.staleness().compareTo(threshold) < 0;
    };
  }
}
