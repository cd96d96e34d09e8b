package dev.presence.spring.boot;

import dev.presence.LastSeenStore;
import dev.presence.PresenceRegistry;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.micrometer.MonitoredLastSeenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the "presence" health indicator reports, independent of the Boot version's health API.
 * DOWN when last-seen writes have been failing for longer than the threshold, or when a clustered
 * registry has been out of sync with Redis for longer than the cluster threshold. Thread-safe: reads
 * only thread-safe counters.
 */
final class PresenceHealthCheck {
  private final PresenceRegistry registry;
  private final List<MonitoredLastSeenStore> stores;
  private final Duration threshold;
  private final Clock clock;
  /** Adds cluster details and says whether the cluster link is healthy; null if not clustered. */
  private final Predicate<Map<String, Object>> cluster;

  PresenceHealthCheck(PresenceRegistry registry, List<MonitoredLastSeenStore> stores,
      Duration threshold, Clock clock, Predicate<Map<String, Object>> cluster) {
    this.registry = registry;
    this.stores = List.copyOf(stores);
    this.threshold = threshold;
    this.clock = clock;
    this.cluster = cluster;
  }

  /** The cluster check for a registry, if it is clustered and presence-redis is present. */
  static Predicate<Map<String, Object>> clusterCheck(PresenceRegistry registry, Duration threshold) {
    return REDIS_PRESENT ? ClusterHealth.of(registry, threshold) : null;
  }

  private static final boolean REDIS_PRESENT = isPresent("dev.presence.redis.ClusteredPresenceRegistry");

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, PresenceHealthCheck.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The outcome: up or down, and the details to show. */
  record Result(boolean up, Map<String, Object> details) {}

  Result check() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("onlineUsers", registry.onlineUserCount());
    details.put("sessions", registry.totalSessionCount());
    LastSeenStore store = registry.lastSeenStore().orElse(null);
    if (store instanceof WriteBehindLastSeenStore w) {
      details.put("lastSeenPending", w.pendingCount());
      details.put("lastSeenDropped", w.droppedCount());
    }
    boolean up = true;
    Instant now = clock.instant();
    for (MonitoredLastSeenStore s : stores) {
      Instant since = s.failingSince().orElse(null);
      if (since != null) {
        details.put("lastSeenFailingSince", since.toString());
        s.lastError().ifPresent(e -> details.put("lastSeenError", e));
        if (Duration.between(since, now).compareTo(threshold) >= 0) {
          up = false;
        }
      }
    }
    if (cluster != null && !cluster.test(details)) {
      up = false;
    }
    return new Result(up, details);
  }
}
