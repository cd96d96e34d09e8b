package dev.presence;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one viewer may see of one subject, with the {@link PresencePolicy} and invisibility
 * applied: hidden fields are null, and a subject the viewer may not see (or who is invisible)
 * is indistinguishable from an offline one. Immutable, hence thread-safe.
 *
 * <p>A viewer looking at themselves sees everything: {@code online} is whether they are
 * connected, {@code status} what they would show if not invisible, and {@code availability}
 * their choice (e.g. {@link Availability#INVISIBLE}). For anyone else {@code availability} is
 * null, so that nothing tells an invisible user from an offline one.
 *
 * @param userId the subject
 * @param online whether the viewer sees the subject online
 * @param status the status the viewer sees; {@link Status#OFFLINE} exactly when not online
 * @param statusText the status text, or null if none, expired or hidden
 * @param lastActive the subject's latest activity, or null if unknown or hidden
 * @param availability the subject's choice, only when the viewer is the subject; else null
 */
public record VisiblePresence(String userId, boolean online, Status status, @Nullable StatusText statusText,
    @Nullable Instant lastActive, @Nullable Availability availability) {

  /**
   * Validates the components.
   *
   * @param userId the subject
   * @param online whether online
   * @param status the status
   * @param statusText the text, or null
   * @param lastActive the latest activity, or null
   * @param availability the choice, or null
   * @throws NullPointerException if {@code userId} or {@code status} is null
   * @throws IllegalArgumentException if {@code online} disagrees with {@code status}
   */
  public VisiblePresence {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    if (online != status.isOnline()) {
      throw new IllegalArgumentException("status " + status + " contradicts online=" + online);
    }
  }

  /**
   * Returns what a viewer sees of an offline (or invisible, or hidden) subject.
   *
   * @param userId the subject
   * @return offline, with nothing else
   */
  public static VisiblePresence offline(String userId) {
    return new VisiblePresence(userId, false, Status.OFFLINE, null, null, null);
  }
}
