package dev.presence.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How fresh one node's view of the cluster is, and what it has done. Immutable, hence
 * thread-safe; a snapshot taken by {@link ClusteredPresenceRegistry#status()}.
 *
 * <p>While a node cannot reach Redis it keeps answering from its replica, but its view of the
 * <em>other</em> nodes is frozen: it cannot tell who left or arrived there. {@link #staleness()}
 * says for how long. This node's own users are always current.
 *
 * @param inSync true while the node is joined, subscribed and has loaded every other node
 * @param staleness zero while in sync; otherwise how long since the node was last known to be
 *     in sync (its last successful exchange with Redis), so it may overstate the true
 *     staleness by the time it took to notice (at most a command timeout)
 * @param lastSyncedAt wall-clock time of the last moment known in sync; empty if the node never
 *     was (it cannot be, once {@code build()} has returned)
 * @param resyncs recoveries started (the first join included): a reconnect, a failed command, a
 *     reaped node rejoining
 * @param snapshotsLoaded other nodes' sets read from Redis (at recoveries and on sequence gaps)
 * @param transitionsPublished node-level transitions this node announced
 * @param nodesReaped dead nodes this node claimed (at most one survivor claims each)
 */
public record ClusterStatus(boolean inSync, Duration staleness, Optional<Instant> lastSyncedAt,
    long resyncs, long snapshotsLoaded, long transitionsPublished, long nodesReaped) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code staleness} or {@code lastSyncedAt} is null
   */
  public ClusterStatus {
    Objects.requireNonNull(staleness, "staleness");
    Objects.requireNonNull(lastSyncedAt, "lastSyncedAt");
  }
}
