package dev.presence.redis;

import dev.presence.Availability;
import dev.presence.SessionInfo;
import dev.presence.Status;
import dev.presence.StatusText;
import dev.presence.UserPresence;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One node's part of one user's presence, as that node announces it: the user-level state it
 * applies (availability and status text, with the {@link Stamp} of the change they come from),
 * whether the user is idle on that node, the latest activity there and the sessions there with
 * their metadata. A node has a contribution for every user with a session on it (invisible ones
 * included) and for users in its offline grace (no sessions). Immutable.
 *
 * @param stamp the change the availability and text come from
 * @param availability what the user chose, as applied on that node
 * @param statusText the status text, or null (an expired text may still be here; readers check)
 * @param idle whether no session on that node showed activity for {@code idleAfter} (false if
 *     unknown)
 * @param lastActiveMillis the latest activity on that node (epoch millis), or -1 if unknown
 * @param sessions the sessions on that node; empty during the offline grace
 */
record Contribution(Stamp stamp, Availability availability, @Nullable StatusText statusText,
    boolean idle, long lastActiveMillis, List<SessionInfo> sessions) {

  Contribution {
    Objects.requireNonNull(stamp, "stamp");
    Objects.requireNonNull(availability, "availability");
    sessions = List.copyOf(sessions);
  }

  /** The contribution of a local registry's raw view of a user. */
  static Contribution of(UserPresence p, Stamp stamp) {
    // The local registry tells idleness apart only while the user is available: away then means
    // idle. For any other choice idleness changes nothing anyone sees, so "not idle" is exact
    // enough until the user is available again, when the local view says it.
    boolean idle = p.availability() == Availability.AVAILABLE && p.status() == Status.AWAY;
    return new Contribution(stamp, p.availability(), p.statusText(), idle,
        p.lastActive() == null ? -1 : p.lastActive().toEpochMilli(), p.sessions());
  }

  /** The text if it still applies at {@code now}. */
  @Nullable StatusText textAt(Instant now) {
    return statusText == null || statusText.isExpiredAt(now) ? null : statusText;
  }

  /** Whether {@code other} says the same, ignoring the latest activity. */
  boolean sameStateAs(Contribution other) {
    return stamp.equals(other.stamp) && availability == other.availability
        && Objects.equals(statusText, other.statusText) && idle == other.idle
        && sessions.equals(other.sessions);
  }
}
