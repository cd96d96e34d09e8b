package dev.presence;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a registry's counters, returned by {@link PresenceRegistry#stats()}, for
 * metrics. Gauges ({@code onlineUsers}, {@code sessions}, {@code eventsPending}) are values at
 * the moment of the call; the others are totals since the registry was built. The counters are
 * read one after another without a lock, so while connects and closes are in flight they may
 * disagree with each other by those in flight. Immutable, hence thread-safe.
 *
 * @param onlineUsers users online now (as {@link PresenceRegistry#onlineUserCount()})
 * @param sessions live sessions now (as {@link PresenceRegistry#totalSessionCount()})
 * @param onlineTransitions offline→online transitions so far
 * @param offlineTransitions online→offline transitions so far
 * @param sessionsEnded sessions ended so far, per reason; an immutable map holding every
 *     {@link DisconnectReason} (0 where none)
 * @param sessionsRefused connects refused by {@code maxSessionsPerUser} or {@code maxSessions}
 * @param eventsPending transitions queued for the listeners and not yet handed to them
 * @param eventsCoalesced events never delivered because listeners were behind and an
 *     undelivered offline and the next online of the same user cancelled out (two per pair)
 * @param clientChangesRefused client messages ({@code set_status}, {@code set_metadata}) refused
 *     because their session was over {@link PresenceRegistry.Builder#clientChangeLimit}
 */
public record PresenceStats(int onlineUsers, int sessions, long onlineTransitions,
    long offlineTransitions, Map<DisconnectReason, Long> sessionsEnded, long sessionsRefused,
    long eventsPending, long eventsCoalesced, long clientChangesRefused) {

  /**
   * The counters of a registry that limits no client changes ({@code clientChangesRefused} 0).
   *
   * @param onlineUsers users online now
   * @param sessions live sessions now
   * @param onlineTransitions offline→online transitions so far
   * @param offlineTransitions online→offline transitions so far
   * @param sessionsEnded sessions ended so far, per reason
   * @param sessionsRefused connects refused by the caps
   * @param eventsPending transitions queued for the listeners
   * @param eventsCoalesced events cancelled out under backlog
   */
  public PresenceStats(int onlineUsers, int sessions, long onlineTransitions, long offlineTransitions,
      Map<DisconnectReason, Long> sessionsEnded, long sessionsRefused, long eventsPending,
      long eventsCoalesced) {
    this(onlineUsers, sessions, onlineTransitions, offlineTransitions, sessionsEnded, sessionsRefused,
        eventsPending, eventsCoalesced, 0);
  }

  /**
   * Copies {@code sessionsEnded} into an immutable map with every reason present.
   *
   * @throws NullPointerException if {@code sessionsEnded} or one of its values is null
   */
  public PresenceStats {
    Objects.requireNonNull(sessionsEnded, "sessionsEnded");
    EnumMap<DisconnectReason, Long> copy = new EnumMap<>(DisconnectReason.class);
    for (DisconnectReason r : DisconnectReason.values()) {
      copy.put(r, 0L);
    }
    sessionsEnded.forEach((r, n) -> copy.put(Objects.requireNonNull(r, "reason"),
        Objects.requireNonNull(n, "sessionsEnded value")));
    sessionsEnded = Collections.unmodifiableMap(copy);
  }

  /**
   * Returns how many sessions ended for one reason.
   *
   * @param reason the reason
   * @return the count so far; 0 if none
   * @throws NullPointerException if {@code reason} is null
   */
  public long ended(DisconnectReason reason) {
    return sessionsEnded.get(Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Returns how many sessions ended, all reasons together.
   *
   * @return the sum of {@link #sessionsEnded()}
   */
  public long endedTotal() {
    long sum = 0;
    for (long n : sessionsEnded.values()) {
      sum += n;
    }
    return sum;
  }
}
