package dev.presence;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The raw, unfiltered, server-side view of one user: what they chose (including
 * {@link Availability#INVISIBLE}), what others would see, and every session with its metadata.
 * For trusted code only (admin tools, the user themselves); what another user may see is
 * {@link VisiblePresence}. Immutable, hence thread-safe.
 *
 * @param userId the user
 * @param status what others see, before any policy ({@link Status#OFFLINE} while invisible)
 * @param availability what the user chose
 * @param statusText the custom status text, or null (an expired text is null)
 * @param lastActive wall time of the latest activity on any session, or null if none is known
 * @param sessions the user's sessions on this node; an immutable snapshot, empty during the
 *     offline grace
 */
public record UserPresence(String userId, Status status, Availability availability,
    @Nullable StatusText statusText, @Nullable Instant lastActive, List<SessionInfo> sessions) {

  /**
   * Validates the components and copies the session list.
   *
   * @param userId the user
   * @param status what others see
   * @param availability what the user chose
   * @param statusText the status text, or null
   * @param lastActive the latest activity, or null
   * @param sessions the sessions
   * @throws NullPointerException if a required component or a session is null
   */
  public UserPresence {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(availability, "availability");
    sessions = List.copyOf(sessions);
  }
}
