package dev.presence.redis;

import dev.presence.PresenceEvent;
import dev.presence.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's replica of the cluster, free of any transport: which users this node holds, what
 * it knows of every other node (its users, the last sequence number applied, whether it is in
 * sync), and how many nodes hold each user. It takes channel messages and snapshots as input and
 * produces cluster transitions, which it queues on an {@link EventDelivery}.
 *
 * <p>Sequencing: each other node's messages go through its {@link NodeView}, which applies them
 * in that node's order and reloads the node from a snapshot on a gap, handing this class only
 * the real differences (a user gained or lost, a record changed). A user is online while any view (or this node)
 * holds them publicly and the user's cluster-wide availability (see {@link Aggregate}) is not
 * invisible; events fire on the edges of that, so they are ordered, alternating and exactly once
 * by construction.
 *
 * <p>Rich presence: every node's records (its {@link Contribution} per user) travel in the same
 * sequence as its transitions ({@code U} messages) and are part of its snapshot, so they follow
 * the same rules: applied in order, reloaded on a gap, dropped with the node. After every change
 * of a user's count or records, this class recomputes what listeners have been told of the user
 * (online, status, text, metadata) and queues the difference: a transition, or an update.
 *
 * <p>Threading: every method not marked otherwise must be called on the loop, the one serial
 * executor given to the constructor; snapshot replies and timers come back onto it. The lookups
 * marked "any thread" read concurrent maps written only by the loop.
 */
final class ClusterState {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

  private final String self;
  private final Function<String, CompletableFuture<ClusterTransport.Snapshot>> snapshots;
  private final Executor loop;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Duration orphanGrace;
  private final Runnable onLoadFailure;
  private final RichListener rich;
  /** user -> how many nodes (this one included) hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> clusterCount = new ConcurrentHashMap<>();
  /** user -> how many other nodes hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> remoteCount = new ConcurrentHashMap<>();
  /** user -> node -> that node's record; immutable inner maps, written by the loop only. */
  private final ConcurrentHashMap<String, Map<String, Contribution>> remoteRecords =
      new ConcurrentHashMap<>();
  private final ToldState told;
  private final AtomicLong snapshotsLoaded = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Set<String> own = new HashSet<>();
  private final Map<String, NodeView> views = new HashMap<>();
  private final NodeView.Owner viewOwner = new ViewOwner();
  private boolean stopped;

  /**
   * @param self this node's id; its own messages are not for this class
   * @param snapshots reads one node's snapshot from the store
   * @param loop the serial executor owning this state
   * @param scheduler runs the orphan timers
   * @param orphanGrace how long a node the store knows nothing of keeps its users (a lease TTL)
   * @param onLoadFailure told (on the loop) when a snapshot could not be read
   * @param rich told (on the loop) of other nodes' records and routed changes
   */
  ClusterState(String self, Function<String, CompletableFuture<ClusterTransport.Snapshot>> snapshots,
      Executor loop, Scheduler scheduler, Clock clock, Duration orphanGrace, EventDelivery events,
      Runnable onLoadFailure, RichListener rich) {
    this.self = self;
    this.snapshots = snapshots;
    this.loop = loop;
    this.scheduler = scheduler;
    this.clock = clock;
    this.orphanGrace = orphanGrace;
    this.onLoadFailure = onLoadFailure;
    this.rich = rich;
    this.told = new ToldState(self, events, this::recordsOf);
  }

  /** What the node does with other nodes' rich presence. Called on the loop. */
  interface RichListener {
    /** Another node's record of {@code user} changed (or went). */
    void recordChanged(String user, Contribution record);

    /** A routed status change or erasure from {@code node}, in that node's order. */
    void routed(String node, Message m);
  }



  // ------------------------------------------------------------------ lookups (any thread)

  /** Any thread: whether another node holds the user, as far as this node knows. */
  boolean heldElsewhere(String user) {
    return remoteCount.containsKey(user);
  }

  /** Any thread: users held by other nodes (a snapshot). */
  Set<String> heldElsewhere() {
    return new HashSet<>(remoteCount.keySet());
  }

  /** Any thread: users online in the cluster (publicly: invisible users are not). */
  int onlineUserCount() {
    return told.onlineCount();
  }

  /** Any thread: other nodes' records of the user (node -> record; an immutable snapshot). */
  Map<String, Contribution> remoteRecords(String user) {
    Map<String, Contribution> m = remoteRecords.get(user);
    return m == null ? Map.of() : m;
  }

  /** Any thread: messages and records from Redis rejected as malformed. */
  long rejected() {
    return rejected.get();
  }

  /** Any thread: snapshots read so far. */
  long snapshotsLoaded() {
    return snapshotsLoaded.get();
  }

  // ------------------------------------------------------------------ this node's users

  /** Records that this node holds the user; returns false if it already did. */
  boolean addOwn(String user, Instant at) {
    if (!own.add(user)) {
      return false;
    }
    increment(user, at, false);
    return true;
  }

  /** Records that this node no longer holds the user; returns false if it did not. */
  boolean removeOwn(String user, Instant at) {
    if (!own.remove(user)) {
      return false;
    }
    decrement(user, at, false);
    return true;
  }

  /** This node's users: a live, unmodifiable view (loop only). */
  Set<String> own() {
    return Collections.unmodifiableSet(own);
  }

  /** Records this node's own contribution for a user (null: none); recomputes the user. */
  void setOwnRecord(String user, Contribution c, Instant at) {
    if (told.setOwnRecord(user, c)) {
      reconcile(user, at);
    }
  }

  /** Recomputes what listeners know of a user (e.g. a status text expired). Loop only. */
  void refresh(String user) {
    reconcile(user, clock.instant());
  }

  /** Who holds whom, this node included: user -> node ids (a new map, loop only). */
  Map<String, Set<String>> holders() {
    Map<String, Set<String>> m = new HashMap<>();
    for (String u : own) {
      m.computeIfAbsent(u, k -> new HashSet<>()).add(self);
    }
    for (NodeView v : views.values()) {
      for (String u : v.users) {
        m.computeIfAbsent(u, k -> new HashSet<>()).add(v.node);
      }
    }
    return m;
  }

  /** Stops reacting to replies and timers; what is known stays readable. */
  void stop() {
    stopped = true;
    for (NodeView v : views.values()) {
      v.cancelOrphanTimer();
    }
  }

  // ------------------------------------------------------------------ other nodes

  /** Applies a message from another node, or buffers it and reloads that node. */
  void accept(Message m) {
    if (stopped || m.node().equals(self)) {
      return;
    }
    view(m.node()).accept(m);
  }

  /**
   * Reloads every node in {@code listed} and every node already known (messages may have been
   * missed): each buffers its messages until its snapshot is in.
   *
   * @return completes when every snapshot is applied; fails if one could not be read
   */
  CompletableFuture<Void> reloadAll(Collection<String> listed) {
    Set<String> all = new HashSet<>(listed);
    all.addAll(views.keySet());
    all.remove(self);
    List<CompletableFuture<Void>> loads = new ArrayList<>();
    for (String node : all) {
      loads.add(view(node).reload());
    }
    return CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0]));
  }

  /** Logs and counts something malformed that came from Redis. Loop only. */
  void reject(String what, RuntimeException e) {
    rejected.incrementAndGet();
    LOG.warn("Node {} ignores {}: {}", self, what, e.getMessage());
  }

  // ------------------------------------------------------------------ counting and events

  private void increment(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.merge(user, 1, Integer::sum);
    }
    clusterCount.merge(user, 1, Integer::sum);
    reconcile(user, at);
  }

  private void decrement(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1);
    }
    if (clusterCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1) == null
        && !told.online(user)) {
      return;
    }
    reconcile(user, at);
  }

  private void reconcile(String user, Instant at) {
    told.reconcile(user, clusterCount.containsKey(user), at);
  }

  /** node -> record of the user, from every view (a new map; loop only). */
  private Map<String, Contribution> recordsOf(String user) {
    Map<String, Contribution> m = new HashMap<>();
    for (NodeView v : views.values()) {
      Contribution c = v.records.get(user);
      if (c != null) {
        m.put(v.node, c);
      }
    }
    return m;
  }

  private NodeView view(String node) {
    return views.computeIfAbsent(node, n -> new NodeView(n, viewOwner));
  }

  /** Rebuilds the readers' copy of the user's remote records. */
  private void publishRecords(String user) {
    Map<String, Contribution> m = recordsOf(user);
    if (m.isEmpty()) {
      remoteRecords.remove(user);
    } else {
      remoteRecords.put(user, Map.copyOf(m));
    }
  }

  /** What the views change here; every call on the loop. */
  private final class ViewOwner implements NodeView.Owner {
    @Override
    public CompletableFuture<ClusterTransport.Snapshot> snapshot(String node) {
      return snapshots.apply(node);
    }

    @Override
    public Executor loop() {
      return loop;
    }

    @Override
    public Scheduler.Cancellable afterOrphanGrace(Runnable task) {
      return scheduler.schedule(() -> loop.execute(task), orphanGrace);
    }

    @Override
    public Duration orphanGrace() {
      return orphanGrace;
    }

    @Override
    public Instant now() {
      return clock.instant();
    }

    @Override
    public boolean stopped() {
      return stopped;
    }

    @Override
    public boolean holds(NodeView view) {
      return views.get(view.node) == view;
    }

    @Override
    public void retire(NodeView view) {
      views.remove(view.node, view);
    }

    @Override
    public void snapshotRead(boolean ok) {
      if (ok) {
        snapshotsLoaded.incrementAndGet();
      } else {
        onLoadFailure.run();
      }
    }

    @Override
    public void userGained(String user, Instant at) {
      increment(user, at, true);
    }

    @Override
    public void userLost(String user, Instant at) {
      decrement(user, at, true);
    }

    @Override
    public void recordChanged(String user, @Nullable Contribution record, Instant at) {
      publishRecords(user);
      if (record != null) {
        rich.recordChanged(user, record);
      }
      reconcile(user, at);
    }

    @Override
    public void routed(String node, Message m) {
      rich.routed(node, m);
    }

    @Override
    public void reject(String what, RuntimeException e) {
      ClusterState.this.reject(what, e);
    }
  }
}
