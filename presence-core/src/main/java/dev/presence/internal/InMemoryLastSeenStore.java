package dev.presence.internal;

import dev.presence.LastSeenStore;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LastSeenStore#inMemory()}: a monotonic map. Thread-safe. */
public final class InMemoryLastSeenStore implements LastSeenStore {
  private final ConcurrentHashMap<String, Instant> times = new ConcurrentHashMap<>();

  @Override
  public void recordAll(Map<String, Instant> lastSeen) {
    Objects.requireNonNull(lastSeen, "lastSeen");
    lastSeen.forEach((user, at) -> times.merge(user, at, InMemoryLastSeenStore::later));
  }

  @Override
  public Map<String, Instant> readAll(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Map<String, Instant> out = new HashMap<>();
    for (String id : userIds) {
      if (id != null) {
        Instant at = times.get(id);
        if (at != null) {
          out.put(id, at);
        }
      }
    }
    return out;
  }

  @Override
  public void forget(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    for (String id : userIds) {
      if (id != null) {
        times.remove(id);
      }
    }
  }

  /** Returns false: a map update never waits. */
  @Override
  public boolean blocksCaller() {
    return false;
  }

  static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public String toString() {
    return "LastSeenStore.inMemory(" + times.size() + " users)";
  }
}
