package dev.presence.redis;

import dev.presence.Availability;
import dev.presence.SessionInfo;
import dev.presence.Status;
import dev.presence.StatusText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One user's rich presence across the cluster, computed from the contributions of every node
 * that has the user, by the same rules as one registry applies across sessions:
 *
 * <ul>
 *   <li>availability and status text are user-level: those of the contribution with the greatest
 *       {@link Stamp} (the latest change, made on any node) apply;
 *   <li>the user is idle only if every node holding them says idle (no session anywhere was
 *       active for {@code idleAfter});
 *   <li>the latest activity is the latest of all nodes; the sessions are all nodes' sessions.
 * </ul>
 *
 * Immutable.
 *
 * @param stamp the winning change
 * @param availability what the user chose
 * @param statusText the text, or null (expired texts are removed at computation time)
 * @param idle whether every contribution is idle
 * @param lastActive the latest activity anywhere, or null if unknown
 * @param sessions every node's sessions, this node's first
 */
record Aggregate(Stamp stamp, Availability availability, @Nullable StatusText statusText,
    boolean idle, @Nullable Instant lastActive, List<SessionInfo> sessions) {

  /**
   * Aggregates. {@code own} (this node's, if any) wins a tie of stamps, so that a node reads its
   * own writes.
   *
   * @return null if no node has the user
   */
  static @Nullable Aggregate of(@Nullable Contribution own, Collection<Contribution> remote,
      Instant now) {
    if (own == null && remote.isEmpty()) {
      return null;
    }
    Contribution winner = own;
    boolean idle = true;
    long lastActive = -1;
    List<SessionInfo> sessions = new ArrayList<>();
    if (own != null) {
      idle = own.idle();
      lastActive = own.lastActiveMillis();
      sessions.addAll(own.sessions());
    }
    for (Contribution c : remote) {
      if (winner == null || c.stamp().isAfter(winner.stamp())) {
        winner = c;
      }
      idle &= c.idle();
      lastActive = Math.max(lastActive, c.lastActiveMillis());
      sessions.addAll(c.sessions());
    }
    return new Aggregate(winner.stamp(), winner.availability(), winner.textAt(now), idle,
        lastActive < 0 ? null : Instant.ofEpochMilli(lastActive), List.copyOf(sessions));
  }

  /**
   * The status others see, given whether some node holds the user publicly (its local registry
   * has them online).
   */
  Status status(boolean heldPublicly) {
    return Status.of(heldPublicly, availability, idle);
  }

  /** Whether others see the user online, given whether some node holds them publicly. */
  boolean online(boolean heldPublicly) {
    return heldPublicly && availability != Availability.INVISIBLE;
  }
}
