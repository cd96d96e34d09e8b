package dev.presence.redis;

import dev.presence.ClientMessage;
import dev.presence.ConnectOptions;
import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.PresenceStats;
import dev.presence.PresenceUpdate;
import dev.presence.RateLimit;
import dev.presence.Scheduler;
import dev.presence.Subscription;
import dev.presence.Ticker;
import dev.presence.UserPresence;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PresenceRegistry} for one node of a cluster: sessions live in a local registry on
 * this node, while {@link #isOnline} and the listeners reflect every node, shared through Redis.
 *
 * <p>A user is online in the cluster while at least one node holds a live session of theirs.
 * Each node publishes only its <em>node-level</em> transitions (the user's first session on this
 * node, the last one gone): one Redis round trip per such transition, none per heartbeat and none
 * per lookup. Every node keeps an in-memory replica of which nodes hold which users, so lookups
 * stay local hash lookups, and listeners see <em>cluster</em> transitions: online when the first
 * node gets the user, offline when the last node drops them; per user in order, strictly
 * alternating, each once. {@link #sessionCount}, {@link #totalSessionCount} and
 * {@link #sendToUser} concern this node's sessions only; installing a
 * {@link dev.presence.StatusBroadcaster} on every node's clustered registry therefore reaches
 * every session in the cluster exactly once.
 *
 * <p>Rich presence is cluster-wide too: each node announces its record of each of its users
 * (availability, status text, idleness, latest activity, sessions with metadata) in its own
 * sequence; {@link #presenceOf}, {@link #visiblePresence} and {@link #lastActive} aggregate every
 * node's records from memory, availability and text are user-level with the latest change made
 * on any node winning, an invisible user is offline on every node, and listeners also get
 * cluster {@link dev.presence.PresenceListener#onUpdate updates}. See docs/clustering.md.
 *
 * <p>Nodes that stop renewing their lease (crash, partition) are reaped by the survivors: one of
 * them claims the dead node atomically and its users go offline everywhere. While Redis is
 * unreachable, local presence keeps working and nothing blocks; afterwards the node republishes
 * its users and reloads the others'. See {@code docs/clustering.md} for the protocol.
 *
 * <p>While Redis is unreachable this node keeps answering, but its view of the other nodes is
 * frozen; {@link #status()} says since when (see {@link ClusterStatus#staleness()}).
 *
 * <p>The work is split by responsibility: this class is the facade over the local registry,
 * with the cluster-wide reads in a {@code ClusterReads} and the writes in a {@code ClusterWrites}; a
 * {@code ClusterNode} runs the protocol (recovery, lease, reaping) over a {@code ClusterTransport}
 * ({@code RedisTransport} for Redis and Redis Cluster), and a {@code ClusterState} keeps the
 * replica (sequencing, snapshot merge, counting) and hands events to the listeners.
 *
 * <p>Thread-safe: every method may be called from any thread. Listeners run on the event
 * executor, one at a time, and should be quick; a slow one delays only event delivery.
 */
public final class ClusteredPresenceRegistry implements PresenceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ClusteredPresenceRegistry.class);

  private final PresenceRegistry local;
  private final ClusterNode node;
  private final EventDelivery events;
  private final ClusterTransport transport;
  private final ScheduledExecutorService loop;
  private final ExecutorService ownedEventExecutor;
  private final Duration commandTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ClusterReads reads;
  private final ClusterWrites writes;
  private Subscription localSubscription = () -> {};

  private ClusteredPresenceRegistry(PresenceRegistry local, ClusterTransport transport,
      ScheduledExecutorService loop, ExecutorService ownedEventExecutor, EventDelivery events,
      ClusterNode node, Duration commandTimeout, Clock clock) {
    this.local = local;
    this.transport = transport;
    this.loop = loop;
    this.ownedEventExecutor = ownedEventExecutor;
    this.events = events;
    this.node = node;
    this.commandTimeout = commandTimeout;
    this.reads = new ClusterReads(local, node, clock);
    this.writes = new ClusterWrites(local, node, clock);
  }

  /** Wires the parts together, connects and waits for the first sync; see the builder. */
  static ClusteredPresenceRegistry start(ClusteredPresenceRegistryBuilder b) {
    String nodeId = b.nodeId != null ? b.nodeId : UUID.randomUUID().toString();
    PresenceRegistry local = b.localRegistry != null ? b.localRegistry
        : (b.localBuilder != null ? b.localBuilder : PresenceRegistry.builder()).build();
    ClusterTransport transport;
    try {
      transport = ClusterStartup.connect(b, nodeId);
    } catch (RuntimeException e) {
      local.close();
      throw e;
    }
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
        ClusterStartup.daemon("presence-redis-" + nodeId));
    ExecutorService ownedEvents = b.eventExecutor != null ? null
        : Executors.newSingleThreadExecutor(ClusterStartup.daemon("presence-redis-events-" + nodeId));
    EventDelivery events = new EventDelivery(
        b.eventExecutor != null ? b.eventExecutor : ownedEvents, "node " + nodeId);
    ClusterNode node = new ClusterNode(nodeId, transport, loop, Scheduler.of(loop),
        Ticker.system(), b.clock, b.leaseTtl, b.renewalInterval, b.commandTimeout.multipliedBy(3),
        events, local::lastSeenStore, ClusterStartup.localView(local));
    ClusteredPresenceRegistry registry = new ClusteredPresenceRegistry(local, transport, loop,
        ownedEvents, events, node, b.commandTimeout, b.clock);
    // Listen first, then read the users already there: a user arriving in between is seen by
    // both, which the replica absorbs (adding a user it holds changes nothing).
    registry.localSubscription = local.addListener(new PresenceListener() {
      @Override
      public void onTransition(PresenceEvent event) {
        node.localTransition(event);
      }

      @Override
      public void onUpdate(PresenceUpdate update) {
        node.touched(update.userId());
      }
    });
    try {
      node.start(local.onlineUsers()).get(b.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      registry.close();
      throw new IllegalStateException("could not join the cluster through Redis within "
          + b.startupTimeout, e);
    }
    return registry;
  }

  /**
   * Returns a builder. Exactly one of a Redis URI, a Redis client, Redis Cluster seeds or a
   * Redis Cluster client must be set.
   *
   * @return a new builder
   */
  public static ClusteredPresenceRegistryBuilder builder() {
    return new ClusteredPresenceRegistryBuilder();
  }

  /**
   * Returns this node's id, unique in the cluster.
   *
   * @return the node id
   */
  public String nodeId() {
    return node.nodeId();
  }

  /**
   * Returns how fresh this node's view of the other nodes is, and counts of what it did. While
   * Redis is unreachable, lookups keep answering from the replica, whose picture of the other
   * nodes is frozen: {@link ClusterStatus#staleness()} grows from the last moment the node was
   * known to be in sync. Hosts that need to know can report it (a health check, a gauge) or
   * treat remote users as unknown above a bound of their choosing; see docs/clustering.md.
   *
   * @return a snapshot, taken without blocking
   */
  public ClusterStatus status() {
    return node.status();
  }

  // ================================================================ PresenceRegistry

  /**
   * Registers a live session on this node, exactly as the local registry does; if it is the
   * user's first on this node, the other nodes are told (asynchronously: the caller never waits
   * on Redis). If the user is already connected elsewhere in the cluster, their availability and
   * status text there apply (as the local registry does for a second session).
   *
   * @param userId the authenticated user; non-blank
   * @param sessionId the connection id, unique among this user's live sessions on this node
   * @param outbound how to reach this connection; must not block
   * @return the session handle
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code userId} or {@code sessionId} is blank
   * @throws IllegalStateException if the registry is closed
   */
  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound) {
    return connect(userId, sessionId, outbound, ConnectOptions.defaults());
  }

  /**
   * Registers a live session with options on this node. The options' availability and status
   * text apply only if the user is connected nowhere in the cluster yet: the live state of a
   * connected user is newer than what the host stored (as in one registry). So a user invisible
   * on another node connects here invisible, and never flashes online.
   *
   * @param userId the authenticated user
   * @param sessionId the connection id
   * @param outbound how to reach this connection
   * @param options metadata and the user's stored availability and status text
   * @return the session handle
   */
  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound,
      ConnectOptions options) {
    return writes.connect(userId, sessionId, outbound, options);
  }

  /**
   * Sets the user's availability and/or status text for the whole cluster: the latest change,
   * made on any node, applies to every session of the user on every node. If this node holds
   * the user, the change applies here at once (read your writes) and reaches the other nodes
   * with this node's record of the user; otherwise it is routed to the nodes that hold them.
   *
   * @param userId the user
   * @param change the change
   * @return true if the user is connected (or in the offline grace) somewhere in the cluster,
   *     as far as this node knows; false (and nothing kept) otherwise
   * @throws IllegalArgumentException if the text's expiry is not in the future
   */
  @Override
  public boolean setStatus(String userId, ClientMessage.SetStatus change) {
    return writes.setStatus(userId, change);
  }

  /**
   * Returns the user's raw presence across the cluster: the sessions of every node with their
   * metadata, the user-level availability and text of the latest change, idle only if idle on
   * every node, the latest activity anywhere. From memory.
   *
   * @param userId the user
   * @return a snapshot, or empty if no node has the user
   */
  @Override
  public Optional<UserPresence> presenceOf(String userId) {
    return reads.presenceOf(userId);
  }

  /**
   * Returns what {@code viewerId} may see of {@code subjectId} across the cluster: invisibility
   * and the policy (of the local registry) applied, as in a single registry. From memory.
   *
   * @param viewerId the user looking
   * @param subjectId the user looked at
   * @return a new snapshot
   */
  @Override
  public VisiblePresence visiblePresence(String viewerId, String subjectId) {
    return reads.visiblePresence(viewerId, subjectId);
  }

  @Override
  public Visibility visibility(String viewerId, String subjectId) {
    return local.visibility(viewerId, subjectId);
  }

  /**
   * Returns the latest activity of the user on any node (raw), from memory. Other nodes'
   * activity arrives with their records: at once with any change, otherwise with the sweep at
   * every lease renewal.
   *
   * @param userId the user
   * @return the time, or empty if unknown or no node has the user
   */
  @Override
  public Optional<Instant> lastActive(String userId) {
    return reads.lastActive(userId);
  }

  /**
   * Erases the users' status text and last active everywhere (this node at once, the others
   * when the announcement reaches them; each node then rewrites its record of the user in
   * Redis without them) and their last-seen times in this node's store. Blocking on the store
   * only, as in the local registry.
   *
   * @param userIds the users; null elements are ignored
   */
  @Override
  public void forget(Collection<String> userIds) {
    writes.forget(userIds);
  }

  /**
   * Returns whether the user is online anywhere in the cluster, as others see them (an
   * invisible user is not): a few hash lookups (and a look at the other nodes' records of the
   * user), no I/O, no lock. This node's own sessions count at once
   * (read your writes); another node's from the moment its announcement reached this node.
   *
   * @param userId the user; null or unknown ids are simply offline
   * @return true if some node holds the user and their latest availability is not invisible
   */
  @Override
  public boolean isOnline(@Nullable String userId) {
    return reads.isOnline(userId);
  }

  /**
   * Returns which of the given users are online anywhere in the cluster, from memory (the same
   * public view as {@link #isOnline}).
   *
   * @param userIds the users to check; null elements are ignored
   * @return a new mutable set (a snapshot)
   * @throws NullPointerException if {@code userIds} is null
   */
  @Override
  public Set<String> onlineAmong(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Set<String> out = new HashSet<>();
    for (String id : userIds) {
      if (isOnline(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Returns the number of live sessions of one user on this node.
   *
   * @param userId the user
   * @return the count on this node; sessions on other nodes are not counted
   */
  @Override
  public int sessionCount(String userId) {
    return local.sessionCount(userId);
  }

  /**
   * Returns how many users are online in the cluster, as this node's replica knows them.
   *
   * @return the count at the moment of the call
   */
  @Override
  public int onlineUserCount() {
    return node.state().onlineUserCount();
  }

  /**
   * Returns how many sessions are live on this node.
   *
   * @return the count at the moment of the call
   */
  @Override
  public int totalSessionCount() {
    return local.totalSessionCount();
  }

  /**
   * Returns the users online anywhere in the cluster.
   *
   * @return a new immutable set (a snapshot)
   */
  @Override
  public Set<String> onlineUsers() {
    Set<String> all = node.state().heldElsewhere();
    all.addAll(local.onlineUsers());
    Set<String> out = new HashSet<>();
    for (String u : all) {
      if (isOnline(u)) {
        out.add(u);
      }
    }
    return Set.copyOf(out);
  }

  /**
   * Sends {@code text} to the user's live sessions on this node; other nodes reach theirs.
   *
   * @param userId the user
   * @param text the message
   * @return how many sessions on this node it was handed to
   * @throws NullPointerException if {@code text} is null
   */
  @Override
  public int sendToUser(String userId, String text) {
    return local.sendToUser(userId, text);
  }

  /**
   * Adds a listener of cluster transitions. They are delivered on the event executor (see
   * {@link ClusteredPresenceRegistryBuilder#eventExecutor}), never on a Redis I/O thread: per
   * user in order, strictly alternating, each once. A listener hears only of transitions that
   * happen after it was added.
   *
   * @param listener the listener
   * @return a subscription whose {@code close()} removes the listener
   * @throws NullPointerException if {@code listener} is null
   */
  @Override
  public Subscription addListener(PresenceListener listener) {
    return events.add(listener);
  }

  /**
   * Returns counters for metrics: online users and transitions are the <em>cluster's</em> (as
   * this node's replica and listeners see them); sessions, ended sessions and refusals are this
   * node's (from the local registry); pending events are cluster events not yet handed to the
   * listeners. Cluster events are never coalesced, so {@code eventsCoalesced} is 0. For the
   * freshness of the cluster view see {@link #status()}.
   *
   * @return a new immutable snapshot, taken without locks
   */
  @Override
  public PresenceStats stats() {
    PresenceStats l = local.stats();
    return new PresenceStats(onlineUserCount(), l.sessions(), events.onlineTransitions(),
        events.offlineTransitions(), l.sessionsEnded(), l.sessionsRefused(), events.pending(), 0,
        l.clientChangesRefused());
  }

  @Override
  public RateLimit clientChangeLimit() {
    return local.clientChangeLimit();
  }

  /**
   * Returns the local registry's last-seen store. Each node records the moment a user left it;
   * the store keeps the latest time ({@code $max}), which is the cluster-wide last seen.
   *
   * @return the store, or empty
   */
  @Override
  public Optional<LastSeenStore> lastSeenStore() {
    return local.lastSeenStore();
  }

  /**
   * Leaves the cluster gracefully: closes the local registry (its users go offline, on other
   * nodes too unless they hold them), removes this node's keys, then closes the Redis
   * connections (and the client, if this registry created it). Waits at most the command
   * timeout for Redis. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    local.close();
    localSubscription.close();
    try {
      node.leave().get(commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.debug("Node {} left without a goodbye to Redis", node.nodeId(), e);
    }
    shutdownResources();
  }

  @Override
  public String toString() {
    return "ClusteredPresenceRegistry(node=" + node.nodeId() + ", online="
        + node.state().onlineUserCount() + ", localSessions=" + local.totalSessionCount() + ")";
  }

  private void shutdownResources() {
    loop.shutdown();
    transport.close();
    if (ownedEventExecutor != null) {
      ownedEventExecutor.shutdown(); // queued deliveries still run
    }
  }
}
