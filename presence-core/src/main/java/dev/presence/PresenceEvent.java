package dev.presence;

import java.time.Instant;
import java.util.Objects;

/**
 * A transition of one user: offline→online or online→offline. Immutable, hence thread-safe.
 *
 * @param userId the user whose status changed
 * @param online true for offline→online, false for online→offline
 * @param at wall-clock time of the transition, to the millisecond; for an offline event, the
 *     moment the last session ended (before any offline grace), which is the user's "last seen"
 */
public record PresenceEvent(String userId, boolean online, Instant at) {

  /**
   * Validates the components.
   *
   * @param userId the user whose status changed
   * @param online true for offline→online
   * @param at wall-clock time of the transition
   * @throws NullPointerException if {@code userId} or {@code at} is null
   */
  public PresenceEvent {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(at, "at");
  }
}
