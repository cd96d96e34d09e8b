package dev.presence.redis;

import dev.presence.LastSeenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps the nodes whose lease expired, for one node of the cluster: lists the nodes, tries to
 * claim every other one (the store lets exactly one claimer win, and only once the lease is
 * gone), unlists the dead ones, and for a node it won records its users' last seen, once for the
 * whole cluster. Failures are left for the next round (every lease renewal).
 *
 * <p>Threading: {@link #reap()} on the node's loop, where the replies come back too; {@link
 * #reapedCount()} from any thread.
 */
// Every transport future here ends in a whenComplete* handler that deals with its failure (the
// next round tries again), so the futures those handlers return are not needed.
@SuppressWarnings("FutureReturnValueIgnored")
final class NodeReaper {
  // under the node's name, as before the split: hosts configure it by that name
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final String nodeId;
  private final ClusterTransport transport;
  private final Executor loop;
  private final Clock clock;
  private final Supplier<Optional<LastSeenStore>> lastSeen;
  private final BooleanSupplier stopped;
  private final AtomicLong reaped = new AtomicLong();

  /**
   * @param nodeId this node, never reaped by itself
   * @param loop the node's serial executor
   * @param lastSeen where the users of reaped nodes are recorded
   * @param stopped whether the node stopped (late replies are then ignored)
   */
  NodeReaper(String nodeId, ClusterTransport transport, Executor loop, Clock clock,
      Supplier<Optional<LastSeenStore>> lastSeen, BooleanSupplier stopped) {
    this.nodeId = nodeId;
    this.transport = transport;
    this.loop = loop;
    this.clock = clock;
    this.lastSeen = lastSeen;
    this.stopped = stopped;
  }

  /** Claims every listed node whose lease expired; the store lets exactly one claimer win. */
  void reap() {
    ClusterNode.call(transport::listedNodes).whenCompleteAsync((nodes, ex) -> {
      if (ex != null || stopped.getAsBoolean()) {
        return;
      }
      long now = clock.millis();
      for (String node : nodes) {
        if (node.equals(nodeId)) {
          continue;
        }
        ClusterNode.call(() -> transport.claim(node, now)).whenCompleteAsync((claim, e) -> {
          if (e != null || claim.outcome() == ClusterTransport.ClaimOutcome.ALIVE) {
            return;
          }
          if (claim.outcome() == ClusterTransport.ClaimOutcome.CLAIMED) {
            reaped(node, claim.users());
          }
          transport.unlist(node);
        }, loop);
      }
    }, loop);
  }

  /** How many nodes this node reaped. Any thread. */
  long reapedCount() {
    return reaped.get();
  }

  /**
   * This node won the claim of a dead node, so it alone records its users' last seen: the dead
   * node never did, and doing it once keeps the store's traffic per user at one write.
   */
  private void reaped(String node, List<String> users) {
    reaped.incrementAndGet();
    LOG.info("Node {} reaped node {} (lease expired) and its {} users", nodeId, node,
        users.size());
    Optional<LastSeenStore> store = lastSeen.get();
    if (store.isPresent() && !users.isEmpty()) {
      Instant now = clock.instant();
      Map<String, Instant> seen = new HashMap<>();
      for (String u : users) {
        seen.put(u, now);
      }
      try {
        store.get().recordAll(seen); // the registry's store never blocks (write-behind)
      } catch (RuntimeException ex) {
        LOG.warn("Could not queue the last-seen times of node {}'s users", node, ex);
      }
    }
  }
}
