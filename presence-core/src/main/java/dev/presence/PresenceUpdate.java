package dev.presence;

import java.time.Instant;
import java.util.Objects;

/**
 * A change of a publicly online user's presence that is not a transition: their status (e.g.
 * busy, or away after {@code idleAfter} without activity), status text, or a session's
 * metadata changed. Raw and unfiltered (a {@link PresencePolicy} is applied by whoever forwards
 * it). Immutable, hence thread-safe.
 *
 * @param userId the user
 * @param status their status now, never {@link Status#OFFLINE} (going offline is a transition)
 * @param statusText their status text now, or null
 * @param lastActive their latest activity, or null if unknown
 * @param at the wall time of the change
 */
public record PresenceUpdate(String userId, Status status, StatusText statusText, Instant lastActive,
    Instant at) {

  /**
   * Validates the components.
   *
   * @param userId the user
   * @param status the status
   * @param statusText the text, or null
   * @param lastActive the latest activity, or null
   * @param at when it changed
   * @throws NullPointerException if {@code userId}, {@code status} or {@code at} is null
   * @throws IllegalArgumentException if {@code status} is {@link Status#OFFLINE}
   */
  public PresenceUpdate {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
    if (status == Status.OFFLINE) {
      throw new IllegalArgumentException("an update is never offline (that is a transition): " + userId);
    }
  }
}
