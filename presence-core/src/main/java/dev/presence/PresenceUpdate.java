package dev.presence;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A change of a publicly online user's presence that is not a transition: their status (e.g.
 * busy, or away after {@code idleAfter} without activity), status text, or a session's
 * metadata changed. Raw and unfiltered: a {@link PresencePolicy} is applied by whoever forwards
 * it. Immutable, hence thread-safe.
 *
 * <p>Under an event backlog, an undelivered update of a user is replaced by the next one of the
 * same user, whose {@code changes} then hold both.
 *
 * @param userId the user
 * @param status their status now, never {@link Status#OFFLINE} (going offline is a transition)
 * @param statusText their status text now, or null
 * @param lastActive their latest activity, or null if unknown
 * @param at the wall time of the change
 * @param changes what changed; never empty; an immutable set
 */
public record PresenceUpdate(String userId, Status status, @Nullable StatusText statusText, @Nullable Instant lastActive,
    Instant at, Set<Change> changes) {

  /** What an update is about. */
  public enum Change {
    /** The status others see ({@link Status#AVAILABLE}, {@link Status#BUSY}, {@link Status#AWAY}). */
    STATUS,
    /** The status text was set, cleared or expired. */
    STATUS_TEXT,
    /** A session's metadata was replaced. Not shown to other users by the built-in fan-out. */
    METADATA
  }

  /**
   * Validates the components.
   *
   * @param userId the user
   * @param status the status
   * @param statusText the text, or null
   * @param lastActive the latest activity, or null
   * @param at when it changed
   * @param changes what changed
   * @throws NullPointerException if {@code userId}, {@code status}, {@code at} or
   *     {@code changes} is null
   * @throws IllegalArgumentException if {@code status} is {@link Status#OFFLINE} or
   *     {@code changes} is empty
   */
  public PresenceUpdate {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
    changes = Set.copyOf(changes);
    if (status == Status.OFFLINE) {
      throw new IllegalArgumentException("an update is never offline (that is a transition): " + userId);
    }
    if (changes.isEmpty()) {
      throw new IllegalArgumentException("an update must change something: " + userId);
    }
  }

  /**
   * Returns whether other users can see the change: the status or the status text changed (not
   * only metadata).
   *
   * @return true if {@code changes} holds {@link Change#STATUS} or {@link Change#STATUS_TEXT}
   */
  public boolean isVisibleChange() {
    return changes.contains(Change.STATUS) || changes.contains(Change.STATUS_TEXT);
  }
}
