package dev.presence.redis;

import dev.presence.Availability;
import dev.presence.PresenceRegistry;
import dev.presence.Status;
import dev.presence.UserPresence;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The cluster-wide reads of a {@link ClusteredPresenceRegistry}: a user's presence combined from
 * this node's local registry and the other nodes' records in the replica, from memory, no I/O,
 * no lock. Thread-safe.
 */
final class ClusterReads {
  private final PresenceRegistry local;
  private final ClusterNode node;
  private final Clock clock;

  ClusterReads(PresenceRegistry local, ClusterNode node, Clock clock) {
    this.local = local;
    this.node = node;
    this.clock = clock;
  }

  Optional<UserPresence> presenceOf(String userId) {
    Aggregate g = aggregate(userId);
    if (g == null) {
      return Optional.empty();
    }
    return Optional.of(new UserPresence(userId, g.status(heldPublicly(userId)), g.availability(),
        g.statusText(), g.lastActive(), g.sessions()));
  }

  VisiblePresence visiblePresence(String viewerId, String subjectId) {
    Objects.requireNonNull(viewerId, "viewerId");
    Objects.requireNonNull(subjectId, "subjectId");
    Aggregate g = aggregate(subjectId);
    if (viewerId.equals(subjectId)) {
      if (g == null) {
        return VisiblePresence.offline(subjectId);
      }
      Availability shown = g.availability() == Availability.INVISIBLE ? Availability.AVAILABLE
          : g.availability();
      return new VisiblePresence(subjectId, true, Status.of(true, shown, g.idle()),
          g.statusText(), g.lastActive(), g.availability());
    }
    boolean held = heldPublicly(subjectId);
    if (!held || (g != null && !g.online(true))) {
      return VisiblePresence.offline(subjectId);
    }
    Visibility v = local.visibility(viewerId, subjectId);
    if (!v.presence()) {
      return VisiblePresence.offline(subjectId);
    }
    if (g == null) {
      return new VisiblePresence(subjectId, true, Status.AVAILABLE, null, null, null);
    }
    return new VisiblePresence(subjectId, true, g.status(true),
        v.statusText() ? g.statusText() : null, v.lastSeen() ? g.lastActive() : null, null);
  }

  Optional<Instant> lastActive(String userId) {
    Aggregate g = aggregate(userId);
    return g == null ? Optional.empty() : Optional.ofNullable(g.lastActive());
  }

  /** Invisible or not is the winning change's availability: see {@link Aggregate}. */
  boolean isOnline(@Nullable String userId) {
    if (userId == null) {
      return false;
    }
    boolean here = local.isOnline(userId);
    if (!here && !node.state().heldElsewhere(userId)) {
      return false;
    }
    // Invisible or not is the winning change's availability: ours unless a record is newer
    // (the same rule as Aggregate, without building the user's snapshot)
    Contribution latest = latest(node.state().remoteRecords(userId).values());
    if (latest == null) {
      return true;
    }
    boolean mine = here || local.sessionCount(userId) > 0;
    if (mine && !latest.stamp().isAfter(node.sync().stampOf(userId))) {
      return here; // our local registry applies the latest change: visible there or not
    }
    return latest.availability() != Availability.INVISIBLE;
  }

  boolean heldPublicly(String userId) {
    return local.isOnline(userId) || node.state().heldElsewhere(userId);
  }

  @Nullable Aggregate aggregate(String userId) {
    return userId == null ? null : aggregate(userId, node.state().remoteRecords(userId));
  }

  @Nullable Aggregate aggregate(String userId, Map<String, Contribution> remote) {
    LocalSync sync = node.sync();
    Contribution own = local.presenceOf(userId)
        .map(p -> Contribution.of(p, sync.stampOf(userId))).orElse(null);
    return Aggregate.of(own, remote.values(), clock.instant());
  }

  /** The record with the highest stamp, or null if none. */
  static @Nullable Contribution latest(Collection<Contribution> records) {
    Contribution best = null;
    for (Contribution c : records) {
      if (best == null || c.stamp().isAfter(best.stamp())) {
        best = c;
      }
    }
    return best;
  }
}
