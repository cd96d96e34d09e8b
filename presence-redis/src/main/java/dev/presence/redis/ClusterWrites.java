package dev.presence.redis;

import dev.presence.ClientMessage;
import dev.presence.ConnectOptions;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.StatusText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The cluster-wide writes of a {@link ClusteredPresenceRegistry}: a session connecting, a status
 * change and an erasure, each applied to this node's local registry under a {@link Stamp} (so
 * that every node orders the user's changes alike) and announced to the other nodes, or routed
 * to the nodes that hold a user this node does not. The caller never waits on Redis: the
 * announcements go out on the node's loop.
 *
 * <p>Thread-safe: any method from any thread, as the local registry and {@link ClusterNode}
 * allow.
 */
final class ClusterWrites {
  private final PresenceRegistry local;
  private final ClusterNode node;
  private final Clock clock;

  ClusterWrites(PresenceRegistry local, ClusterNode node, Clock clock) {
    this.local = local;
    this.node = node;
    this.clock = clock;
  }

  /**
   * Connects a session to the local registry. The options' availability and status text apply
   * only if the user is connected nowhere in the cluster yet; otherwise the latest live state
   * from another node does.
   */
  PresenceSession connect(String userId, String sessionId, Outbound outbound,
      ConnectOptions options) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(options, "options");
    LocalSync sync = node.sync();
    ConnectOptions applied = options;
    if (local.sessionCount(userId) == 0 && local.presenceOf(userId).isEmpty()) {
      Contribution live = ClusterReads.latest(node.state().remoteRecords(userId).values());
      if (live != null) {
        applied = options.withAvailability(live.availability())
            .withStatusText(live.textAt(clock.instant()));
      }
      Stamp stamp = live != null ? live.stamp() : new Stamp(0, node.nodeId());
      ConnectOptions chosen = applied;
      PresenceSession s;
      try {
        s = sync.startUnderStamp(userId, stamp,
            () -> local.connect(userId, sessionId, outbound, chosen));
      } finally {
        node.touched(userId); // also when refused: the node drops the stamp of a user it lacks
      }
      return new ClusterSession(s, node);
    }
    PresenceSession s = local.connect(userId, sessionId, outbound, applied);
    node.touched(userId);
    return new ClusterSession(s, node);
  }

  /**
   * Applies a status change here if this node holds the user, else routes it to the nodes that
   * do.
   *
   * @return false if no node is known to hold the user (nothing kept)
   */
  boolean setStatus(String userId, ClientMessage.SetStatus change) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(change, "change");
    StatusText text = change.statusText();
    if (change.setsStatusText() && text != null && text.expiresAt() != null
        && !text.expiresAt().isAfter(clock.instant())) {
      throw new IllegalArgumentException("expiresAt must be in the future: " + text.expiresAt());
    }
    LocalSync sync = node.sync();
    if (local.presenceOf(userId).isPresent()) {
      boolean applied = sync.underStamp(userId, sync.nextStamp(),
          () -> local.setStatus(userId, change));
      node.touched(userId);
      if (applied) {
        return true;
      }
    }
    Contribution latest = ClusterReads.latest(node.state().remoteRecords(userId).values());
    if (latest == null) {
      return false;
    }
    // routed as the whole user-level state the change leads to from the latest this node
    // knows, so that every node applying it under its stamp ends in the same state
    node.route(new RichCodec.Directive(userId, sync.nextStamp(), new ClientMessage.SetStatus(
        change.availability() != null ? change.availability() : latest.availability(), true,
        change.setsStatusText() ? text : latest.textAt(clock.instant()))));
    return true;
  }

  /** Erases the users here at once and announces the erasure to the other nodes. */
  void forget(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    List<String> ids = new ArrayList<>();
    for (String id : userIds) {
      if (id != null) {
        ids.add(id);
      }
    }
    Stamp stamp = node.sync().nextStamp();
    local.forget(ids);
    if (!ids.isEmpty()) {
      node.forget(ids, stamp);
    }
  }
}
